import AtomForgeSystem
import Foundation

/// What a server said about its rate limits in a reply's headers, read from Anthropic's
/// `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{remaining,reset}`.
public struct RateLimitStatus: Sendable, Equatable {
    public struct Budget: Sendable, Equatable {
        public var remaining: Int
        public var reset: Date?
    }

    /// Keyed by the budget's name: `requests`, `tokens`, `input-tokens`, `output-tokens`.
    public var budgets: [String: Budget]

    /// When the first exhausted budget refills, if one is exhausted: no request should start before then.
    public var exhaustedUntil: Date? {
        budgets.values.filter { $0.remaining <= 0 }.compactMap(\.reset).max()
    }

    /// The budgets `response` reports, or nil when it reports none (local servers never do).
    package init?(_ response: HTTPResponse) {
        var budgets: [String: Budget] = [:]
        for name in ["requests", "tokens", "input-tokens", "output-tokens"] {
            guard let remaining = response.header("anthropic-ratelimit-\(name)-remaining").flatMap({ Int($0) }) else {
                continue
            }
            let reset = response.header("anthropic-ratelimit-\(name)-reset").flatMap { Self.parseTimestamp($0) }
            budgets[name] = Budget(remaining: remaining, reset: reset)
        }
        guard !budgets.isEmpty else { return nil }
        self.budgets = budgets
    }

    private static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

extension HTTPResponse {
    /// How long the server asked the client to wait: `retry-after-ms`, else `retry-after` in seconds or as an HTTP
    /// date, as the official SDKs read them.
    package var retryAfter: Duration? {
        if let milliseconds = header("retry-after-ms").flatMap(Double.init), milliseconds >= 0 {
            return .milliseconds(Int64(milliseconds))
        }
        guard let value = header("retry-after") else { return nil }
        if let seconds = Double(value), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSinceNow) * 1000))
    }

    /// The server's explicit retry verdict, `x-should-retry: true|false`.
    var shouldRetry: Bool? {
        switch header("x-should-retry") {
        case "true": true
        case "false": false
        default: nil
        }
    }
}
