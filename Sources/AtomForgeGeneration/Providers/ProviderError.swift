import AtomForgeSystem

/// Why a model call failed, in words a user can act on, and what the retry policy needs to know about it.
///
/// Messages never include an API key or a request's headers.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String

        /// The environment variable named by `provider.api_key_env` is not set.
        public static let missingAPIKey = Code(name: "missing API key")
        /// The server answered with an error status.
        public static let httpStatus = Code(name: "HTTP error")
        /// No reply at all: refused, timed out, connection lost.
        public static let transport = Code(name: "transport error")
        /// The server answered 2xx but not in the API's shape.
        public static let malformedReply = Code(name: "malformed reply")
        /// The caller's task was cancelled.
        public static let cancelled = Code(name: "cancelled")

        public var description: String { name }
    }

    public var code: Code
    public var message: String
    /// The HTTP status, for ``Code/httpStatus``.
    public var status: Int?
    /// The provider's own error type (`rate_limit_error`, `overloaded_error`, `invalid_request_error`…).
    public var errorType: String?
    /// The transport's code, for ``Code/transport``.
    public var transportCode: HTTPError.Code?
    /// How long the server asked us to wait (`retry-after-ms`, `retry-after`).
    public var retryAfter: Duration?
    /// The server's explicit `x-should-retry`, which overrides the status-based decision.
    public var shouldRetry: Bool?
    /// Transport retries made before giving up.
    public var retries = 0
    public var rateLimit: RateLimitStatus?

    public init(
        _ code: Code, _ message: String, status: Int? = nil, errorType: String? = nil,
        transportCode: HTTPError.Code? = nil, retryAfter: Duration? = nil, shouldRetry: Bool? = nil
    ) {
        self.code = code
        self.message = message
        self.status = status
        self.errorType = errorType
        self.transportCode = transportCode
        self.retryAfter = retryAfter
        self.shouldRetry = shouldRetry
    }

    public var description: String {
        retries == 0 ? message : "\(message) (after \(retries) transport retr\(retries == 1 ? "y" : "ies"))"
    }
}
