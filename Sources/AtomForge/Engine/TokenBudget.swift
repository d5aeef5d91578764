/// A plan's cap on tokens (input and output together), checked before each model call.
public actor TokenBudget {
    public let limit: Int
    public private(set) var used = 0

    /// A budget of `limit` tokens; 0 means unlimited.
    public init(limit: Int, alreadyUsed: Int = 0) {
        self.limit = limit
        self.used = alreadyUsed
    }

    public var isExhausted: Bool { limit > 0 && used >= limit }

    public func charge(_ usage: TokenUsage) {
        used += usage.input + usage.output
    }
}
