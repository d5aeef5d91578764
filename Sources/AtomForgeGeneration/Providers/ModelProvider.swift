import AtomForgeModel

/// One wire protocol to a model: turns a ``ModelRequest`` into one HTTP exchange and its reply into a ``ModelReply``.
///
/// A provider makes exactly one attempt; retries, backoff and the shared rate limit live in ``ModelClient``, so each
/// protocol is only about its own JSON.
public protocol ModelProvider: Sendable {
    var kind: ProviderKind { get }
    var model: String { get }
    /// Sends `request` once.
    func send(_ request: ModelRequest) async throws(ProviderError) -> ModelReply
}
