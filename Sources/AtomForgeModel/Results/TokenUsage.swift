/// Tokens one reply (or a sum of replies) cost, as the provider counted them.
public struct TokenUsage: Sendable, Equatable, Codable {
    public var input: Int
    public var output: Int
    /// Input tokens served from the provider's prompt cache, where it reports them.
    public var cacheRead: Int
    /// Input tokens written to the provider's prompt cache, where it reports them.
    public var cacheWrite: Int

    public init(input: Int = 0, output: Int = 0, cacheRead: Int = 0, cacheWrite: Int = 0) {
        self.input = input
        self.output = output
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
    }

    public static func + (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
        TokenUsage(
            input: lhs.input + rhs.input, output: lhs.output + rhs.output, cacheRead: lhs.cacheRead + rhs.cacheRead,
            cacheWrite: lhs.cacheWrite + rhs.cacheWrite)
    }

    public static func += (lhs: inout TokenUsage, rhs: TokenUsage) { lhs = lhs + rhs }
}
