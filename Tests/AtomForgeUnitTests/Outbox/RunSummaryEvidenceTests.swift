import AtomForgeTestSupport
import Testing

@testable import AtomForge

@Suite("summaries and evidence")
struct RunSummaryEvidenceTests {
    func passed(_ id: String, _ level: EvidenceLevel) -> AtomResult {
        var result = AtomResult(id: id, status: .passed, code: "def \(id)():\n    return 1")
        result.evidence = Evidence(level: level)
        return result
    }

    @Test("summary.md lists what needs a person first: atoms that did not pass, then the weakest evidence up")
    func reviewOrder() {
        let plan = Plan(
            id: "p",
            atoms: ["tested", "loaded", "broken", "agreed", "parsed"].map { TestEngine.atom($0, file: "m.py") })
        let outcome = PlanOutcome(
            results: [
                "tested": passed("tested", .tests), "loaded": passed("loaded", .loaded),
                "broken": AtomResult(id: "broken", status: .failed, reason: "no"),
                "agreed": passed("agreed", .agreement), "parsed": passed("parsed", .parsed),
            ], duration: .seconds(1))
        let summary = RunSummary(plan: plan, outcome: outcome, provider: ProviderSettings())
        #expect(summary.evidence == ["tests": 1, "loaded": 1, "agreement": 1, "parsed": 1])
        let rows = summary.markdown.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| atom") }
            .map { String($0.split(separator: "|")[0]).trimmingWhitespace() }
        #expect(rows.suffix(5) == ["broken", "parsed", "loaded", "agreed", "tested"], "\(rows)")
        #expect(summary.markdown.contains("- loaded: 1 atom — it ran without error, but nothing checked what it does"))
    }

    @Test("a file of src/ that does not load fails the run and is listed")
    func treeProblems() {
        let plan = Plan(id: "p", atoms: [TestEngine.atom("one", file: "m.py")])
        var outcome = PlanOutcome(results: ["one": passed("one", .tests)], duration: .seconds(1))
        outcome.treeProblems = ["src/m.py does not load: ImportError: no"]
        let summary = RunSummary(plan: plan, outcome: outcome, provider: ProviderSettings())
        #expect(summary.status == .failed)
        #expect(summary.srcProblems == ["src/m.py does not load: ImportError: no"])
        #expect(summary.markdown.contains("The generated tree does not load:\n\n- src/m.py does not load"))
    }
}
