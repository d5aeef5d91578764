/// One HTTP request, as the providers build it and a transport sends it.
///
/// Its description never shows credential headers, so a request can be logged or put in an error safely.
public struct HTTPRequest: Sendable, CustomStringConvertible {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    public var method: Method
    public var url: String
    /// Header names and values in sending order.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Limit for the whole exchange, reply included.
    public var timeout: Duration
    /// Limit for establishing the connection.
    public var connectTimeout: Duration

    public init(
        method: Method = .get, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeout: Duration = .seconds(120), connectTimeout: Duration = .seconds(10)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// Header names whose values are secrets: never printed, logged or stored.
    public static let credentialHeaders: Set<String> = ["authorization", "x-api-key", "api-key", "proxy-authorization"]

    /// The method and URL, and the header names with credential values hidden.
    public var description: String {
        let shown = headers.map { header in
            Self.credentialHeaders.contains(header.name.lowercased())
                ? "\(header.name): <redacted>" : "\(header.name): \(header.value)"
        }
        return "\(method.rawValue) \(url) [\(shown.joined(separator: ", "))] \(body.count) bytes"
    }
}
