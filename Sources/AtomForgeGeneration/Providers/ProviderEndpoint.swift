import AtomForgeSystem
import Foundation

/// The HTTP side shared by every provider: one POST of JSON, and a failure turned into a ``ProviderError`` whose
/// message says what the user must fix.
///
/// The key is kept apart from the other headers and put into a request only as it is sent, so no stored value, and
/// no description of one, ever holds it.
struct ProviderEndpoint: Sendable, CustomStringConvertible {
    /// How a provider presents its key: the header's name and what precedes the key in its value.
    struct Credential: Sendable {
        var header: String
        var prefix: String
    }

    let transport: any HTTPTransport
    let url: String
    let headers: [(name: String, value: String)]
    let credential: Credential
    let timeout: Duration
    let connectTimeout: Duration
    let key: APIKey?
    /// The provider's name for messages (`anthropic`, `openai`).
    let providerName: String
    let model: String

    /// POSTs `body`; returns a 2xx reply and how long it took, or throws a ``ProviderError``.
    func post(_ body: [UInt8]) async throws(ProviderError) -> (HTTPResponse, Duration) {
        var sent = headers + [("Content-Type", "application/json")]
        if let key { sent.append((credential.header, credential.prefix + key.value)) }
        let request = HTTPRequest(
            method: .post, url: url, headers: sent, body: body,
            timeout: timeout, connectTimeout: connectTimeout)
        let clock = ContinuousClock()
        let start = clock.now
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch {
            throw transportError(error)
        }
        let latency = clock.now - start
        guard (200..<300).contains(response.status) else {
            let details = Self.errorDetails(response)
            var error = ProviderError(
                .httpStatus, statusMessage(response.status, type: details.type, message: details.message),
                status: response.status, errorType: details.type, retryAfter: response.retryAfter,
                shouldRetry: response.shouldRetry)
            error.rateLimit = RateLimitStatus(response)
            throw error
        }
        return (response, latency)
    }

    var description: String { "\(providerName) at \(url), model \(model)" }

    /// The provider's own error type and message. Anthropic (`{"type": "error", "error": {…}}`), OpenAI and the
    /// compatible servers (`{"error": {…}}`) share the inner shape; anything else is shown as the start of the body.
    static func errorDetails(_ response: HTTPResponse) -> (type: String?, message: String?) {
        let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(response.body)).error
        return (error?.type, error?.message ?? JSON.snippet(response))
    }

    private struct ErrorBody: Decodable {
        struct Detail: Decodable {
            var type: String?
            var message: String?
        }

        var error: Detail
    }

    private func transportError(_ error: HTTPError) -> ProviderError {
        if error.code == .cancelled {
            return ProviderError(.cancelled, "the request was cancelled", transportCode: .cancelled)
        }
        let advice: String
        switch error.code {
        case .connectionRefused:
            advice = "nothing is listening there; is the server running, and is provider.base_url right?"
        case .timedOut:
            advice = "no complete reply within the time allowed; raise provider.timeout_s or check the server"
        case .unresolvedHost: advice = "the host name does not resolve; check provider.base_url"
        case .tls: advice = "TLS failed; check the server's certificate and provider.base_url"
        case .connectionLost: advice = "the connection closed before the reply was complete"
        case .invalidURL: advice = "check provider.base_url"
        default: advice = "the request could not be completed"
        }
        return ProviderError(
            .transport, "cannot reach \(providerName) at \(url): \(error.code) (\(error.detail)); \(advice)",
            transportCode: error.code)
    }

    private func statusMessage(_ status: Int, type: String?, message: String?) -> String {
        var text = "\(providerName) answered HTTP \(status)"
        if let type { text += " \(type)" }
        if let message, !message.isEmpty { text += ": \(key?.redact(message) ?? message)" }
        switch status {
        case 401:
            let source = key.map { "$\($0.variable)" } ?? "provider.api_key_env (no key was sent)"
            text += " — the server refused the API key; check \(source)"
        case 403: text += " — the key is not allowed to do this; check its permissions"
        case 404: text += " — check provider.base_url (\(url)) and provider.model ('\(model)')"
        case 413: text += " — the prompt is too large for this model"
        case 429: text += " — rate limited"
        default: break
        }
        return text
    }
}
