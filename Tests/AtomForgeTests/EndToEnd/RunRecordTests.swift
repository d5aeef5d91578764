import AtomForge
import Foundation
import Testing

/// A run folder remembers how it was made (`run.json`, `config.yaml`): `retry` and `accept` go on with it from any
/// directory without `--config`, and the commands AtomForge suggests work when pasted. Through the real binary and
/// the scripted server over HTTP.
@Suite("a run folder that remembers", .serialized)
struct RunRecordTests {
    let server: ScriptedServer
    /// Where the plan and its config live: the config under another name than pipeline.yaml, in a folder of its own.
    let project: URL
    /// Another directory, with no pipeline.yaml: where the later commands run.
    let elsewhere: URL
    var configFile: URL { project.appendingPathComponent("settings/forge.yaml") }
    var runFolder: URL { project.appendingPathComponent("settings/outbox/flow") }

    init() async throws {
        server = try await ScriptedServer.start()
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("record-\(UUID().uuidString)")
        project = base.appendingPathComponent("project")
        elsewhere = base.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try write(
            """
            provider:
              base_url: \(server.baseURL)/v1
              model: scripted-model
              max_retries: 1
            generation:
              max_attempts: 2
              ladder:
                - {kind: sample, temperature: 0.2}
            evidence: {agreement: {candidates: 0}}
            """, to: configFile)
        try write(
            """
            plan: flow
            language: python
            atoms:
              - {id: base, name: base, description: "returns 1", file: flow/base.py, tests: "assert base() == 1"}
              - {id: broken, name: broken, description: "returns 2", file: flow/broken.py,
                 tests: "assert broken() == 2"}
              - {id: after, name: after, description: "broken() + 1", file: flow/broken.py, depends_on: [broken],
                 tests: "assert after() == 3"}
            """, to: project.appendingPathComponent("plan.yaml"))
    }

    func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func reply(_ code: String) -> [String: any Sendable] {
        ["reply": "```python\n\(code)\n```"]
    }

    func record() throws -> [String: Any] {
        let data = try Data(contentsOf: runFolder.appendingPathComponent("run.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// `run` in the project with `--config settings/forge.yaml`: `base` passes, `broken` fails, `after` is blocked.
    func runWithAFailure() async throws -> CommandRunner.Outcome {
        try await server.script([reply("def base():\n    return 1")], match: "defines `base`")
        try await server.script(
            Array(repeating: reply("def broken():\n    return 1"), count: 2), match: "defines `broken`")
        let run = try await CommandRunner.atomforge(
            ["run", "plan.yaml", "--config", "settings/forge.yaml"], in: project.path)
        #expect(run.status == 1, "\(run.standardOutput)\n\(run.standardError)")
        return run
    }

    @Test("run.json names the config, the model and the version; config.yaml is the config's text")
    func recorded() async throws {
        _ = try await runWithAFailure()
        let jobs = try #require(try record()["jobs"] as? [[String: Any]])
        #expect(try record()["schema_version"] as? Int == 1)
        #expect(jobs.count == 1)
        let job = try #require(jobs.first)
        #expect(job["config"] as? String == configFile.standardizedFileURL.path, "\(job)")
        #expect(job["config_directory"] as? String == configFile.deletingLastPathComponent().path, "\(job)")
        #expect(job["model"] as? String == "scripted-model" && job["provider"] as? String == "openai", "\(job)")
        #expect(job["base_url"] as? String == "\(server.baseURL)/v1", "\(job)")
        #expect(job["atomforge_version"] as? String == AtomForgeVersion.current, "\(job)")
        #expect((job["started_at"] as? String)?.hasPrefix("20") == true, "\(job)")
        let copy = try String(contentsOf: runFolder.appendingPathComponent("config.yaml"), encoding: .utf8)
        #expect(try copy == String(contentsOf: configFile, encoding: .utf8))
    }

    @Test("retry from another directory, without --config, goes on with the config the run was made with")
    func retryFromElsewhere() async throws {
        _ = try await runWithAFailure()
        try await server.script([reply("def broken():\n    return 2")], match: "defines `broken`")
        try await server.script([reply("def after():\n    return broken() + 1")], match: "defines `after`")
        let retry = try await CommandRunner.atomforge(["retry", runFolder.path], in: elsewhere.path)
        #expect(retry.status == 0, "\(retry.standardOutput)\n\(retry.standardError)")
        #expect(
            retry.standardError.contains(
                "using the config this run was made with: \(configFile.standardizedFileURL.path)"),
            "\(retry.standardError)")
        #expect(try record()["jobs"] as? [[String: Any]] != nil)
        #expect(try (record()["jobs"] as? [[String: Any]])?.count == 2)
        #expect(!FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("outbox").path))
    }

    @Test("the retry command a run suggests works when pasted where the run was made (no pipeline.yaml there)")
    func suggestedCommand() async throws {
        let first = try await runWithAFailure()
        let suggested = try #require(
            first.standardOutput.firstMatch(of: /`atomforge (retry [^`]+)`/).map { String($0.output.1) },
            "\(first.standardOutput)")
        #expect(suggested == "retry \(runFolder.path)", "\(first.standardOutput)")
        try await server.script([reply("def broken():\n    return 2")], match: "defines `broken`")
        try await server.script([reply("def after():\n    return broken() + 1")], match: "defines `after`")
        let retry = try await CommandRunner.atomforge(
            suggested.split(separator: " ").map(String.init), in: project.path)
        #expect(retry.status == 0, "\(retry.standardOutput)\n\(retry.standardError)")
    }

    @Test("with the config file gone, accept from another directory uses the run folder's copy of it")
    func acceptWithTheConfigGone() async throws {
        _ = try await runWithAFailure()
        try FileManager.default.removeItem(at: configFile)
        let fix = elsewhere.appendingPathComponent("broken.py")
        try "def broken():\n    return 2\n".write(to: fix, atomically: true, encoding: .utf8)
        // The atom it unblocks is generated by the model of the copy.
        try await server.script([reply("def after():\n    return broken() + 1")], match: "defines `after`")
        let accept = try await CommandRunner.atomforge(
            ["accept", runFolder.path, "broken", fix.path], in: elsewhere.path)
        #expect(accept.status == 0, "\(accept.standardOutput)\n\(accept.standardError)")
        #expect(accept.standardError.contains("cannot be read any more: using its copy"), "\(accept.standardError)")
        #expect(accept.standardError.contains("\(runFolder.path)/config.yaml"), "\(accept.standardError)")
        let summary =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: runFolder.appendingPathComponent("summary.json"))) as? [String: Any]
        #expect((summary?["counts"] as? [String: Int])?["passed"] == 3, "\(String(describing: summary))")
    }

    @Test("accept of a passed atom without a file says it passed and how to replace it, not that a file is missing")
    func passedAtom() async throws {
        _ = try await runWithAFailure()
        let accept = try await CommandRunner.atomforge(["accept", runFolder.path, "base"], in: elsewhere.path)
        #expect(accept.status == 2, "\(accept.standardOutput)\n\(accept.standardError)")
        #expect(accept.standardError.contains("atom base has passed already"), "\(accept.standardError)")
        #expect(
            accept.standardError.contains("give your file: atomforge accept \(runFolder.path) base FILE"),
            "\(accept.standardError)")
        #expect(!accept.standardError.contains("cannot read"), "\(accept.standardError)")
    }
}
