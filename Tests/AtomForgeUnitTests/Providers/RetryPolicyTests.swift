import Foundation
import Testing

@testable import AtomForge

@Suite("retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxRetries: 4)

    func status(_ code: Int, retryAfter: Duration? = nil, shouldRetry: Bool? = nil) -> ProviderError {
        ProviderError(.httpStatus, "x", status: code, retryAfter: retryAfter, shouldRetry: shouldRetry)
    }

    @Test("retries 408, 409, 429 and every 5xx; never 400, 401, 403, 404, 413")
    func statuses() {
        for code in [408, 409, 429, 500, 502, 503, 504, 529] { #expect(policy.isRetryable(status(code)), "\(code)") }
        for code in [400, 401, 403, 404, 413, 422] { #expect(!policy.isRetryable(status(code)), "\(code)") }
    }

    @Test("transport failures and malformed replies are retried, cancellation and a missing key are not")
    func failures() {
        #expect(policy.isRetryable(ProviderError(.transport, "x", transportCode: .connectionRefused)))
        #expect(policy.isRetryable(ProviderError(.transport, "x", transportCode: .timedOut)))
        #expect(policy.isRetryable(ProviderError(.transport, "x", transportCode: .connectionLost)))
        #expect(!policy.isRetryable(ProviderError(.transport, "x", transportCode: .invalidURL)))
        #expect(!policy.isRetryable(ProviderError(.cancelled, "x")))
        #expect(policy.isRetryable(ProviderError(.malformedReply, "x")))
        #expect(!policy.isRetryable(ProviderError(.missingAPIKey, "x")))
    }

    @Test("backoff is 0.5 s · 2ⁿ capped at 8 s, less up to a quarter of jitter")
    func backoff() {
        let expected: [Duration] = [
            .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8),
        ]
        for (retry, ceiling) in expected.enumerated() {
            for _ in 0..<20 {
                let delay = policy.backoff(retry)
                #expect(delay <= ceiling && delay >= ceiling * 0.75, "retry \(retry): \(delay)")
            }
        }
    }

    @Test("a server's retry-after is honoured when it asks for at most a minute")
    func retryAfter() {
        #expect(policy.delay(beforeRetry: 0, after: status(429, retryAfter: .seconds(3))) == .seconds(3))
        #expect(policy.delay(beforeRetry: 0, after: status(429, retryAfter: .seconds(600))) <= .milliseconds(500))
    }

    @Test("retry-after in seconds, in milliseconds, and as an HTTP date")
    func retryAfterHeaders() throws {
        #expect(HTTPResponse(status: 429, headers: [("Retry-After", "2")]).retryAfter == .seconds(2))
        #expect(
            HTTPResponse(status: 429, headers: [("retry-after-ms", "250"), ("retry-after", "9")]).retryAfter
                == .milliseconds(250))
        let past = HTTPResponse(status: 503, headers: [("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")])
        #expect(past.retryAfter == .zero)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let inTenSeconds = formatter.string(from: Date().addingTimeInterval(10))
        let future = try #require(HTTPResponse(status: 503, headers: [("retry-after", inTenSeconds)]).retryAfter)
        #expect(future > .seconds(8) && future <= .seconds(10))
    }
}
