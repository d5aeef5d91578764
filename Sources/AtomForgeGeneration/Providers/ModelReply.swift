import AtomForgeModel

/// A model's answer, with what it cost and whether it was complete.
public struct ModelReply: Sendable, Equatable {
    public var text: String
    /// The provider's own word for why the reply ended (`end_turn`, `stop`, `max_tokens`, `length`…).
    public var stopReason: String
    /// True when the reply was cut off by `max_tokens`: its code is incomplete and must not be used as an answer.
    public var isTruncated: Bool
    public var usage: TokenUsage
    /// The model that answered, as the server named it.
    public var model: String
    /// Time from sending the request that succeeded to its full reply (retries not included).
    public var latency: Duration
    /// Transport retries this call needed (429, 5xx, timeouts); they never count as generation attempts.
    public var transportRetries: Int
    /// Rate-limit state the server reported with this reply, if any.
    public var rateLimit: RateLimitStatus?

    public init(
        text: String, stopReason: String, isTruncated: Bool, usage: TokenUsage, model: String,
        latency: Duration = .zero, transportRetries: Int = 0, rateLimit: RateLimitStatus? = nil
    ) {
        self.text = text
        self.stopReason = stopReason
        self.isTruncated = isTruncated
        self.usage = usage
        self.model = model
        self.latency = latency
        self.transportRetries = transportRetries
        self.rateLimit = rateLimit
    }
}
