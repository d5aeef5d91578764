/// A complete HTTP reply: status, headers and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lowercased, in arrival order; a repeated header appears once per line.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// New connections the transport opened for this exchange: 0 when it reused one.
    public var connectionsOpened: Int

    public init(
        status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = [], connectionsOpened: Int = 0
    ) {
        self.status = status
        self.headers = headers.map { ($0.name.lowercased(), $0.value) }
        self.body = body
        self.connectionsOpened = connectionsOpened
    }

    /// The last value of header `name` (any case).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.last { $0.name == lowered }?.value
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
