import Foundation
import Testing

/// A provider that ignores `max_tokens` and sends megabytes of code, through the real binary and the scripted
/// server: the code is never validated, never written whole, never sent back in a prompt, and the ladder goes on.
@Suite("unbounded replies", .serialized)
struct UnboundedReplyTests {
    @Test("a 6 MB code block fails as too long, unvalidated; the report keeps its beginning; the next sample passes")
    func megabytesOfCode() async throws {
        let server = try await ScriptedServer.start()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("huge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
        provider:
          base_url: \(server.baseURL)/v1
          max_retries: 1
        generation:
          max_attempts: 3
          ladder:
            - {kind: sample, temperature: 0.2}
            - {kind: repair, temperature: 0.8, repair_on: [any]}
        """.write(to: folder.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
        try """
        plan: huge
        language: python
        atoms:
          - {id: one, name: one, description: "returns 1", file: one.py, estimated_loc: 3, tests: "assert one() == 1"}
        """.write(to: folder.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
        let filler = String(repeating: "x = 1  # padding\n", count: 370_000)
        try await server.script(
            [
                ["reply": "```python\ndef one():\n    return 1\n" + filler + "```"],
                ["reply": "```python\ndef one():\n    return 1\n```"],
            ], match: "defines `one`")
        let run = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")

        let reportURL = folder.appendingPathComponent("outbox/huge/atoms/one/report.json")
        let size = try FileManager.default.attributesOfItem(atPath: reportURL.path)[.size] as? Int ?? .max
        #expect(size < 400_000, "the report keeps the beginning of the reply, not 6 MB: \(size) bytes")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: reportURL)) as? [String: Any])
        let attempts = try #require(report["attempts"] as? [[String: Any]])
        #expect(attempts.count == 2)
        #expect(attempts[0]["failure"] as? String == "too_long")
        let issues = attempts[0]["issues"] as? [[String: Any]] ?? []
        #expect(issues.first?["validator"] as? String == "size")
        #expect((issues.first?["message"] as? String)?.contains("more than an atom of this size may have") == true)
        #expect((attempts[0]["code"] as? String)?.utf8.count ?? .max < 9_000, "8 KiB for a 3-line atom, and a note")
        #expect(attempts[1]["passed"] as? Bool == true)
        // The repair prompt carried the kept beginning only.
        let requests = try await server.requests()
        #expect(requests.count == 2)
        #expect(requests.last.map { $0.lastUserText.utf8.count < 20_000 } == true)
        await server.server.stop()
    }
}
