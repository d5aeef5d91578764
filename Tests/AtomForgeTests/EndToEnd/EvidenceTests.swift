import AtomForge
import Foundation
import Testing

/// What a `passed` rests on, through the real binary, the scripted server over HTTP and the real sandboxed Python:
/// the description's examples run as checks, code with no tests still loaded, candidates compared by what they do on
/// inputs the model proposes, and `validation.require` holding back an atom on too little evidence.
@Suite("evidence end to end", .serialized)
struct EvidenceTests: EndToEndSuite {
    let server: ScriptedServer
    let folder: URL

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.temporaryFolder("evidence")
    }

    /// pipeline.yaml for the scripted server: a first sample, then two candidates at once; `extra` appended.
    func config(maxAttempts: Int = 3, extra: String = "") throws {
        try writeConfig(
            retries: 1,
            """
            generation:
              max_attempts: \(maxAttempts)
              ladder:
                - {kind: sample, temperature: 0.2}
                - {kind: sample, temperature: 0.8, candidates: 2}
            execution:
              max_workers: 1
            \(extra)
            """)
    }

    func run() async throws -> CommandRunner.Outcome {
        try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
    }

    @Test("with no tests, three candidates run on proposed inputs: the two that agree win, and the report says so")
    func agreement() async throws {
        // Four calls: three candidates and the proposal of inputs, which counts against max_attempts.
        try config(maxAttempts: 4, extra: "evidence: {agreement: {candidates: 3, expectations: true}}")
        try write(
            """
            plan: vote
            language: python
            atoms:
              - {id: larger, name: larger, description: "Returns the larger of the numbers a and b.", file: m.py}
            """, to: "plan.yaml")
        // The first candidate is wrong; the two of the second step agree with each other (in different words).
        try await server.script(
            [
                reply("def larger(a, b):\n    return a"), reply("def larger(a, b):\n    return max(a, b)", delay: 50),
                reply("def larger(a, b):\n    return a if a > b else b", delay: 200),
            ], match: "defines `larger`")
        try await server.script(
            [["reply": "```python\nassert larger(1, 2) == 2\nlarger(5, 3)\nassert larger(0, 0) == 7\n```"]],
            match: "different assertions for")
        let outcome = try await run()
        #expect(outcome.status == 0, "\(outcome.standardOutput)\n\(outcome.standardError)")
        let requests = try await server.requests()
        #expect(requests.filter { $0.lastUserText.contains("defines `larger`") }.count == 3)
        let proposals = requests.filter {
            $0.lastUserText.contains("different assertions for the Python function `larger`")
        }
        #expect(proposals.count == 1)
        // The proposal is asked from the description alone, never from a candidate's code.
        #expect(proposals.first.map { !$0.lastUserText.contains("return") } == true)
        let report = try json("outbox/vote/atoms/larger/report.json")
        let evidence = try #require(report["evidence"] as? [String: Any])
        #expect(evidence["level"] as? String == "agreement")
        #expect(evidence["attempt"] as? Int == 2)
        let agreement = try #require(evidence["agreement"] as? [String: Any])
        #expect(agreement["candidates"] as? Int == 3)
        #expect(agreement["group"] as? Int == 2)
        #expect((agreement["inputs"] as? Int ?? 0) >= 3)
        #expect(agreement["members"] as? [[Int]] == [[2, 3], [1]])
        // The model's two expected values: the winners meet one (larger(1, 2) == 2), no candidate the other.
        #expect(agreement["expectations"] as? Int == 2)
        #expect(agreement["expectations_met"] as? Int == 1)
        #expect(report["evidence_calls"] as? Int == 1)
        let records = try #require(report["evidence_call_records"] as? [[String: Any]])
        #expect(records.first?["expected"] as? [String] == ["larger(1, 2) == 2", "larger(0, 0) == 7"])
        let code = try String(contentsOf: folder.appendingPathComponent("outbox/vote/src/m.py"), encoding: .utf8)
        // Either of the two that agree (the server answers the two requests of step 2 in the order they come).
        #expect(code.contains("max(a, b)") || code.contains("a if a > b else b"), "\(code)")
        let summary = try json("outbox/vote/summary.json")
        #expect(summary["evidence"] as? [String: Int] == ["agreement": 1])
        #expect(summary["evidence_calls"] as? Int == 1)
        let markdown = try String(
            contentsOf: folder.appendingPathComponent("outbox/vote/summary.md"), encoding: .utf8)
        #expect(markdown.contains("agreement: 1 atom"))
    }

    @Test("an example in the description is a check: code that misses it fails with the example, the next passes")
    func examples() async throws {
        try config(extra: "evidence: {agreement: {candidates: 0}}")
        try write(
            """
            plan: ex
            language: python
            atoms:
              - id: double
                name: double
                description: |
                  Doubles n.
                  >>> double(3)
                  6
                file: m.py
            """, to: "plan.yaml")
        try await server.script(
            [reply("def double(n):\n    return n + 2"), reply("def double(n):\n    return n * 2")],
            match: "defines `double`")
        let outcome = try await run()
        #expect(outcome.status == 0, "\(outcome.standardOutput)\n\(outcome.standardError)")
        let report = try json("outbox/ex/atoms/double/report.json")
        let attempts = try #require(report["attempts"] as? [[String: Any]])
        #expect(attempts.first?["passed"] as? Bool == false)
        let issues = attempts.first?["issues"] as? [[String: Any]] ?? []
        #expect(issues.contains { ($0["message"] as? String ?? "").contains("assert double(3) == 6") })
        let evidence = try #require(report["evidence"] as? [String: Any])
        #expect(evidence["level"] as? String == "examples")
        #expect(evidence["examples"] as? Int == 1)
    }

    @Test("code with no tests is still imported: a bad import fails it, and what passes rests on `loaded`")
    func loaded() async throws {
        try config(extra: "evidence: {agreement: {candidates: 0}}")
        try write(
            """
            plan: ld
            language: python
            atoms:
              - {id: total, name: total, description: "The product of a list of numbers.", file: m.py}
            """, to: "plan.yaml")
        try await server.script(
            [
                reply("from collections import reduce\n\ndef total(xs):\n    return reduce(lambda a, b: a * b, xs, 1)"),
                reply("from functools import reduce\n\ndef total(xs):\n    return reduce(lambda a, b: a * b, xs, 1)"),
            ], match: "defines `total`")
        let outcome = try await run()
        #expect(outcome.status == 0, "\(outcome.standardOutput)\n\(outcome.standardError)")
        let report = try json("outbox/ld/atoms/total/report.json")
        let attempts = try #require(report["attempts"] as? [[String: Any]])
        #expect(attempts.count == 3 || attempts.count == 2)
        let first = attempts.first?["issues"] as? [[String: Any]] ?? []
        #expect(first.contains { ($0["message"] as? String ?? "").contains("ImportError") })
        #expect((report["evidence"] as? [String: Any])?["level"] as? String == "loaded")
    }

    @Test("validation.require holds back an atom whose checks passed on less: it fails and goes to review")
    func required() async throws {
        try config(maxAttempts: 1, extra: "validation: {require: examples}\nevidence: {agreement: {candidates: 0}}")
        try write(
            """
            plan: rq
            language: python
            atoms:
              - {id: one, name: one, description: "Returns one.", file: m.py}
            """, to: "plan.yaml")
        try await server.script([reply("def one():\n    return 1")], match: "defines `one`")
        let outcome = try await run()
        #expect(outcome.status == 1, "\(outcome.standardOutput)\n\(outcome.standardError)")
        let report = try json("outbox/rq/atoms/one/report.json")
        #expect(report["status"] as? String == "failed")
        #expect((report["reason"] as? String ?? "").contains("validation.require asks for examples"))
        #expect((report["evidence"] as? [String: Any])?["level"] as? String == "loaded")
        let review = try String(contentsOf: folder.appendingPathComponent("outbox/rq/review/one.md"), encoding: .utf8)
        #expect(review.contains("## Evidence"))
        #expect(review.contains("loaded"))
    }

    @Test("the assembled tree must import: an atom that redefines another's function fails, named, and src/ imports")
    func assembledTree() async throws {
        try config(extra: "evidence: {agreement: {candidates: 0}}")
        try write(
            """
            plan: tree
            language: python
            atoms:
              - {id: norm, name: norm, description: "Strips s.", file: text/tools.py}
              - {id: count, name: count, description: "The length of s.", file: text/tools.py}
            """, to: "plan.yaml")
        try await server.script([reply("def norm(s):\n    return s.strip()")], match: "defines `norm`")
        // Its own helper of the same name: alone it loads; in the file it would replace `norm`.
        try await server.script(
            [reply("def norm(s):\n    return s\n\n\ndef count(s):\n    return len(norm(s))")],
            match: "defines `count`")
        let outcome = try await run()
        #expect(outcome.status == 1, "\(outcome.standardOutput)\n\(outcome.standardError)")
        let report = try json("outbox/tree/atoms/count/report.json")
        #expect(report["status"] as? String == "failed")
        let reason = report["reason"] as? String ?? ""
        #expect(reason.contains("src/text/tools.py"), "\(reason)")
        #expect(reason.contains("`norm` is defined twice"), "\(reason)")
        #expect(try json("outbox/tree/atoms/norm/report.json")["status"] as? String == "passed")
        let source = try String(
            contentsOf: folder.appendingPathComponent("outbox/tree/src/text/tools.py"), encoding: .utf8)
        #expect(source.components(separatedBy: "def norm").count == 2, "norm once: \(source)")
        #expect(source.contains("atom 'count' (count) failed"))
        let summary = try json("outbox/tree/summary.json")
        #expect(summary["src_problems"] == nil)
        #expect((summary["counts"] as? [String: Int])?["failed"] == 1)
    }

    @Test("a JavaScript file of the tree is loaded too: an atom that redeclares another's function fails, named")
    func assembledJavaScriptTree() async throws {
        try config(extra: "evidence: {agreement: {candidates: 0}}")
        try write(
            """
            plan: jstree
            language: javascript
            atoms:
              - {id: norm, name: norm, description: "Trims s.", file: text/tools.js}
              - {id: count, name: count, description: "The length of s.", file: text/tools.js, depends_on: [norm]}
            """, to: "plan.yaml")
        func js(_ code: String) -> [String: any Sendable] { ["reply": "```javascript\n\(code)\n```"] }
        try await server.script([js("function norm(s) {\n  return s.trim();\n}")], match: "defines `norm`")
        try await server.script(
            [js("function norm(s) {\n  return s;\n}\n\nfunction count(s) {\n  return norm(s).length;\n}")],
            match: "defines `count`")
        let outcome = try await run()
        #expect(outcome.status == 1, "\(outcome.standardOutput)\n\(outcome.standardError)")
        let report = try json("outbox/jstree/atoms/count/report.json")
        #expect(report["status"] as? String == "failed")
        let reason = report["reason"] as? String ?? ""
        #expect(reason.contains("src/text/tools.js") && reason.contains("`norm` is defined twice"), "\(reason)")
        #expect(try json("outbox/jstree/atoms/norm/report.json")["status"] as? String == "passed")
        let source = try String(
            contentsOf: folder.appendingPathComponent("outbox/jstree/src/text/tools.js"), encoding: .utf8)
        #expect(source.components(separatedBy: "function norm").count == 2, "norm once: \(source)")
    }
}
