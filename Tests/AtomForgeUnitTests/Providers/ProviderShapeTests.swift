import AtomForge
import AtomForgeTestSupport
import Foundation
import Testing

/// The two API formats in-process, over a scripted transport: what is sent, and what a reply becomes. (Against
/// real servers over libcurl: the end-to-end suites.)
@Suite("provider formats")
struct ProviderShapeTests {
    let request = ModelRequest(system: "be brief", prompt: "defines `x`", maxTokens: 64, temperature: 0.5, seed: 7)

    func body(_ request: HTTPRequest) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
    }

    @Test("OpenAI: chat/completions, the system message first, bearer key; the reply's text, usage and stop")
    func openAI() async throws {
        let transport = ScriptedTransport(
            json: """
                {"model": "m", "choices": [{"message": {"content": "hi"}, "finish_reason": "length"}],
                 "usage": {"prompt_tokens": 5, "completion_tokens": 3}}
                """)
        var settings = ProviderSettings()
        settings.baseURL = "http://127.0.0.1:1/v1/"
        let provider = OpenAIProvider(
            settings: settings, key: APIKey(value: "sk-test-key", variable: "K"), transport: transport)
        let reply = try await provider.send(request)
        #expect(reply.text == "hi" && reply.isTruncated && reply.usage == TokenUsage(input: 5, output: 3))
        let sent = try #require(transport.requests.first)
        #expect(sent.url == "http://127.0.0.1:1/v1/chat/completions")
        #expect(sent.headers.contains { $0.name.lowercased() == "authorization" && $0.value == "Bearer sk-test-key" })
        let messages = try #require(try body(sent)["messages"] as? [[String: Any]])
        #expect(messages.first?["role"] as? String == "system" && messages.last?["content"] as? String == "defines `x`")
        #expect(try body(sent)["seed"] as? Int == 7)
    }

    @Test("Anthropic: messages, system apart, x-api-key; a 429 becomes an error the retry policy can read")
    func anthropic() async throws {
        let transport = ScriptedTransport([
            .success(
                HTTPResponse(
                    status: 429, headers: [("retry-after", "2")],
                    body: Array(#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#.utf8)))
        ])
        var settings = ProviderSettings()
        settings.kind = .anthropic
        settings.baseURL = "https://api.anthropic.example"
        settings.model = "claude"
        let provider = AnthropicProvider(
            settings: settings, key: APIKey(value: "sk-ant-key", variable: "K"), transport: transport)
        do {
            _ = try await provider.send(request)
            Issue.record("a 429 was taken for a reply")
        } catch {
            #expect(error.status == 429 && error.errorType == "rate_limit_error")
            #expect(error.retryAfter == .seconds(2))
            #expect(!error.message.contains("sk-ant-key"))
        }
        let sent = try #require(transport.requests.first)
        #expect(sent.url == "https://api.anthropic.example/v1/messages")
        #expect(sent.headers.contains { $0.name.lowercased() == "x-api-key" })
        #expect(try body(sent)["system"] as? String == "be brief")
    }
}
