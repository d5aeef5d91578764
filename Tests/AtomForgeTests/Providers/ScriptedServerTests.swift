import AtomForge
import Foundation
import InMemoryLogging
import Logging
import Testing

/// The cases an off-the-shelf server cannot produce, against the project's scripted server on loopback.
@Suite("providers against the scripted server", .serialized)
struct ScriptedServerTests {
    let server: ScriptedServer

    init() async throws {
        server = try await ScriptedServer.start()
    }

    @Test("Anthropic request shape: path, headers, system, max_tokens, temperature", arguments: [true, false])
    func anthropicRequestShape(sampling: Bool) async throws {
        let client = try TestClients.client(
            .anthropic, baseURL: server.baseURL, key: "k-anthropic-1", sampling: sampling)
        let reply = try await client.complete(TestClients.request("hello there", temperature: sampling ? 0.3 : nil))
        #expect(reply.text == "hello there")
        #expect(reply.usage.input > 0 && reply.usage.output > 0)
        let sent = try #require(try await server.requests().last)
        #expect(sent.path == "/v1/messages")
        #expect(sent.headers["x-api-key"] == "k-anthropic-1")
        #expect(sent.headers["anthropic-version"] == "2023-06-01")
        #expect(sent.body["system"] as? String == "You write code.")
        #expect(sent.body["max_tokens"] as? Int == 64)
        #expect((sent.body["temperature"] as? Double) == (sampling ? 0.3 : nil))
    }

    @Test("OpenAI request shape: path, bearer key only when configured, system message first")
    func openAIRequestShape() async throws {
        _ = try await TestClients.client(.openai, baseURL: server.baseURL).complete(TestClients.request("no key"))
        _ = try await TestClients.client(.openai, baseURL: server.baseURL, key: "k-openai-2").complete(
            TestClients.request("key"))
        let sent = try await server.requests().suffix(2)
        #expect(sent.map(\.path) == ["/v1/chat/completions", "/v1/chat/completions"])
        #expect(sent.first?.headers["authorization"] == nil)
        #expect(sent.last?.headers["authorization"] == "Bearer k-openai-2")
        let messages = try #require(sent.last?.body["messages"] as? [[String: Any]])
        #expect(messages.first?["role"] as? String == "system")
        #expect(sent.last?.body["max_tokens"] as? Int == 64)
    }

    @Test(
        "429 with retry-after: the wait is honoured, then the call succeeds",
        arguments: [ProviderKind.anthropic, .openai])
    func retryAfterHonoured(kind: ProviderKind) async throws {
        try await server.script(
            [
                [
                    "status": 429, "error_type": "rate_limit_error", "message": "slow down",
                    "headers": ["retry-after": "1"],
                ]
            ],
            match: "wait-\(kind)")
        let reply = try await TestClients.client(kind, baseURL: server.baseURL).complete(
            TestClients.request("wait-\(kind)"))
        #expect(reply.transportRetries == 1)
        let times = try await server.requests().filter { $0.lastUserText == "wait-\(kind)" }.map(\.time)
        #expect(times.count == 2)
        #expect(
            times[1] - times[0] >= 0.95,
            "retry-after: 1 asks for a second; the retry came after \(times[1] - times[0]) s")
    }

    @Test("retry-after-ms wins over retry-after")
    func retryAfterMilliseconds() async throws {
        try await server.script(
            [["status": 503, "headers": ["retry-after-ms": "300", "retry-after": "30"]]], match: "ms-wait")
        let reply = try await TestClients.client(.anthropic, baseURL: server.baseURL).complete(
            TestClients.request("ms-wait"))
        #expect(reply.transportRetries == 1)
        let times = try await server.requests().filter { $0.lastUserText == "ms-wait" }.map(\.time)
        #expect(times[1] - times[0] >= 0.28 && times[1] - times[0] < 10)
    }

    @Test("529 overloaded is retried")
    func overloaded() async throws {
        try await server.script(
            [["status": 529, "error_type": "overloaded_error", "message": "Overloaded"]], match: "busy")
        let reply = try await TestClients.client(.anthropic, baseURL: server.baseURL).complete(
            TestClients.request("busy"))
        #expect(reply.text == "busy")
        #expect(reply.transportRetries == 1)
    }

    @Test("fails N times then succeeds: retried exactly N times")
    func failThenSucceed() async throws {
        try await server.script([["status": 500], ["status": 503], ["status": 408]], match: "flaky")
        let reply = try await TestClients.client(.openai, baseURL: server.baseURL).complete(
            TestClients.request("flaky"))
        #expect(reply.transportRetries == 3)
        #expect(try await server.requests().filter { $0.lastUserText == "flaky" }.count == 4)
    }

    @Test("after max_retries the error names the status, the provider's type and message")
    func retriesExhausted() async throws {
        let steps: [[String: any Sendable]] = Array(
            repeating: ["status": 529, "error_type": "overloaded_error", "message": "Overloaded"], count: 3)
        try await server.script(steps, match: "always-busy")
        let client = try TestClients.client(.anthropic, baseURL: server.baseURL, maxRetries: 2)
        await #expect {
            _ = try await client.complete(TestClients.request("always-busy"))
        } throws: { error in
            let error = error as? ProviderError
            return error?.status == 529 && error?.retries == 2
                && error?.description
                    == "anthropic answered HTTP 529 overloaded_error: Overloaded (after 2 transport retries)"
        }
        #expect(try await server.requests().filter { $0.lastUserText == "always-busy" }.count == 3)
    }

    @Test("400, 401, 403, 404 and 413 are never retried", arguments: [400, 401, 403, 404, 413])
    func clientErrorsNotRetried(status: Int) async throws {
        try await server.script(
            [["status": status, "error_type": "invalid_request_error", "message": "no"]], match: "client-\(status)")
        let client = try TestClients.client(.anthropic, baseURL: server.baseURL, key: "k")
        await #expect {
            _ = try await client.complete(TestClients.request("client-\(status)"))
        } throws: { error in
            (error as? ProviderError)?.status == status && (error as? ProviderError)?.retries == 0
        }
        #expect(try await server.requests().filter { $0.lastUserText == "client-\(status)" }.count == 1)
    }

    @Test("x-should-retry overrides the status in both directions")
    func shouldRetryHeader() async throws {
        try await server.script([["status": 503, "headers": ["x-should-retry": "false"]]], match: "no-retry")
        await #expect(throws: ProviderError.self) {
            _ = try await TestClients.client(.anthropic, baseURL: server.baseURL).complete(
                TestClients.request("no-retry"))
        }
        try await server.script([["status": 400, "headers": ["x-should-retry": "true"]]], match: "do-retry")
        let reply = try await TestClients.client(.anthropic, baseURL: server.baseURL).complete(
            TestClients.request("do-retry"))
        #expect(reply.transportRetries == 1)
    }

    @Test("a reply cut off by max_tokens is reported as truncated", arguments: [ProviderKind.anthropic, .openai])
    func truncation(kind: ProviderKind) async throws {
        try await server.script([["reply": "def f(x):\n    return", "stop": "max_tokens"]], match: "cut-\(kind)")
        let reply = try await TestClients.client(kind, baseURL: server.baseURL).complete(
            TestClients.request("cut-\(kind)"))
        #expect(reply.isTruncated)
        #expect(reply.stopReason == (kind == .anthropic ? "max_tokens" : "length"))
        let whole = try await TestClients.client(kind, baseURL: server.baseURL).complete(TestClients.request("whole"))
        #expect(!whole.isTruncated)
    }

    @Test("a reply not in the API's shape is the provider's fault: retried, and an outage when it stays so")
    func malformed() async throws {
        // Once: the retry gets the reply.
        try await server.script([["malformed": true], ["reply": "fine"]], match: "garbled-once")
        let reply = try await TestClients.client(.openai, baseURL: server.baseURL).complete(
            TestClients.request("garbled-once"))
        #expect(reply.text == "fine" && reply.transportRetries == 1)
        // Every time: an error that shows the start of the body, after the retries, which stops the plan as an outage.
        try await server.script(Array(repeating: ["malformed": true], count: 3), match: "garbled")
        await #expect {
            _ = try await TestClients.client(.openai, baseURL: server.baseURL, maxRetries: 2).complete(
                TestClients.request("garbled"))
        } throws: { error in
            let error = error as? ProviderError
            return error?.code == .malformedReply && error?.message.contains("not a Chat Completions response") == true
                && error?.isOutage == true
        }
        #expect(try await server.requests().filter { $0.lastUserText == "garbled" }.count == 3)
    }

    @Test("a connection closed mid-reply is a lost connection, retried")
    func closedMidReply() async throws {
        try await server.script([["close_mid_reply": true]], match: "cut-wire")
        let reply = try await TestClients.client(.anthropic, baseURL: server.baseURL).complete(
            TestClients.request("cut-wire"))
        #expect(reply.text == "cut-wire")
        #expect(reply.transportRetries == 1)
        try await server.script([["close_mid_reply": true]], match: "cut-wire-once")
        await #expect {
            _ = try await TestClients.client(.anthropic, baseURL: server.baseURL, maxRetries: 0)
                .complete(TestClients.request("cut-wire-once"))
        } throws: { error in
            (error as? ProviderError)?.transportCode == .connectionLost
        }
    }

    @Test("a request that outlives timeout_s times out and is retried")
    func timeout() async throws {
        try await server.script([["hang_ms": 3000], ["hang_ms": 3000]], match: "slow")
        let client = try TestClients.client(.openai, baseURL: server.baseURL, timeout: 0.3, maxRetries: 1)
        await #expect {
            _ = try await client.complete(TestClients.request("slow"))
        } throws: { error in
            let error = error as? ProviderError
            return error?.transportCode == .timedOut && error?.retries == 1
        }
    }

    @Test("cancelling the caller stops the transfer")
    func cancellation() async throws {
        try await server.script([["hang_ms": 5000]], match: "never-mind")
        let client = try TestClients.client(.openai, baseURL: server.baseURL)
        let task = Task { try await client.complete(TestClients.request("never-mind")) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let result = await task.result
        #expect((result.failure as? ProviderError)?.code == .cancelled)
    }

    @Test("a 429 slows every caller sharing the limiter, not only the one that met it")
    func sharedSlowdown() async throws {
        try await server.script([["status": 429, "headers": ["retry-after": "1"]]], match: "first-caller")
        let limiter = RateLimiter()
        let first = try TestClients.client(.openai, baseURL: server.baseURL, rateLimiter: limiter)
        let second = try TestClients.client(.openai, baseURL: server.baseURL, rateLimiter: limiter)
        async let a = first.complete(TestClients.request("first-caller"))
        try await Task.sleep(for: .milliseconds(300))
        async let b = second.complete(TestClients.request("second-caller"))
        _ = try await (a, b)
        let sent = try await server.requests()
        let rateLimited = try #require(sent.first { $0.lastUserText == "first-caller" })
        let other = try #require(sent.first { $0.lastUserText == "second-caller" })
        #expect(
            other.time - rateLimited.time >= 0.95,
            "the second caller went ahead after \(other.time - rateLimited.time) s")
    }

    @Test("the key never appears in a log line at trace level, nor in an error a server echoes it into")
    func keyNeverLogged() async throws {
        let secret = "sk-test-very-secret-0042"
        let logs = InMemoryLogHandler()
        var logger = Logger(label: "test", factory: { _ in logs })
        logger.logLevel = .trace
        try await server.script(
            [["status": 401, "error_type": "authentication_error", "message": "invalid x-api-key \(secret)"]],
            match: "who-am-i")
        let client = try TestClients.client(.anthropic, baseURL: server.baseURL, key: secret, logger: logger)
        _ = try await client.complete(TestClients.request("fine"))
        var thrown: ProviderError?
        do {
            _ = try await client.complete(TestClients.request("who-am-i"))
        } catch {
            thrown = error
        }
        let error = try #require(thrown)
        #expect(error.status == 401)
        #expect(error.description.contains("check $TEST_API_KEY"))
        #expect(!error.description.contains(secret))
        #expect(!logs.entries.isEmpty)
        for entry in logs.entries {
            #expect(!"\(entry.message) \(entry.metadata)".contains(secret))
        }
        #expect(!"\(client.provider)".contains(secret))
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
