import AtomForge
import Foundation

/// Talks to the scripted server's control endpoints: queue steps, read what it received, reset.
struct ScriptedServer: Sendable {
    let server: ServerProcess
    private let transport = CurlTransport()

    init(_ server: ServerProcess) {
        self.server = server
    }

    /// A scripted server of its own (Tests/Servers/scripted_server.py), stopped when the last reference to it goes.
    static func start() async throws -> ScriptedServer {
        ScriptedServer(try await ServerProcess.scripted())
    }

    var baseURL: String { server.baseURL }

    /// Queues `steps` (JSON objects), optionally only for requests whose last user message contains `match`.
    func script(_ steps: [[String: any Sendable]], match: String? = nil) async throws {
        var body: [String: Any] = ["steps": steps]
        if let match { body["match"] = match }
        let data = try JSONSerialization.data(withJSONObject: body)
        let response = try await transport.send(
            HTTPRequest(
                method: .post, url: baseURL + "/_script", headers: [("Content-Type", "application/json")],
                body: Array(data)))
        precondition(response.status == 200, "scripting failed: \(response.bodyText)")
    }

    /// Every API request the server received, in order.
    func requests() async throws -> [ReceivedRequest] {
        let response = try await transport.send(HTTPRequest(url: baseURL + "/_requests"))
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        let list = object?["requests"] as? [[String: Any]] ?? []
        return list.map { entry in
            ReceivedRequest(
                path: entry["path"] as? String ?? "", headers: entry["headers"] as? [String: String] ?? [:],
                body: entry["body"] as? [String: Any] ?? [:], time: entry["time"] as? Double ?? 0)
        }
    }
}

/// One request as the scripted server saw it.
struct ReceivedRequest: @unchecked Sendable {
    var path: String
    var headers: [String: String]
    var body: [String: Any]
    var time: Double

    /// The text of the last user message of the conversation (a prefilled assistant message may follow it).
    var lastUserText: String {
        let messages = body["messages"] as? [[String: Any]] ?? []
        let content = messages.last { $0["role"] as? String == "user" }?["content"]
        // Plain text, or text blocks (a prompt whose start is marked for the cache).
        if let blocks = content as? [[String: Any]] { return blocks.compactMap { $0["text"] as? String }.joined() }
        return content as? String ?? ""
    }
}
