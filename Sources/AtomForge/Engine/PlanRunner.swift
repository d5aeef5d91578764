import Logging

/// Hears every atom result as it happens: the outbox journals it, writes its files and updates progress.
public protocol RunRecorder: Sendable {
    func record(_ result: AtomResult, of atom: Atom) async
}

/// What running a plan came to.
public struct PlanOutcome: Sendable {
    /// Results by atom id; atoms left unfinished by a stop are absent.
    public var results: [String: AtomResult]
    /// Set when the plan stopped before every atom finished.
    public var stop: GenerationStop?
    public var duration: Duration
}

/// Runs one plan: schedules its atoms by dependency, generates each with ``AtomGenerator``, and reports results to a
/// ``RunRecorder``. Atoms passed in `restored` (from a journal) are not generated again.
public struct PlanRunner: Sendable {
    public let generator: AtomGenerator
    /// Shared by every plan of the process: bounds atoms in flight at once (`execution.max_workers`).
    public let workerSlots: AsyncSemaphore
    public let scheduler: Scheduler

    public init(generator: AtomGenerator, workerSlots: AsyncSemaphore, scheduler: Scheduler) {
        self.generator = generator
        self.workerSlots = workerSlots
        self.scheduler = scheduler
    }

    public func run(_ plan: Plan, restored: [String: AtomResult] = [:], recorder: some RunRecorder) async -> PlanOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        let graph = DependencyGraph(plan.atoms)
        let atoms = plan.atoms
        var finished: [Int: AtomResult] = [:]
        for (index, atom) in atoms.enumerated() {
            if let result = restored[atom.id], result.status != .blocked { finished[index] = result }
        }
        let passedCode = PassedCode(restored.filter { $0.value.status == .passed }.compactMapValues(\.code))
        let generator = self.generator
        let workerSlots = self.workerSlots
        let stop = generator.stop
        let outcome = await scheduler.run(graph, finished: finished) { index throws(GenerationStop) in
            if stop.isRequested { throw .cancelled }
            do {
                try await workerSlots.acquire()
            } catch {
                throw .cancelled
            }
            if stop.isRequested {
                await workerSlots.release()
                throw .cancelled
            }
            let context = await passedCode.context(for: index, atoms: atoms, graph: graph)
            let result: Result<AtomResult, GenerationStop>
            do throws(GenerationStop) {
                result = .success(try await generator.generate(atoms[index], context: context))
            } catch {
                result = .failure(error)
            }
            await workerSlots.release()
            return try result.get()
        } record: { index, result in
            if result.status == .passed, let code = result.code { await passedCode.add(atoms[index].id, code) }
            await recorder.record(result, of: atoms[index])
        }
        var results: [String: AtomResult] = [:]
        for (index, result) in outcome.results { results[atoms[index].id] = result }
        return PlanOutcome(results: results, stop: outcome.stop, duration: clock.now - start)
    }
}

/// The code of the atoms that have passed so far, from which each attempt's context is drawn.
actor PassedCode {
    private var code: [String: String]

    init(_ code: [String: String]) {
        self.code = code
    }

    func add(_ id: String, _ text: String) {
        code[id] = text
    }

    func context(for index: Int, atoms: [Atom], graph: DependencyGraph) -> AttemptContext {
        let atom = atoms[index]
        let direct = graph.dependencies[index].compactMap { dependency in
            code[atoms[dependency].id].map { (atoms[dependency], $0) }
        }
        var seen = Set<Int>()
        var stack = graph.dependencies[index]
        while let next = stack.popLast() {
            if seen.insert(next).inserted { stack += graph.dependencies[next] }
        }
        let all = graph.topologicalOrder.filter(seen.contains).compactMap { dependency in
            code[atoms[dependency].id].map { (atoms[dependency], $0) }
        }
        let siblings = atoms.enumerated().filter { other in
            other.offset != index && other.element.file == atom.file && !seen.contains(other.offset)
        }.compactMap { other in code[other.element.id].map { (other.element, $0) } }
        return AttemptContext(directDependencies: direct, allDependencies: all, siblings: siblings)
    }
}
