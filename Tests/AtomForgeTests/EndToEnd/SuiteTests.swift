import AtomForge
import Foundation
import Testing

/// A plan's own suite through the real binary, the scripted server over HTTP and the real pytest in the sandbox.
@Suite("a plan's suite end to end", .serialized)
struct SuiteTests {
    let server: ScriptedServer
    let folder: URL

    init() async throws {
        server = ScriptedServer(try await ServerProcess.scripted())
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("suite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
        provider:
          base_url: \(server.baseURL)/v1
          max_retries: 1
        generation:
          max_attempts: 2
        evidence: {agreement: {candidates: 0}}
        execution:
          max_workers: 1
        """.write(to: folder.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
    }

    func plan(_ name: String, test: String) throws {
        try """
        plan: \(name)
        language: python
        atoms:
          - {id: norm, name: norm, description: "Strips s and lowers it.", file: text/tools.py}
        suite:
          - name: test_tools.py
            code: |
              from text.tools import norm
              def test_norm():
                  assert norm(" A ") == \(test)
        """.write(to: folder.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
    }

    func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent(path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test(
        "the suite runs on src/ at the end: a failing test fails the run (exit 1) and is listed; a passing one passes")
    func suiteJudgesTheTree() async throws {
        // The atom passes alone (nothing of its own checks what it does); the suite finds it does not lower.
        try await server.script(
            [["reply": "```python\ndef norm(s):\n    return s.strip()\n```"]], match: "defines `norm`")
        try plan("failing", test: "\"a\"")
        let failing = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(failing.status == 1, "\(failing.standardOutput)\n\(failing.standardError)")
        let summary = try json("outbox/failing/summary.json")
        #expect(summary["status"] as? String == "failed")
        let suite = try #require(summary["suite"] as? [String: Any])
        #expect(suite["passed"] as? Int == 0 && suite["failed"] as? Int == 1, "\(suite)")
        let tests = try #require(suite["tests"] as? [[String: Any]])
        #expect(tests.first?["name"] as? String == "suite/test_tools.py::test_norm")
        #expect((tests.first?["message"] as? String ?? "").contains("assert 'A' == 'a'"), "\(tests)")
        #expect((summary["counts"] as? [String: Int])?["passed"] == 1)
        let markdown = try String(
            contentsOf: folder.appendingPathComponent("outbox/failing/summary.md"), encoding: .utf8)
        #expect(markdown.contains("The plan's suite on `src/`: 0 passed, 1 failed."), "\(markdown)")
        #expect(markdown.contains("`suite/test_tools.py::test_norm` failed"))

        try await server.script(
            [["reply": "```python\ndef norm(s):\n    return s.strip()\n```"]], match: "defines `norm`")
        try plan("passing", test: "\"A\"")
        let passing = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(passing.status == 0, "\(passing.standardOutput)\n\(passing.standardError)")
        let passed = try #require(try json("outbox/passing/summary.json")["suite"] as? [String: Any])
        #expect(passed["passed"] as? Int == 1 && passed["failed"] as? Int == 0)
    }
}
