import AtomForgeModel
import AtomForgeSystem
import CoreMetrics
import Logging

/// Every model call of AtomForge goes through here: the shared rate limit, then the provider, then transport retries
/// with backoff when the failure is worth retrying. Transport retries are counted in the reply, never as generation
/// attempts.
public struct ModelClient: Sendable, CustomStringConvertible {
    public let provider: any ModelProvider
    public let retryPolicy: RetryPolicy
    public let rateLimiter: RateLimiter
    /// Whether temperature (and seed) may be sent (`provider.sampling`).
    public let sendsSampling: Bool
    /// Whether replies are started with the code fence and stopped at its end (`provider.prefill`).
    public let prefillsCode: Bool
    private let logger: Logger

    public init(
        provider: any ModelProvider, retryPolicy: RetryPolicy, rateLimiter: RateLimiter, sendsSampling: Bool = true,
        prefillsCode: Bool = false, logger: Logger
    ) {
        self.provider = provider
        self.retryPolicy = retryPolicy
        self.rateLimiter = rateLimiter
        self.sendsSampling = sendsSampling
        self.prefillsCode = prefillsCode
        self.logger = logger
    }

    public var description: String { "\(provider)" }

    /// Sends `request`, retrying transport failures; throws the last failure, with the number of retries made.
    public func complete(_ request: ModelRequest) async throws(ProviderError) -> ModelReply {
        var retries = 0
        while true {
            do {
                try await rateLimiter.acquire(outputTokens: request.maxTokens)
            } catch {
                throw ProviderError(.cancelled, "cancelled while waiting for the rate limit")
            }
            do {
                var reply = try await provider.send(request)
                reply.transportRetries = retries
                EngineMetrics.modelCallsAnswered.increment()
                EngineMetrics.modelCallDuration.record(reply.latency)
                await rateLimiter.observe(reply.rateLimit)
                logger.debug(
                    "model reply",
                    metadata: [
                        "model": "\(reply.model)", "stop": "\(reply.stopReason)",
                        "input_tokens": "\(reply.usage.input)",
                        "output_tokens": "\(reply.usage.output)", "latency_ms": "\(reply.latency.milliseconds)",
                        "retries": "\(retries)",
                    ])
                return reply
            } catch {
                var failure = error
                failure.retries = retries
                await rateLimiter.observe(failure.rateLimit)
                guard retryPolicy.isRetryable(failure), retries < retryPolicy.maxRetries, !Task.isCancelled else {
                    logger.debug("model call failed", metadata: ["error": "\(failure)"])
                    if failure.code != .cancelled { EngineMetrics.modelCallsFailed.increment() }
                    throw failure
                }
                EngineMetrics.transportRetries.increment()
                let delay = retryPolicy.delay(beforeRetry: retries, after: failure)
                if failure.status == 429 {
                    // A 429 means the shared budget is spent: slow every caller, not only this one.
                    await rateLimiter.pause(for: delay)
                }
                logger.debug(
                    "retrying model call",
                    metadata: [
                        "error": "\(failure.message)", "retry": "\(retries + 1)", "delay_ms": "\(delay.milliseconds)",
                    ])
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    throw ProviderError(.cancelled, "cancelled while waiting to retry: \(failure.message)")
                }
                retries += 1
            }
        }
    }
}
