import Foundation
import Testing

/// The run page (`outbox/<plan>/index.html`) of a real run, opened in headless Chromium from `file://`: what a person
/// sees there — the counts, the graph coloured by status, an atom's attempts side by side with the diff between them,
/// highlighted code, and for a failed atom the command that accepts a fix. Real binary, scripted server over HTTP,
/// real validators, a real browser; a screenshot is kept in `.build/test-artifacts/`.
@Suite("run page in a browser", .serialized)
struct RunPageBrowserTests: EndToEndSuite {
    let server: ScriptedServer
    let folder: URL

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.temporaryFolder("run-page")
        try writeConfig(
            retries: 1,
            """
            generation:
              max_attempts: 2
              ladder:
                - {kind: sample, temperature: 0.2}
            execution:
              max_workers: 2
            """)
        try write(
            """
            plan: flow
            description: "A plan with one atom that fails <on purpose>"
            language: python
            atoms:
              - {id: base, name: base, description: "returns 1", file: flow/base.py, tests: "assert base() == 1"}
              - {id: broken, name: broken, description: "returns 2", file: flow/broken.py,
                 tests: "assert broken() == 2"}
              - {id: after, name: after, description: "broken() + 1", file: flow/broken.py, depends_on: [broken],
                 tests: "assert after() == 3"}
            """, to: "plan.yaml")
    }

    var page: URL { folder.appendingPathComponent("outbox/flow/index.html") }

    func pageURL(fragment: String? = nil) -> URL {
        var components = URLComponents(url: page, resolvingAgainstBaseURL: false)!
        components.fragment = fragment
        return components.url!
    }

    /// The text of the first element whose opening tag contains `marker`, tags stripped.
    func text(after marker: String, in dom: String) -> String? {
        guard let start = dom.range(of: marker) else { return nil }
        guard let close = dom[start.upperBound...].firstIndex(of: ">") else { return nil }
        let rest = dom[dom.index(after: close)...]
        let end = rest.firstIndex(of: "<") ?? rest.endIndex
        return String(rest[..<end])
    }

    func count(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test("a failed run's page: counts, graph, an atom's attempts and diff, the accept command, a screenshot")
    func failedRun() async throws {
        try await server.script([reply("def base():\n    return 1")], match: "defines `base`")
        try await server.script(
            [reply("def broken():\n    return 1"), reply("def broken():\n    value = 3\n    return value")],
            match: "defines `broken`")
        let run = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(run.status == 1, "\(run.standardOutput)\n\(run.standardError)")

        // The overview, as the browser built it.
        let overview = try await HeadlessChromium.dom(of: pageURL())
        #expect(overview.contains("data-state=\"finished\""))
        #expect(text(after: "data-count=\"passed\"", in: overview) == "1")
        #expect(text(after: "data-count=\"failed\"", in: overview) == "1")
        #expect(text(after: "data-count=\"blocked\"", in: overview) == "1")
        #expect(text(after: "data-count=\"total\"", in: overview) == "3")
        #expect(text(after: "id=\"run-status\"", in: overview) == "failed")
        #expect(overview.contains("class=\"node passed\" data-atom=\"base\""))
        #expect(overview.contains("class=\"node failed\" data-atom=\"broken\""))
        #expect(overview.contains("class=\"node blocked\" data-atom=\"after\""))
        #expect(count(of: "<path d=", in: overview) == 1, "one edge: after depends on broken")
        #expect(overview.contains("A plan with one atom that fails &lt;on purpose&gt;"), "plan text is escaped")
        #expect(overview.contains("id=\"detail\" hidden"), "no atom is open")
        let runFolder = folder.path + "/outbox/flow"
        #expect(overview.contains("atomforge retry \(runFolder)</code>"))

        // The failed atom opened: its attempts side by side, the diff of the second against the first.
        let detail = try await HeadlessChromium.dom(of: pageURL(fragment: "atom-broken"))
        #expect(detail.contains("id=\"overview\" hidden"))
        #expect(text(after: "id=\"atom-status\"", in: detail) == "failed")
        #expect(count(of: "<article class=\"attempt failed", in: detail) == 2)
        #expect(detail.contains("data-attempt=\"1\"") && detail.contains("data-attempt=\"2\""))
        #expect(detail.contains("Changes from attempt 1 (+2 −1)"), "two lines added, one removed")
        #expect(detail.contains("<del>-     return 1</del>"))
        #expect(detail.contains("<ins>+     value = 3</ins>"))
        #expect(detail.contains("<span class=\"token keyword\">def</span>"), "the code is highlighted by Prism")
        #expect(detail.contains("AssertionError") || detail.contains("assert broken() == 2"))
        #expect(text(after: "data-command=\"accept\"", in: detail) == "atomforge accept \(runFolder) broken")
        #expect(text(after: "class=\"edit-file\"", in: detail) == "review/broken.py")
        #expect(detail.contains("<summary>Prompt</summary>") && detail.contains("defines `broken`"))
        #expect(detail.contains("class=\"node failed selected\""), "the graph marks the open atom")

        // A hash naming no atom, or not even valid percent-encoding, shows the overview.
        let malformed = try await HeadlessChromium.dom(of: URL(string: pageURL().absoluteString + "#atom-%E0")!)
        #expect(malformed.contains("id=\"detail\" hidden") && malformed.contains("data-ready-ms="))

        // The blocked one says what it waits on.
        let blocked = try await HeadlessChromium.dom(of: pageURL(fragment: "atom-after"))
        #expect(blocked.contains("Not generated: it waits on"))
        #expect(blocked.contains("No attempts yet"))

        let screenshot = HeadlessChromium.artifacts.appendingPathComponent("run-page-failed-atom.png")
        try? FileManager.default.removeItem(at: screenshot)
        try await HeadlessChromium.screenshot(of: pageURL(fragment: "atom-broken"), to: screenshot, height: 1800)
        let png = try Data(contentsOf: screenshot)
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 10_000, "a PNG of the page")
        print("run page screenshot: \(screenshot.path)")

        // Accepting a fix brings the page up to date: every atom passed, the fix marked as a person's.
        try write("def broken():\n    return 2\n", to: "outbox/flow/review/broken.py")
        try await server.script([reply("def after():\n    return broken() + 1")], match: "defines `after`")
        let accept = try await CommandRunner.atomforge(["accept", "outbox/flow", "broken"], in: folder.path)
        #expect(accept.status == 0, "\(accept.standardOutput)\n\(accept.standardError)")
        let accepted = try await HeadlessChromium.dom(of: pageURL(fragment: "atom-broken"))
        #expect(text(after: "id=\"run-status\"", in: accepted) == "passed")
        #expect(text(after: "data-count=\"passed\"", in: accepted) == "3")
        #expect(text(after: "id=\"atom-status\"", in: accepted) == "passed (by a person)")
        #expect(accepted.contains("by a person, from"))
        await server.server.stop()
    }

    @Test("the page is written as the run starts and rewritten while it goes on")
    func whileRunning() async throws {
        try await server.script([reply("def base():\n    return 1")], match: "defines `base`")
        try await server.script([reply("def broken():\n    return 2", delay: 5000)], match: "defines `broken`")
        try await server.script([reply("def after():\n    return broken() + 1")], match: "defines `after`")
        let folder = self.folder
        let run = Task { try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path) }
        var seen: [String] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let html = try? String(contentsOf: page, encoding: .utf8), html.contains("data-state=\"running\"") {
                let passed = text(after: "data-count=\"passed\"", in: html) ?? "?"
                if seen.last != passed { seen.append(passed) }
                if passed == "1" { break }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(seen.first == "0", "written as the run starts, nothing passed yet: \(seen)")
        #expect(seen.last == "1", "rewritten once base passed, while broken is still generating: \(seen)")
        let html = try String(contentsOf: page, encoding: .utf8)
        #expect(html.contains("id=\"follow\" checked"), "a running page offers to follow the run")
        #expect(html.contains("class=\"node pending\" data-atom=\"broken\""))
        let outcome = try await run.value
        #expect(outcome.status == 0, "\(outcome.standardOutput)\n\(outcome.standardError)")
        let final = try await HeadlessChromium.dom(of: pageURL())
        #expect(final.contains("data-state=\"finished\""))
        #expect(text(after: "data-count=\"passed\"", in: final) == "3")
        #expect(!final.contains("id=\"follow\""))
        await server.server.stop()
    }
}
