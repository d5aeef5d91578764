import Testing

@testable import AtomForge

@Suite("a failing suite test pinned on atoms")
struct SuiteAttributionTests {
    let plan = Plan(
        id: "p",
        atoms: [
            Atom(id: "norm", name: "norm", description: "", file: "text/tools.py", language: .named("python")),
            Atom(
                id: "count", name: "count", description: "", file: "text/tools.py", language: .named("python"),
                dependsOn: ["norm"]),
        ])

    func layout() -> [String: AssembledFile] {
        var results: [String: AtomResult] = [:]
        results["norm"] = AtomResult(id: "norm", status: .passed, attempts: [], code: "def norm(s):\n    return s.x\n")
        results["count"] = AtomResult(
            id: "count", status: .passed, attempts: [], code: "def count(s):\n    return len(norm(s))\n")
        return SourceAssembler.layout(plan, results: results)
    }

    func failing(frames: [SourceTreeCheck.Place]? = nil, line: String? = nil) -> SuiteResult {
        var test = SuiteResult.Test(name: "suite/test_t.py::test_count", outcome: .failed, message: "boom")
        test.frames = frames
        test.line = line
        return SuiteResult(tests: [test, SuiteResult.Test(name: "suite/test_t.py::test_ok", outcome: .passed)])
    }

    @Test("a failure inside a callee is the callee's, not the caller's whose test it was")
    func callee() throws {
        let file = try #require(layout()["text/tools.py"])
        let normLine =
            try #require(
                file.text.split(separator: "\n", omittingEmptySubsequences: false)
                    .firstIndex { $0.contains("return s.x") }) + 1
        let countLine =
            try #require(
                file.text.split(separator: "\n", omittingEmptySubsequences: false)
                    .firstIndex { $0.contains("return len") }) + 1
        let result = SuiteAttribution.attribute(
            failing(
                frames: [
                    .init(file: "text/tools.py", line: countLine, function: "count"),
                    .init(file: "text/tools.py", line: normLine, function: "norm"),
                ], line: "assert count(' a ') == 1"), plan: plan, layout: layout())
        #expect(result.tests[0].atoms == ["norm"])
        #expect(result.tests[1].atoms == nil)
        #expect(SuiteAttribution.implicated(result).keys.sorted() == ["norm"])
    }

    @Test("a wrong value never raised in the tree: the atoms the failing line calls; nothing called, nothing pinned")
    func calledNames() {
        let called = SuiteAttribution.attribute(
            failing(frames: [], line: "assert count(' a ') == 1"), plan: plan, layout: layout())
        #expect(called.tests[0].atoms == ["count"])
        let neither = SuiteAttribution.attribute(
            failing(frames: [], line: "assert fixture_value == 1"), plan: plan, layout: layout())
        #expect(neither.tests[0].atoms == nil)
        #expect(SuiteAttribution.calls("x = recount(2)", "count") == false)
        #expect(SuiteAttribution.calls("x = obj.count(2)", "count"))
    }

    @Test("the drivers' outcomes are read as such; one they do not give counts as an error, its word kept")
    func reportedOutcomes() {
        let result = SuiteRunner.result(of: [
            "exit": 1,
            "tests": [
                ["name": "t::a", "outcome": "passed"], ["name": "t::b", "outcome": "failed", "message": "boom"],
                ["name": "t::c", "outcome": "skipped"], ["name": "t::d", "outcome": "todo"],
            ],
        ])
        #expect(result.tests.map(\.outcome) == [.passed, .failed, .skipped, .error])
        #expect((result.passed, result.failed, result.skipped, result.errored) == (1, 1, 1, 1))
        #expect(result.tests.last?.message == "the runner reported 'todo'")
        #expect(result.failing.map(\.name) == ["t::b", "t::d"])
    }
}
