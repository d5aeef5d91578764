import AtomForgeSystem

/// Which failed calls to send again, and after how long: the official SDKs' rules.
///
/// Retried: 408, 409, 429, every 5xx (529 "overloaded" included), timeouts and connection failures. Never retried:
/// 400, 401, 403, 404, 413 and other client errors, malformed replies, and cancellation. A server's explicit
/// `x-should-retry` wins over the status. The wait honours `retry-after-ms`, then `retry-after`, when they ask for
/// at most a minute; otherwise it is exponential, 0.5 s · 2ⁿ capped at 8 s, shortened by up to a quarter at random
/// so that many clients do not return in step.
public struct RetryPolicy: Sendable {
    public var maxRetries: Int
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// Longest server-requested wait that is honoured as given.
    public var maxHonouredRetryAfter: Duration

    public init(
        maxRetries: Int, initialDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(8),
        maxHonouredRetryAfter: Duration = .seconds(60)
    ) {
        self.maxRetries = maxRetries
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxHonouredRetryAfter = maxHonouredRetryAfter
    }

    /// Whether `error` is worth another try at all (the count is checked by the caller).
    public func isRetryable(_ error: ProviderError) -> Bool {
        if let verdict = error.shouldRetry, error.code == .httpStatus { return verdict }
        switch error.code {
        case .httpStatus:
            guard let status = error.status else { return false }
            return status == 408 || status == 409 || status == 429 || status >= 500
        case .transport:
            let retryable: Set<HTTPError.Code> = [.connectionRefused, .timedOut, .connectionLost, .other]
            return error.transportCode.map(retryable.contains) ?? false
        case .malformedReply:
            // A 2xx body not in the API's shape (a proxy's HTML page, a body cut short, bytes that are not UTF-8):
            // the provider's fault, not the request's, and often gone at the next try.
            return true
        default:
            return false
        }
    }

    /// How long to wait before retry number `retry` (counted from 0) after `error`.
    public func delay(beforeRetry retry: Int, after error: ProviderError) -> Duration {
        if let asked = error.retryAfter, asked >= .zero, asked <= maxHonouredRetryAfter {
            return asked
        }
        return backoff(retry)
    }

    /// The exponential part: 0.5 s · 2ⁿ, capped, with up to 25 % taken off at random.
    public func backoff(_ retry: Int) -> Duration {
        let exponential = initialDelay * (1 << min(retry, 20))
        let capped = min(exponential, maxDelay)
        return capped * (1 - 0.25 * Double.random(in: 0..<1))
    }
}
