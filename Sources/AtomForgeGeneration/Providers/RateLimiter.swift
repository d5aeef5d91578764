import AtomForgeSystem
import CoreMetrics
import Foundation

/// The process-wide budget for model calls, shared by every plan and every worker.
///
/// Two token buckets, requests per minute and output tokens per minute (charged with `max_tokens` when a request
/// starts, as Anthropic counts it), and one pause: a 429, or a reply saying a budget is exhausted, holds back every
/// caller until the server's stated reset or retry time, not only the caller that met it. Waiting is `Task.sleep`,
/// so no thread is held.
public actor RateLimiter {
    private struct Bucket {
        let capacity: Double
        let refillPerSecond: Double
        var level: Double
        var updated: ContinuousClock.Instant

        init(perMinute: Int, now: ContinuousClock.Instant) {
            capacity = Double(perMinute)
            refillPerSecond = Double(perMinute) / 60
            level = capacity
            updated = now
        }

        mutating func refill(_ now: ContinuousClock.Instant) {
            let elapsed =
                Double((now - updated).components.seconds)
                + Double((now - updated).components.attoseconds) / 1e18
            level = min(capacity, level + elapsed * refillPerSecond)
            updated = now
        }

        /// How long until `amount` is available (zero when it is).
        func wait(for amount: Double) -> Duration {
            let missing = min(amount, capacity) - level
            return missing <= 0 ? .zero : .milliseconds(Int64((missing / refillPerSecond * 1000).rounded(.up)))
        }
    }

    private let clock = ContinuousClock()
    private var requests: Bucket?
    private var outputTokens: Bucket?
    private var pausedUntil: ContinuousClock.Instant

    /// A limiter; 0 means no limit for that budget.
    public init(requestsPerMinute: Int = 0, outputTokensPerMinute: Int = 0) {
        let now = clock.now
        requests = requestsPerMinute > 0 ? Bucket(perMinute: requestsPerMinute, now: now) : nil
        outputTokens = outputTokensPerMinute > 0 ? Bucket(perMinute: outputTokensPerMinute, now: now) : nil
        pausedUntil = now
    }

    /// Waits until a request that may produce `maxTokens` output tokens fits every budget, then takes its share.
    /// Throws `CancellationError` when the caller is cancelled while waiting.
    public func acquire(outputTokens maxTokens: Int) async throws {
        while true {
            let now = clock.now
            requests?.refill(now)
            outputTokens?.refill(now)
            let wait = max(
                pausedUntil - now, requests?.wait(for: 1) ?? .zero,
                outputTokens?.wait(for: Double(maxTokens)) ?? .zero)
            if wait <= .zero {
                requests?.level -= 1
                if var bucket = outputTokens {
                    bucket.level -= min(Double(maxTokens), bucket.capacity)
                    outputTokens = bucket
                }
                return
            }
            EngineMetrics.rateLimitWaits.increment()
            EngineMetrics.rateLimitWaitSeconds.increment(by: wait.seconds)
            try await Task.sleep(for: wait)
        }
    }

    /// Holds every caller back for `duration` from now (a 429 seen by anyone).
    public func pause(for duration: Duration) {
        pausedUntil = max(pausedUntil, clock.now + duration)
    }

    /// Reads what a server said about its budgets; an exhausted one pauses everyone until it resets.
    public func observe(_ status: RateLimitStatus?) {
        guard let until = status?.exhaustedUntil else { return }
        let seconds = min(until.timeIntervalSinceNow, 60)
        if seconds > 0 { pause(for: .milliseconds(Int64(seconds * 1000))) }
    }

    /// How long new callers would wait for the pause alone; for tests and progress reports.
    public var remainingPause: Duration {
        max(.zero, pausedUntil - clock.now)
    }
}
