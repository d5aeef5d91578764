import AtomForge
import Foundation
import Testing

/// `atomforge prompt`: the first request for an atom, printed without sending it, is the request a run sends: the
/// body the scripted server received over HTTP for the atom's first attempt, through both provider APIs.
@Suite("atomforge prompt", .serialized)
struct PromptCommandTests: EndToEndSuite {
    let server: ScriptedServer
    let folder: URL

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.temporaryFolder("prompt")
        try write(
            """
            plan: shown
            language: python
            atoms:
              - {id: base, name: base, description: "returns 1", file: pkg/a.py, tests: "assert base() == 1"}
              - {id: uses, name: uses, description: "base() + 1", file: pkg/a.py, depends_on: [base],
                 tests: "assert uses() == 2"}
            """, to: "plan.yaml")
    }

    func config(kind: String) throws {
        let base = kind == "anthropic" ? server.baseURL : server.baseURL + "/v1"
        try write(
            """
            provider:
              kind: \(kind)
              base_url: \(base)
              model: shown-model
              api_key_env: PROMPT_TEST_KEY_THAT_IS_NOT_SET
              max_retries: 0
            generation:
              max_attempts: 1
              ladder:
                - {kind: sample, temperature: 0.3}
            evidence: {agreement: {candidates: 0}}
            """, to: "pipeline-\(kind).yaml")
    }

    @Test(
        "the printed body is the body a run sends, dependencies' code included with --run",
        arguments: ["openai", "anthropic"])
    func exactRequest(kind: String) async throws {
        try config(kind: kind)
        let preview = try await CommandRunner.atomforge(
            ["prompt", "plan.yaml", "uses", "--config", "pipeline-\(kind).yaml", "--output-format", "json"],
            in: folder.path)
        #expect(preview.status == 0, "\(preview.standardError)")
        #expect(preview.standardError.contains("dependencies without code yet: base"), "\(preview.standardError)")
        // With the run's passed code, it is the request the run sent.
        try await server.script([["reply": "```python\ndef base():\n    return 1\n```"]], match: "defines `base`")
        try await server.script(
            [["reply": "```python\ndef uses():\n    return base() + 1\n```"]], match: "defines `uses`")
        var environment = ProcessInfo.processInfo.environment
        environment["PROMPT_TEST_KEY_THAT_IS_NOT_SET"] = "sk-test"
        let run = try await CommandRunner.atomforge(
            ["run", "plan.yaml", "--config", "pipeline-\(kind).yaml"], in: folder.path, environment: environment)
        #expect(run.status == 0, "\(run.standardError)")
        let sent = try #require(try await server.requests().first { $0.lastUserText.contains("defines `uses`") })
        let shown = try await CommandRunner.atomforge(
            [
                "prompt", "plan.yaml", "uses", "--config", "pipeline-\(kind).yaml", "--run", "outbox/shown",
                "--output-format", "json",
            ], in: folder.path)
        #expect(shown.status == 0, "\(shown.standardError)")
        #expect(!shown.standardError.contains("without code"), "\(shown.standardError)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(shown.standardOutput.utf8)) as? [String: Any])
        let body = try #require(object["body"] as? [String: Any])
        #expect(NSDictionary(dictionary: body).isEqual(to: sent.body), "shown: \(body)\nsent: \(sent.body)")
        #expect((object["url"] as? String)?.hasPrefix(server.baseURL) == true)
        #expect(!shown.standardOutput.contains("sk-test"))
        // As text: the system prompt and the message, the dependency's code in it.
        let text = try await CommandRunner.atomforge(
            ["prompt", "plan.yaml", "uses", "--config", "pipeline-\(kind).yaml", "--run", "outbox/shown"],
            in: folder.path)
        #expect(text.standardOutput.contains("--- user ---\nWrite the python code that defines `uses`."), "\(text)")
        #expect(text.standardOutput.contains("def base():"), "\(text.standardOutput)")
    }

    @Test("an unknown atom is refused, named")
    func refusals() async throws {
        try config(kind: "openai")
        let unknown = try await CommandRunner.atomforge(
            ["prompt", "plan.yaml", "usse", "--config", "pipeline-openai.yaml"], in: folder.path)
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("usse"), "\(unknown.standardError)")
    }
}
