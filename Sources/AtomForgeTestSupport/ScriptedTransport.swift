import AtomForge
import Synchronization

/// HTTP in the test's own process: each request gets the next scripted response (the last one repeating), and is
/// kept. What `HTTPTransport`'s providers are unit-tested with; the real libcurl transport is tested against real
/// servers on loopback.
public final class ScriptedTransport: HTTPTransport {
    private let state: Mutex<(responses: [Result<HTTPResponse, HTTPError>], requests: [HTTPRequest])>

    public init(_ responses: [Result<HTTPResponse, HTTPError>]) {
        state = Mutex((responses, []))
    }

    /// A transport that answers every request with `status` and the JSON text `body`.
    public convenience init(status: Int = 200, json body: String) {
        self.init([
            .success(
                HTTPResponse(status: status, headers: [("content-type", "application/json")], body: Array(body.utf8)))
        ])
    }

    public var requests: [HTTPRequest] { state.withLock { $0.requests } }

    public func send(_ request: HTTPRequest) async throws(HTTPError) -> HTTPResponse {
        let next: Result<HTTPResponse, HTTPError> = state.withLock { state in
            state.requests.append(request)
            guard let first = state.responses.first else {
                return .failure(HTTPError(.connectionRefused, "nothing scripted"))
            }
            if state.responses.count > 1 { state.responses.removeFirst() }
            return first
        }
        return try next.get()
    }
}
