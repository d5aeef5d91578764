/// Sends HTTP requests. The providers depend on this protocol, not on libcurl, so the engine can be tested with an
/// in-process transport and the libcurl edge stays in one place (``CurlTransport``).
public protocol HTTPTransport: Sendable {
    /// Sends `request` and waits for the whole reply without holding a thread of the cooperative pool.
    /// Cancelling the calling task stops the transfer promptly and throws ``HTTPError/Code/cancelled``.
    func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse
}
