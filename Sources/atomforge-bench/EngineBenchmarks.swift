import AtomForge
import AtomForgeTestSupport
import Foundation
import Logging

/// Makespan against its lower bound, and the orchestration's own CPU time and memory.
enum EngineBenchmarks {
    static let silent = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })

    /// How the atoms are scheduled: AtomForge's own way, or the original design's level barrier (a level starts
    /// once every atom of the one before has ended), the baseline the makespan is compared with.
    enum Scheduling: String {
        case dependency
        case levelBarrier = "level_barrier"
    }

    /// Runs `synthetic` through the real engine (scheduler, attempt loop, prompts, extraction) with the simulated
    /// model; returns the wall-clock time and what the run came to.
    @discardableResult
    static func run(
        _ synthetic: SyntheticPlan, workers: Int, mode: Scheduling, simulateLatency: Bool,
        recorder: some RunRecorder = DiscardingRecorder()
    ) async -> (elapsed: Duration, outcome: PlanOutcome) {
        let client = ModelClient(
            provider: SimulatedProvider(plan: simulateLatency ? synthetic : nil),
            retryPolicy: RetryPolicy(maxRetries: 0),
            rateLimiter: RateLimiter(), logger: silent)
        // One call per step, as the synthetic plan's work (and so the lower bound) counts them: attempt 1, and for
        // the atoms whose first attempt fails, attempt 2, which passes.
        var generation = GenerationSettings()
        generation.ladder = [LadderStep(.sample, temperature: 0.2), LadderStep(.sample, temperature: 0.8)]
        generation.maxAttempts = 4
        let generator = AtomGenerator(
            services: GeneratorServices(
                client: client, validators: ValidatorChain([SimulatedValidator(failing: synthetic.failsFirstAttempt)]),
                validationSlots: AsyncSemaphore(permits: 10_000), requestSlots: AsyncSemaphore(permits: workers),
                logger: silent),
            plan: PlanGeneration(generation: generation, maxTokensCeiling: 1024, budget: TokenBudget(limit: 0)))
        let runner = PlanRunner(
            generator: generator, atomSlots: AsyncSemaphore(permits: workers),
            scheduler: Scheduler(maxInFlight: workers))
        let clock = ContinuousClock()
        let start = clock.now
        var outcome: PlanOutcome
        switch mode {
        case .dependency:
            outcome = await runner.run(synthetic.plan, recorder: recorder)
        case .levelBarrier:
            // Each level as a plan of its own, its atoms' dependencies (all in earlier levels) already met.
            outcome = PlanOutcome(results: [:], stop: nil, duration: .zero)
            // Within a level the atoms start as the original barrier started them: the longest chain ahead in the
            // whole plan first, then plan order.
            let graph = DependencyGraph(synthetic.plan.atoms)
            let ahead = graph.chainLengthAhead()
            let place = Dictionary(
                uniqueKeysWithValues: synthetic.plan.atoms.indices.map { (synthetic.plan.atoms[$0].id, $0) })
            for level in graph.levels() ?? [] {
                let atoms = level.compactMap { place[$0] }.sorted { (-ahead[$0], $0) < (-ahead[$1], $1) }.map {
                    index -> Atom in
                    var atom = synthetic.plan.atoms[index]
                    atom.dependsOn = []
                    return atom
                }
                let levelOutcome = await runner.run(
                    Plan(id: synthetic.plan.id, atoms: atoms), recorder: recorder)
                outcome.results.merge(levelOutcome.results) { $1 }
                outcome.stop = outcome.stop ?? levelOutcome.stop
            }
            outcome.duration = clock.now - start
        }
        let elapsed = clock.now - start
        let passed = outcome.results.values.filter { $0.status == .passed }.count
        let failure = outcome.results.values.first { $0.status != .passed }
        precondition(
            passed == synthetic.plan.atoms.count,
            "every synthetic atom must pass; \(passed) did: \(failure?.reason ?? "")")
        return (elapsed, outcome)
    }

    /// `makespan_ratio_*`: makespan ÷ lower bound for dependency scheduling and the level barrier, same plan, same run.
    static func makespan(atoms: Int, timeFactor: Double, workers: Int = 100, report: (String, Double, String) -> Void)
        async
    {
        let synthetic = SyntheticPlan(count: atoms, medianSeconds: 7 * timeFactor, seed: UInt64(atoms))
        let bound = synthetic.lowerBound(workers: workers)
        for mode in [Scheduling.dependency, .levelBarrier] {
            let elapsed = await run(synthetic, workers: workers, mode: mode, simulateLatency: true).elapsed.seconds
            let name = mode.rawValue
            report("makespan_ratio_\(name)_\(atoms)", elapsed / bound, "x_bound")
            if atoms == 800 {
                report("makespan_realtime_\(name)_\(atoms)_at_7s", elapsed / timeFactor / 60, "minutes")
            }
        }
        report("makespan_bound_\(atoms)_at_7s", bound / timeFactor / 60, "minutes")
    }

    /// CPU time per atom with a provider that answers at once and a validator that runs nothing, and the peak memory.
    static func overhead(atoms: Int, report: (String, Double, String) -> Void) async {
        let synthetic = SyntheticPlan(count: atoms, medianSeconds: 0, seed: 42)
        let before = ResourceUsage.now()
        await run(synthetic, workers: 100, mode: .dependency, simulateLatency: false)
        let after = ResourceUsage.now()
        report("overhead_cpu_per_atom_\(atoms)", (after.cpuSeconds - before.cpuSeconds) / Double(atoms) * 1000, "ms")
        report("peak_memory_\(atoms)_atoms", Double(after.maxResidentKB) / 1024, "MB")

        let outbox = NSTemporaryDirectory() + "/atomforge-bench-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: outbox) }
        guard
            let folder = try? PlanClaim.folder(for: synthetic.plan, text: "synthetic", outbox: outbox)
        else { return }
        let start = ResourceUsage.now()
        await run(
            synthetic, workers: 100, mode: .dependency, simulateLatency: false,
            recorder: OutboxRecorder(folder: folder, plan: synthetic.plan))
        let end = ResourceUsage.now()
        report(
            "overhead_cpu_per_atom_with_outbox_\(atoms)", (end.cpuSeconds - start.cpuSeconds) / Double(atoms) * 1000,
            "ms")
    }
}

/// This process's CPU time and peak resident memory, from `getrusage`.
struct ResourceUsage {
    var cpuSeconds: Double
    var maxResidentKB: Int

    static func now() -> ResourceUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu =
            Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
        return ResourceUsage(cpuSeconds: cpu, maxResidentKB: usage.ru_maxrss)
    }
}
