import AtomForge
import Foundation
import Testing

/// `atomforge ping` as a user runs it, against real servers on loopback.
@Suite("atomforge ping", .serialized)
struct PingCommandTests {
    /// Writes a pipeline.yaml for `provider` lines into a fresh folder and returns the folder.
    func configFolder(_ providerLines: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ping-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "provider:\n\(providerLines)\n".write(
            to: folder.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
        return folder.path
    }

    func ping(_ folder: String, environment: [String: String] = [:]) async throws -> CommandRunner.Outcome {
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        return try await CommandRunner.atomforge(
            ["ping", "--config", "pipeline.yaml"], in: folder, environment: merged)
    }

    @Test("prints provider, model, latency and tokens on both APIs", arguments: [ProviderKind.anthropic, .openai])
    func bothAPIs(kind: ProviderKind) async throws {
        let server = try await ServerProcess.llmKatan()
        let url = kind == .anthropic ? server.baseURL : server.baseURL + "/v1"
        let folder = try configFolder(
            "  kind: \(kind.rawValue)\n  base_url: \(url)\n  model: test-model\n  api_key_env: PING_TEST_KEY")
        let outcome = try await ping(folder, environment: ["PING_TEST_KEY": "secret-ping-key"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("provider: \(kind.rawValue) at \(url)"))
        #expect(outcome.standardOutput.contains("model:    test-model"))
        #expect(outcome.standardOutput.contains("latency:  "))
        #expect(
            outcome.standardOutput.range(of: #"tokens:   [1-9][0-9]* in, [1-9][0-9]* out"#, options: .regularExpression)
                != nil)
        #expect(!(outcome.standardOutput + outcome.standardError).contains("secret-ping-key"))
        await server.stop()
    }

    @Test("a missing key variable is named, and no request is made")
    func missingKey() async throws {
        let server = try await ServerProcess.llmKatan()
        let folder = try configFolder(
            "  kind: anthropic\n  base_url: \(server.baseURL)\n  model: m\n  api_key_env: NOT_SET_ANYWHERE_42")
        let outcome = try await ping(folder)
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("the environment variable NOT_SET_ANYWHERE_42 is not set"))
        let stats = try await TestClients.transport.send(HTTPRequest(url: server.baseURL + "/stats"))
        #expect(stats.bodyText.contains("\"total\":0"))
        await server.stop()
    }

    @Test("a refused connection says nothing is listening")
    func refused() async throws {
        let port = try ServerProcess.freePort()
        let folder = try configFolder("  base_url: http://127.0.0.1:\(port)/v1\n  max_retries: 0")
        let outcome = try await ping(folder)
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("connection refused"))
        #expect(outcome.standardError.contains("is the server running"))
    }

    @Test("a refused key says which variable to check")
    func unauthorized() async throws {
        let server = try await ServerProcess.llmKatan(["--validate-keys", "--api-keys", "anthropic=K1,openai=K2"])
        let folder = try configFolder("  base_url: \(server.baseURL)/v1\n  api_key_env: PING_TEST_KEY")
        let outcome = try await ping(folder, environment: ["PING_TEST_KEY": "not-the-key"])
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("HTTP 401"))
        #expect(outcome.standardError.contains("check $PING_TEST_KEY"))
        #expect(!outcome.standardError.contains("not-the-key"))
        await server.stop()
    }

    @Test("a 404 points at base_url and model")
    func notFound() async throws {
        let server = try await ScriptedServer.start()
        try await server.script([["status": 404, "error_type": "not_found_error", "message": "model: nope"]])
        let folder = try configFolder("  base_url: \(server.baseURL)/v1\n  model: nope")
        let outcome = try await ping(folder)
        #expect(outcome.status == 1)
        #expect(outcome.standardError.contains("HTTP 404 not_found_error: model: nope — check provider.base_url"))
        #expect(outcome.standardError.contains("and provider.model ('nope')"))
        await server.server.stop()
    }

    @Test("an invalid config is exit 2")
    func invalidConfig() async throws {
        let folder = try configFolder("  kind: gemini")
        let outcome = try await ping(folder)
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("unknown provider kind 'gemini'"))
    }
}
