import AtomForge
import Testing

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
}
