import AtomForge
import AtomForgeTestSupport
import Synchronization
import Testing

/// A whole plan through the runner, in-process: order, blocking, and what was asked of the model.
@Suite("plan runner")
struct PlanRunnerTests {
    @Test("a failed atom blocks what depends on it, through a chain; its dependents are never asked for")
    func blocking() async {
        let provider = ScriptedProvider([
            "base": [.code("def base():\n    return 1")],
            "broken": [.code("def broken():\n    return 2  # bug")],
            "after": [.code("def after():\n    return 1")],
            "last": [.code("def last():\n    return 1")],
        ])
        let plan = Plan(
            id: "p",
            atoms: [
                TestEngine.atom("base"), TestEngine.atom("broken", after: ["base"]),
                TestEngine.atom("after", after: ["broken"]), TestEngine.atom("last", after: ["after"]),
            ])
        let recorder = MemoryRecorder()
        let runner = TestEngine.runner(
            TestEngine.generator(provider, steps: [LadderStep(.sample, temperature: 0.2)]))
        let outcome = await runner.run(plan, recorder: recorder)
        #expect(outcome.stop == nil)
        #expect(
            outcome.results.mapValues(\.status) == [
                "base": .passed, "broken": .failed, "after": .blocked, "last": .blocked,
            ])
        #expect(outcome.results["last"]?.blockedBy == "broken", "named by the failed atom, not the blocked one between")
        #expect(provider.requests(for: "after").isEmpty && provider.requests(for: "last").isEmpty)
        #expect(await recorder.order.first == "base")
    }

    @Test("a dependency's passed code is in the prompt of the atom that uses it")
    func context() async {
        let provider = ScriptedProvider([
            "base": [.code("def base():\n    return 41")], "uses": [.code("def uses():\n    return base() + 1")],
        ])
        let plan = Plan(id: "p", atoms: [TestEngine.atom("base"), TestEngine.atom("uses", after: ["base"])])
        _ = await TestEngine.runner(TestEngine.generator(provider, steps: [LadderStep(.sample, temperature: 0.2)]))
            .run(plan, recorder: MemoryRecorder())
        let prompt = provider.requests(for: "uses").first?.messages.last?.text ?? ""
        #expect(prompt.contains("return 41"), "\(prompt)")
    }

    @Test("restored results are not asked for again")
    func restored() async {
        let provider = ScriptedProvider(["b": [.code("def b():\n    return 1")]])
        let plan = Plan(id: "p", atoms: [TestEngine.atom("a"), TestEngine.atom("b", after: ["a"])])
        let earlier = AtomResult(id: "a", status: .passed, code: "def a():\n    return 1")
        let outcome = await TestEngine.runner(
            TestEngine.generator(provider, steps: [LadderStep(.sample, temperature: 0.2)])
        )
        .run(plan, restored: ["a": earlier], recorder: MemoryRecorder())
        #expect(outcome.results["b"]?.status == .passed)
        #expect(provider.requests(for: "a").isEmpty && provider.requests(for: "b").count == 1)
    }
}

/// Model slots and validation slots apart, with the engine's own bounds (``EngineServices``).
@Suite("slots")
struct SlotTests {
    /// Holds atom `held`'s validation until the model has been asked for atom `next`, or for ten seconds.
    /// Holds the validation of whichever of two atoms is validated first until the other's request has gone out
    /// (or ten seconds pass), and says whether it did.
    final class GateValidator: Validator {
        let name = "tests"
        let pair: Set<String>
        let provider: ScriptedProvider
        private let state = Mutex<(held: String?, sawNext: Bool?)>((nil, nil))

        init(holdingFirstOf pair: Set<String>, provider: ScriptedProvider) {
            self.pair = pair
            self.provider = provider
        }

        /// Whether the other atom's request came while the held validation was running; nil if none was held.
        var nextCameDuringValidation: Bool? { state.withLock { $0.sawNext } }

        func applies(to atom: Atom) -> Bool { true }

        func validate(_ subject: ValidationSubject) async -> [ValidationIssue] {
            let id = subject.atom.id
            let holds = state.withLock { state -> Bool in
                guard pair.contains(id), state.held == nil else { return false }
                state.held = id
                return true
            }
            guard holds, let next = pair.subtracting([id]).first else { return [] }
            var seen = false
            for _ in 0..<1000 {
                if !provider.requests(for: next).isEmpty {
                    seen = true
                    break
                }
                try? await Task.sleep(for: .milliseconds(10))
            }
            state.withLock { $0.sawNext = seen }
            return []
        }
    }

    @Test("with one model slot, the next atom's request goes out while the last reply is being validated")
    func modelSlotFreeDuringValidation() async throws {
        let provider = ScriptedProvider([
            "a": [.code("def a():\n    return 1")], "b": [.code("def b():\n    return 1")],
        ])
        let gate = GateValidator(holdingFirstOf: ["a", "b"], provider: provider)
        var config = PipelineConfig()
        config.execution.maxWorkers = 1
        config.validation.concurrency = 1
        config.generation.ladder = [LadderStep(.sample, temperature: 0.2)]
        config.generation.maxAttempts = 1
        let client = ModelClient(
            provider: provider, retryPolicy: RetryPolicy(maxRetries: 0), rateLimiter: RateLimiter(),
            logger: TestEngine.silent)
        let services = EngineServices(
            config: config, client: client, validators: ValidatorChain([gate]), extractor: UnitExtractor(runner: nil),
            logger: TestEngine.silent)
        let generator = AtomGenerator(
            services: GeneratorServices(
                client: client, validators: services.validators, extractor: services.extractor,
                validationSlots: services.validationSlots, requestSlots: services.requestSlots,
                logger: TestEngine.silent),
            plan: PlanGeneration(
                planID: "p", generation: config.generation, maxTokensCeiling: 1024, budget: TokenBudget(limit: 0),
                stop: services.stop))
        // `a` goes first: `c` waits on it, so its chain is the longer.
        let plan = Plan(
            id: "p", atoms: [TestEngine.atom("a"), TestEngine.atom("b"), TestEngine.atom("c", after: ["a"])])
        let outcome = await services.planRunner(generator).run(plan, recorder: MemoryRecorder())
        // Which of `a` and `b` reaches the free slot first is the tasks' start order, which a loaded machine may turn
        // (priority orders waiters, not a slot nobody waits for): the gate holds whichever is validated first.
        #expect(gate.nextCameDuringValidation == true, "the model slot stayed held while the reply was validated")
        #expect(outcome.results.values.allSatisfy { $0.status == .passed }, "\(outcome.results)")
    }
}

@Suite("async semaphore")
struct AsyncSemaphoreTests {
    @Test("waiters are served highest priority first, equals in arrival order; a cancelled one is skipped")
    func priorityOrder() async throws {
        let semaphore = AsyncSemaphore(permits: 1)
        try await semaphore.acquire()
        actor Served {
            var names: [String] = []
            func add(_ name: String) { names.append(name) }
        }
        let served = Served()
        var tasks: [String: Task<Void, Never>] = [:]
        for (name, priority) in [("low", 1), ("high", 5), ("cancelled", 9), ("middle", 3), ("middle-later", 3)] {
            tasks[name] = Task {
                do {
                    try await semaphore.acquire(priority: priority)
                    await served.add(name)
                    await semaphore.release()
                } catch {
                    await served.add("\(name) threw")
                }
            }
            // Each waits before the next arrives: arrival order is the loop's.
            while await semaphore.waiting < tasks.count { await Task.yield() }
        }
        tasks["cancelled"]?.cancel()
        await tasks["cancelled"]?.value
        await semaphore.release()
        for task in tasks.values { await task.value }
        #expect(await served.names == ["cancelled threw", "high", "middle", "middle-later", "low"])
    }
}
