import AtomForge
import AtomForgeTestSupport
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
