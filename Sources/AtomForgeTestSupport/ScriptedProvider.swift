import AtomForge
import Foundation
import Synchronization

/// A model in the test's own process: each atom (found by the `defines \`name\`` its prompts carry; the `full`
/// prompt style has it, `plain` does not) answers with the replies scripted for it, in order, the last one
/// repeating. Every request is kept, to assert on what was asked.
public final class ScriptedProvider: ModelProvider {
    /// One scripted answer.
    public enum Reply: Sendable {
        /// A fenced Python block with this code.
        case code(String)
        /// The reply text as it is.
        case text(String)
        /// A reply cut off by `max_tokens`, with this text.
        case cutOff(String)
        /// No reply: the call fails with this error.
        case failure(ProviderError)
    }

    public let kind = ProviderKind.openai
    public let model = "scripted"
    private let state: Mutex<(scripts: [String: [Reply]], requests: [ModelRequest])>

    public init(_ scripts: [String: [Reply]]) {
        state = Mutex((scripts, []))
    }

    /// Every request so far, in the order they came.
    public var requests: [ModelRequest] { state.withLock { $0.requests } }

    /// The requests for atom `name`.
    public func requests(for name: String) -> [ModelRequest] {
        requests.filter { Self.atomName(in: $0) == name }
    }

    public func send(_ request: ModelRequest) async throws(ProviderError) -> ModelReply {
        let name = Self.atomName(in: request) ?? ""
        let reply: Reply = state.withLock { state in
            state.requests.append(request)
            guard var script = state.scripts[name], let next = script.first else {
                return .failure(ProviderError(.httpStatus, "no reply scripted for \(name)", status: 404))
            }
            if script.count > 1 { script.removeFirst() }
            state.scripts[name] = script
            return next
        }
        let usage = TokenUsage(input: 100, output: 20)
        switch reply {
        case .code(let code):
            return ModelReply(
                text: "```python\n\(code)\n```", stopReason: "stop", isTruncated: false, usage: usage, model: model)
        case .text(let text):
            return ModelReply(text: text, stopReason: "stop", isTruncated: false, usage: usage, model: model)
        case .cutOff(let text):
            return ModelReply(text: text, stopReason: "length", isTruncated: true, usage: usage, model: model)
        case .failure(let error):
            throw error
        }
    }

    /// The atom a request is about: the name in its first `defines \`…\``.
    public static func atomName(in request: ModelRequest) -> String? {
        let text = request.messages.last?.text ?? ""
        guard let range = text.range(of: "defines `") else { return nil }
        let rest = text[range.upperBound...]
        return rest.firstIndex(of: "`").map { String(rest[..<$0]) }
    }
}
