import Foundation
import Testing

@testable import AtomForge

@Suite("run page")
struct RunPageTests {
    @Test("a diff shows the changed lines with three lines of context and folds the rest")
    func diffFolds() {
        let old = (1...12).map { "line \($0)" }.joined(separator: "\n")
        let new = old.replacingOccurrences(of: "line 6", with: "line six")
        let diff = LineDiff(from: old, to: new)
        #expect(diff.hasChanges)
        #expect(
            diff.lines == [
                .folded(2), .kept("line 3"), .kept("line 4"), .kept("line 5"), .removed("line 6"), .added("line six"),
                .kept("line 7"), .kept("line 8"), .kept("line 9"), .folded(3),
            ])
        #expect(diff.encoded.first == "@2" && diff.encoded[4] == "-line 6" && diff.encoded[5] == "+line six")
    }

    @Test("the same text twice is no change; text added at the end is only added lines")
    func diffEdges() {
        #expect(!LineDiff(from: "a\nb", to: "a\nb").hasChanges)
        #expect(LineDiff(from: "a\nb", to: "a\nb").lines == [.folded(2)])
        #expect(LineDiff(from: "a", to: "a\nb\nc").lines == [.kept("a"), .added("b"), .added("c")])
        #expect(LineDiff(from: "", to: "x").lines == [.removed(""), .added("x")])
    }

    @Test(
        "the suite on the page: its line, its rounds, each failing test with the atoms it implicates; a failing suite fails the run's status"
    )
    func suiteSection() {
        let atom = Atom(id: "norm", name: "norm", description: "d", file: "t.py", language: .named("python"))
        var page = RunPage(
            plan: Plan(id: "p", atoms: [atom]), folder: "out/p", model: "m",
            results: ["norm": AtomResult(id: "norm", status: .passed, attempts: [], code: "def norm(s): return s")])
        #expect(page.overallStatus(.finished) == "passed")
        #expect(!page.html(state: .finished).contains("The plan's suite"))
        var failing = SuiteResult.Test(
            name: "suite/test_t.py::test_norm", outcome: .failed, message: "assert 'A' == 'a'")
        failing.atoms = ["norm"]
        let suite = SuiteResult(tests: [failing, .init(name: "suite/test_t.py::test_ok", outcome: .passed)])
        var outcome = PlanOutcome(results: [:], duration: .zero)
        outcome.suite = suite
        outcome.suiteRounds = [SuiteRound(round: 1, implicated: ["norm"], fixed: [], after: suite)]
        page.verdict = RunPage.TreeVerdict(outcome)
        #expect(page.overallStatus(.finished) == "failed")
        let html = page.html(state: .finished)
        #expect(html.contains("The plan's suite <span class=\"status failed\">failed</span>"))
        #expect(html.contains("1 passed, 1 failed"))
        #expect(html.contains("round 1: norm again; none fixed; then 1 passed, 1 failed"))
        #expect(
            html.contains("<code>suite/test_t.py::test_norm</code> failed, implicates <a href=\"#atom-norm\">norm</a>"))
        #expect(html.contains("assert &#39;A&#39; == &#39;a&#39;") || html.contains("assert 'A' == 'a'"))
    }

    @Test("the graph puts each atom one column right of its deepest dependency")
    func graphColumns() {
        let graph = DependencyGraph(
            ids: ["a", "b", "c", "d"], dependencies: [[], ["a"], ["a", "b"], []])
        let layout = GraphLayout(graph)
        #expect(layout.column == [0, 1, 2, 0])
        // Column 1 holds b and the lane of a → c, which passes it.
        #expect(layout.columnHeights == [2, 2, 1])
    }

    @Test("within a column, atoms follow the rows of what they depend on, so edges do not cross")
    func graphOrder() {
        // Column 1 in plan order (y before x) would cross the edges from a and b.
        let graph = DependencyGraph(ids: ["a", "b", "y", "x"], dependencies: [[], [], ["b"], ["a"]])
        let layout = GraphLayout(graph)
        #expect(layout.row[0] < layout.row[1])
        #expect(layout.row[3] < layout.row[2], "x (on a) above y (on b): \(layout.row)")
    }

    @Test("an edge that spans columns has a lane in each column between, a slot no atom takes")
    func graphLanes() {
        // a → d spans two columns (b and c stand between).
        let graph = DependencyGraph(
            ids: ["a", "b", "c", "d"], dependencies: [[], ["a"], ["b"], ["a", "c"]])
        let layout = GraphLayout(graph)
        #expect(layout.column == [0, 1, 2, 3])
        let long = layout.edges.first { $0.from == 0 && $0.to == 3 }
        #expect(long?.lanes.count == 2, "\(layout.edges)")
        // Each lane is a row of its column that no atom has: b's in column 1, c's in column 2.
        #expect(long?.lanes[0] != layout.row[1] && long?.lanes[1] != layout.row[2], "\(layout)")
        #expect(layout.columnHeights == [1, 2, 2, 1])
        #expect(layout.edges.filter { $0.lanes.isEmpty }.count == 3)
        var page = RunPage(
            plan: Plan(
                id: "p",
                atoms: graph.ids.enumerated().map { index, id in
                    Atom(
                        id: id, name: id, description: "d", file: "m.py", language: .named("python"),
                        dependsOn: graph.dependencies[index].map { graph.ids[$0] })
                }), folder: "out/p", model: "m", results: [:])
        let html = page.html(state: .running)
        #expect(html.components(separatedBy: "marker-end=\"url(#arrow)\"").count == 5, "an arrowhead on each edge")
    }

    @Test("what a model or a plan wrote never becomes markup or ends the page's script")
    func escaping() {
        let hostile = "</script><script>alert(1)</script><!--"
        let atom = Atom(
            id: "evil", name: "evil", description: hostile, file: "x.py", language: .named("python"),
            tests: hostile)
        let plan = Plan(id: "p", description: hostile, atoms: [atom])
        var attempt = AttemptRecord(
            number: 1, temperature: 0.2, maxTokens: 100, tokens: TokenUsage(), latencyS: 0, transportRetries: 0,
            stopReason: "stop", truncated: false, code: hostile, issues: [.init(.error, hostile, validator: "tests")],
            passed: false)
        attempt.reply = hostile
        let result = AtomResult(id: "evil", status: .failed, attempts: [attempt], code: hostile, reason: hostile)
        var page = RunPage(plan: plan, folder: "out/p", model: "m", results: ["evil": result])
        let html = page.html(state: .finished)
        // The page's own scripts: the data, Prism's switch, Prism, the page's script.
        #expect(html.components(separatedBy: "</script>").count - 1 == 4)
        #expect(html.components(separatedBy: "<script").count - 1 == 4)
        #expect(!html.contains("<!--"))
        #expect(html.contains("&lt;/script&gt;&lt;script&gt;alert(1)"), "the description, escaped")
    }

    @Test("the table lists what needs a person first: atoms that did not pass, then passed ones weakest evidence up")
    func evidenceOrder() {
        let atoms = ["tested", "loaded", "broken", "agreed"].map {
            Atom(id: $0, name: $0, description: "d", file: "m.py", language: .named("python"))
        }
        func passed(_ id: String, _ level: EvidenceLevel) -> AtomResult {
            var result = AtomResult(id: id, status: .passed, code: "x = 1")
            result.evidence = Evidence(level: level)
            return result
        }
        let page = RunPage(
            plan: Plan(id: "p", atoms: atoms), folder: "out/p", model: "m",
            results: [
                "tested": passed("tested", .tests), "loaded": passed("loaded", .loaded),
                "broken": AtomResult(id: "broken", status: .failed), "agreed": passed("agreed", .agreement),
            ])
        let table = page.atomTable(state: .finished)
        let order = table.matches(of: /<tr class="[a-z]+" data-atom="([a-z]+)"/).map { String($0.output.1) }
        #expect(order == ["broken", "loaded", "agreed", "tested"])
        #expect(table.contains("<span class=\"evidence loaded\">loaded</span>"))
    }

    @Test("an atom without a result is pending while the run goes on and unfinished once it stopped")
    func pendingThenUnfinished() {
        let atom = Atom(id: "a", name: "a", description: "d", file: "a.py", language: .named("python"))
        var page = RunPage(plan: Plan(id: "p", atoms: [atom]), folder: "out/p", model: "m", results: [:])
        #expect(page.html(state: .running).contains("class=\"node pending\""))
        let stopped = page.html(state: .interrupted)
        #expect(stopped.contains("class=\"node unfinished\""))
        #expect(stopped.contains("\"status\":\"unfinished\""), "the atom's data is encoded again")
        #expect(stopped.contains("atomforge retry out/p"))
    }

    @Test("a quote with a combining mark is still escaped; Windows line ends split into lines")
    func scalarsNotCharacters() {
        #expect(HTMLText.escape("\"\u{301} onmouseover=x") == "&quot;\u{301} onmouseover=x")
        #expect(HTMLText.scriptSafe(json: "<\u{301}/script>") == "\\u003c\u{301}/script>")
        #expect(LineDiff(from: "a\r\nb\r\nc", to: "a\r\nB\r\nc").encoded == [" a", "-b", "+B", " c"])
    }

    @Test("commands name folders as a shell reads them back")
    func shellWords() {
        #expect(ShellWord.quote("outbox/text-kit_2.x") == "outbox/text-kit_2.x")
        #expect(ShellWord.quote("/srv/my runs/flow") == "'/srv/my runs/flow'")
        #expect(ShellWord.quote("it's") == "'it'\\''s'")
    }

    @Test("the final page is the last one written, whatever was scheduled before it")
    func finalPageLast() async throws {
        let atoms = (0..<50).map {
            Atom(id: "a\($0)", name: "a\($0)", description: "d", file: "a.py", language: .named("python"))
        }
        let plan = Plan(id: "p", atoms: atoms)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("page-\(UUID().uuidString).html").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = RunPageWriter(
            page: RunPage(plan: plan, folder: "out/p", model: "m", results: [:]), path: path,
            interval: .milliseconds(1), heartbeat: .milliseconds(5))
        await writer.begin()
        var results: [String: AtomResult] = [:]
        for atom in atoms {
            let result = AtomResult(id: atom.id, status: .passed, code: "x = 1")
            results[atom.id] = result
            await writer.record(result)
            if atom.id == "a25" { try await Task.sleep(for: .milliseconds(3)) }
        }
        await writer.finish(.finished, results: results)
        try await Task.sleep(for: .milliseconds(50))
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains("data-state=\"finished\""))
        #expect(html.contains("data-count=\"passed\">50<"))
        #expect(await writer.errors.isEmpty)
    }
}
