import AtomForge
import Foundation
import Testing

/// The scratch folders of a process's long-lived sandboxed services (the warm parser's and runner's) go with it.
@Suite("scratch folders")
struct ScratchCleanupTests {
    @Test("a run leaves no scratch folder of its own behind when it exits")
    func noneLeft() async throws {
        let server = try await ScriptedServer.start()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scratch-\(UUID().uuidString)")
        let temporary = folder.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        try """
        provider:
          base_url: \(server.baseURL)/v1
          max_retries: 1
        """.write(to: folder.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
        try """
        plan: scratch
        language: python
        atoms:
          - {id: one, name: one, description: "Returns 1.", tests: "assert one() == 1"}
        """.write(to: folder.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
        try await server.script([["reply": "```python\ndef one():\n    return 1\n```"]], match: "defines `one`")
        var environment = ProcessInfo.processInfo.environment
        environment["TMPDIR"] = temporary.path
        let outcome = try await CommandRunner.atomforge(
            ["run", "plan.yaml"], in: folder.path, environment: environment)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let scratch = temporary.appendingPathComponent("atomforge-\(getuid())").path
        #expect(FileManager.default.fileExists(atPath: scratch), "the run used the scratch parent")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch) == [])
    }
}
