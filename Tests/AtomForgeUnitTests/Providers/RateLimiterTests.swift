import Foundation
import Testing

@testable import AtomForge

@Suite("rate limiter")
struct RateLimiterTests {
    @Test("a pause holds back every caller until it ends")
    func pause() async throws {
        let limiter = RateLimiter()
        await limiter.pause(for: .milliseconds(400))
        #expect(await limiter.remainingPause > .milliseconds(300))
        let clock = ContinuousClock()
        let start = clock.now
        try await limiter.acquire(outputTokens: 10)
        #expect(clock.now - start >= .milliseconds(350))
    }

    @Test("requests per minute: a full bucket lets a burst through, then callers wait for the refill")
    func requestBudget() async throws {
        let limiter = RateLimiter(requestsPerMinute: 600)  // 10 a second
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<600 { try await limiter.acquire(outputTokens: 1) }
        let burst = clock.now - start
        try await limiter.acquire(outputTokens: 1)
        try await limiter.acquire(outputTokens: 1)
        let waited = clock.now - start - burst
        #expect(waited >= .milliseconds(150), "two requests past the burst came after \(waited)")
    }

    @Test("output tokens are charged with max_tokens when a request starts")
    func outputTokenBudget() async throws {
        let limiter = RateLimiter(outputTokensPerMinute: 6000)  // 100 a second
        try await limiter.acquire(outputTokens: 6000)
        let clock = ContinuousClock()
        let start = clock.now
        try await limiter.acquire(outputTokens: 30)
        #expect(clock.now - start >= .milliseconds(250))
    }

    @Test("a cancelled waiter stops waiting")
    func cancellation() async throws {
        let limiter = RateLimiter()
        await limiter.pause(for: .seconds(30))
        let waiter = Task { try await limiter.acquire(outputTokens: 1) }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
    }

    @Test("anthropic-ratelimit headers: an exhausted budget pauses every caller until its reset")
    func anthropicHeaders() async throws {
        let formatter = ISO8601DateFormatter()
        let reset = formatter.string(from: Date().addingTimeInterval(3))
        let response = HTTPResponse(
            status: 200,
            headers: [
                ("anthropic-ratelimit-requests-remaining", "0"), ("anthropic-ratelimit-requests-reset", reset),
                ("anthropic-ratelimit-output-tokens-remaining", "5000"),
            ])
        let status = try #require(RateLimitStatus(response))
        #expect(status.budgets["requests"]?.remaining == 0)
        #expect(status.budgets["output-tokens"]?.remaining == 5000)
        #expect(status.exhaustedUntil != nil)
        let limiter = RateLimiter()
        await limiter.observe(status)
        #expect(await limiter.remainingPause > .seconds(1))
        #expect(RateLimitStatus(HTTPResponse(status: 200)) == nil)
    }
}
