/// Why an HTTP exchange produced no reply at all. (A reply with status 429 or 500 is a reply, not this error.)
///
/// A struct with a nested code rather than an enum, so new codes never break a caller's `switch`.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String

        /// Nothing listens at the address (curl error 7).
        public static let connectionRefused = Code(name: "connection refused")
        /// The connect or total timeout ran out (curl error 28).
        public static let timedOut = Code(name: "timed out")
        /// The host name could not be resolved.
        public static let unresolvedHost = Code(name: "unknown host")
        /// The connection broke before the reply was complete: closed mid-reply, reset, or empty.
        public static let connectionLost = Code(name: "connection lost")
        /// TLS could not be set up or the certificate was not trusted.
        public static let tls = Code(name: "TLS failure")
        /// The reply was larger than the transport accepts.
        public static let responseTooLarge = Code(name: "reply too large")
        /// The URL could not be used.
        public static let invalidURL = Code(name: "invalid URL")
        /// The task that waited for the reply was cancelled.
        public static let cancelled = Code(name: "cancelled")
        /// Anything else libcurl reported.
        public static let other = Code(name: "transfer failed")

        public var description: String { name }
    }

    public var code: Code
    /// What the transport said, for a person; never contains a header value.
    public var detail: String

    public init(_ code: Code, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }

    public var description: String { detail.isEmpty ? code.description : "\(code): \(detail)" }
}
