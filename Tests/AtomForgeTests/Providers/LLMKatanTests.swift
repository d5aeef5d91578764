import AtomForge
import Foundation
import Testing

/// Both APIs end to end against llm-katan, an independent server, on loopback.
@Suite("providers against llm-katan", .serialized)
struct LLMKatanTests {
    /// How many API requests the server received, from its `/stats`.
    func requestCount(_ server: ServerProcess) async throws -> Int {
        let response = try await TestClients.transport.send(HTTPRequest(url: server.baseURL + "/stats"))
        let stats = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return stats?["total"] as? Int ?? -1
    }

    @Test(
        "both APIs answer, with text, stop reason and real token counts", arguments: [ProviderKind.anthropic, .openai])
    func endToEnd(kind: ProviderKind) async throws {
        let server = try await ServerProcess.llmKatan()
        let client = try TestClients.client(kind, baseURL: server.baseURL, key: "any-key")
        let reply = try await client.complete(TestClients.request("def add(a, b): return a + b"))
        #expect(reply.text.hasSuffix("User: def add(a, b): return a + b"))
        #expect(!reply.isTruncated)
        #expect(reply.stopReason == (kind == .anthropic ? "end_turn" : "stop"))
        #expect(reply.usage.input > 0 && reply.usage.output > 0)
        #expect(reply.model == "test-model")
        #expect(reply.transportRetries == 0)
        await server.stop()
    }

    @Test(
        "a wrong key is 401, called once, and the error names the variable to fix",
        arguments: [ProviderKind.anthropic, .openai])
    func wrongKey(kind: ProviderKind) async throws {
        let server = try await ServerProcess.llmKatan(["--validate-keys", "--api-keys", "anthropic=K1,openai=K2"])
        let client = try TestClients.client(kind, baseURL: server.baseURL, key: "wrong-key-123")
        await #expect {
            _ = try await client.complete(TestClients.request("hi"))
        } throws: { error in
            let error = error as? ProviderError
            return error?.status == 401 && error?.retries == 0
                && error?.description.contains("the server refused the API key; check $TEST_API_KEY") == true
                && error?.description.contains("wrong-key-123") == false
        }
        #expect(try await requestCount(server) == 1)
        let right = try TestClients.client(kind, baseURL: server.baseURL, key: kind == .anthropic ? "K1" : "K2")
        #expect(try await right.complete(TestClients.request("hi")).text.hasSuffix("hi"))
        await server.stop()
    }

    @Test("a 400 is not retried")
    func badRequest() async throws {
        let server = try await ServerProcess.llmKatan()
        let client = try TestClients.client(.anthropic, baseURL: server.baseURL, key: "k", maxRetries: 3)
        await #expect {
            _ = try await client.complete(ModelRequest(messages: [], maxTokens: 10))
        } throws: { error in
            (error as? ProviderError)?.status == 400
        }
        #expect(try await requestCount(server) == 1)
        await server.stop()
    }

    @Test("500 is retried exactly max_retries times", arguments: [0, 1, 3])
    func serverErrors(maxRetries: Int) async throws {
        let server = try await ServerProcess.llmKatan(["--error-rate", "1.0"])
        let client = try TestClients.client(.openai, baseURL: server.baseURL, key: "k", maxRetries: maxRetries)
        await #expect {
            _ = try await client.complete(TestClients.request("x"))
        } throws: { error in
            (error as? ProviderError)?.status == 500 && (error as? ProviderError)?.retries == maxRetries
        }
        #expect(try await requestCount(server) == 1 + maxRetries)
        await server.stop()
    }

    @Test("504 is retried exactly max_retries times")
    func gatewayTimeout() async throws {
        let server = try await ServerProcess.llmKatan(["--timeout-after", "1"])
        let client = try TestClients.client(.anthropic, baseURL: server.baseURL, key: "k", maxRetries: 2)
        _ = try await client.complete(TestClients.request("first one passes"))
        await #expect {
            _ = try await client.complete(TestClients.request("x"))
        } throws: { error in
            (error as? ProviderError)?.status == 504 && (error as? ProviderError)?.retries == 2
        }
        #expect(try await requestCount(server) == 1 + 1 + 2)
        await server.stop()
    }

    @Test("503 while the server is full is retried exactly max_retries times")
    func overloaded() async throws {
        let server = try await ServerProcess.llmKatan(["--max-inflight", "1", "--latency-ms", "1500"])
        let client = try TestClients.client(.openai, baseURL: server.baseURL, key: "k", maxRetries: 2)
        async let occupying = client.complete(TestClients.request("slow one"))
        try await Task.sleep(for: .milliseconds(300))
        await #expect {
            _ = try await client.complete(TestClients.request("turned away"))
        } throws: { error in
            (error as? ProviderError)?.status == 503 && (error as? ProviderError)?.retries == 2
        }
        _ = try await occupying
        #expect(try await requestCount(server) == 1 + 1 + 2)
        await server.stop()
    }

    @Test("a reply slower than timeout_s times out, and the timeout is retried")
    func timeout() async throws {
        let server = try await ServerProcess.llmKatan(["--latency-ms", "2000"])
        let client = try TestClients.client(.anthropic, baseURL: server.baseURL, key: "k", timeout: 0.4, maxRetries: 1)
        await #expect {
            _ = try await client.complete(TestClients.request("x"))
        } throws: { error in
            let error = error as? ProviderError
            return error?.transportCode == .timedOut && error?.retries == 1
                && error?.description.contains("raise provider.timeout_s") == true
        }
        await server.stop()
    }

    @Test(
        "32 concurrent requests all come back, each with its own answer", arguments: [ProviderKind.anthropic, .openai])
    func concurrent(kind: ProviderKind) async throws {
        let server = try await ServerProcess.llmKatan(["--latency-ms", "200"])
        let client = try TestClients.client(kind, baseURL: server.baseURL, key: "k")
        let replies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for index in 0..<32 {
                group.addTask {
                    (index, try await client.complete(TestClients.request("request number \(index)")).text)
                }
            }
            return try await group.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
        }
        #expect(replies.count == 32)
        for (index, text) in replies {
            #expect(text.hasSuffix("User: request number \(index)"))
        }
        #expect(try await requestCount(server) == 32)
        await server.stop()
    }
}
