import AtomForgeModel
import AtomForgeSystem
import Foundation

/// Anthropic's Messages API: `POST {base_url}/v1/messages` with `x-api-key` and `anthropic-version`.
public struct AnthropicProvider: ModelProvider, CustomStringConvertible {
    public static let apiVersion = "2023-06-01"

    public let kind = ProviderKind.anthropic
    public let model: String
    private let endpoint: ProviderEndpoint
    /// Whether stable prompt prefixes are marked for the prompt cache (`provider.prompt_cache`).
    private let marksCache: Bool

    /// The shortest prefix Anthropic caches, in tokens (1,024 for Sonnet and Opus; Haiku's 2,048 is simply not
    /// cached below it, and the marker costs nothing then).
    public static let cacheMinimumTokens = 1024

    public init(settings: ProviderSettings, key: APIKey?, transport: any HTTPTransport) {
        model = settings.model
        marksCache = settings.promptCache
        let headers: [(name: String, value: String)] = [("anthropic-version", Self.apiVersion)]
        endpoint = ProviderEndpoint(
            transport: transport, url: settings.baseURL.trimmingSuffix("/") + "/v1/messages", headers: headers,
            credential: .init(header: "x-api-key", prefix: ""),
            timeout: .seconds(settings.timeoutSeconds), connectTimeout: .seconds(settings.connectTimeoutSeconds),
            key: key, providerName: "anthropic", model: settings.model)
    }

    public var description: String { endpoint.description }

    public func send(_ request: ModelRequest) async throws(ProviderError) -> ModelReply {
        var messages = request.messages.map { Body.Message(role: $0.role.rawValue, content: .text($0.text)) }
        if marksCache, let last = request.messages.indices.last, request.messages[last].role == .user,
            let blocks = Self.cachedBlocks(
                request.messages[last].text, prefix: request.cacheablePrefix, system: request.system)
        {
            messages[last].content = .blocks(blocks)
        }
        // The API refuses a final assistant message that ends in white space.
        if let prefill = request.prefill?.trimmingWhitespace(), !prefill.isEmpty {
            messages.append(Body.Message(role: ModelRequest.Message.Role.assistant.rawValue, content: .text(prefill)))
        }
        let body = Body(
            model: model, max_tokens: request.maxTokens, system: request.system, messages: messages,
            temperature: request.temperature, stop_sequences: request.stop.isEmpty ? nil : request.stop)
        let (response, latency) = try await endpoint.post(JSON.encode(body))
        guard let reply = try? JSONDecoder().decode(Reply.self, from: Data(response.body)) else {
            throw ProviderError(
                .malformedReply, "anthropic sent a reply that is not a Messages API response: \(JSON.snippet(response))"
            )
        }
        let text = reply.content.filter { $0.type == "text" }.compactMap(\.text).joined()
        let stopReason = reply.stop_reason ?? "unknown"
        let usage = TokenUsage(
            input: reply.usage?.input_tokens ?? 0, output: reply.usage?.output_tokens ?? 0,
            cacheRead: reply.usage?.cache_read_input_tokens ?? 0,
            cacheWrite: reply.usage?.cache_creation_input_tokens ?? 0)
        return ModelReply(
            text: text, stopReason: stopReason, isTruncated: stopReason == "max_tokens", usage: usage,
            model: reply.model ?? model, latency: latency, rateLimit: RateLimitStatus(response))
    }

    /// The user message as two text blocks, the stable prefix marked `cache_control: ephemeral` (which caches the
    /// system prompt before it too), when that prefix is long enough to be cached: about four characters a token.
    static func cachedBlocks(_ text: String, prefix: Int?, system: String?) -> [Body.Block]? {
        guard let prefix, prefix > 0, prefix < text.count,
            ((system?.utf8.count ?? 0) + text.utf8.count * prefix / max(text.count, 1)) / 4 >= cacheMinimumTokens
        else { return nil }
        let cut = text.index(text.startIndex, offsetBy: prefix)
        return [
            Body.Block(text: String(text[..<cut]), cache_control: .init()),
            Body.Block(text: String(text[cut...]), cache_control: nil),
        ]
    }

    struct Body: Encodable {
        struct Message: Encodable {
            var role: String
            var content: Content
        }

        /// A message's content: plain text, or text blocks when part of it is marked for the cache.
        enum Content: Encodable {
            case text(String)
            case blocks([Block])

            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                switch self {
                case .text(let text): try container.encode(text)
                case .blocks(let blocks): try container.encode(blocks)
                }
            }
        }

        struct Block: Encodable {
            struct CacheControl: Encodable {
                var type = "ephemeral"
            }

            var type = "text"
            var text: String
            var cache_control: CacheControl?
        }

        var model: String
        var max_tokens: Int
        var system: String?
        var messages: [Message]
        var temperature: Double?
        var stop_sequences: [String]?
    }

    private struct Reply: Decodable {
        struct Block: Decodable {
            var type: String
            var text: String?
        }

        struct Usage: Decodable {
            var input_tokens: Int?
            var output_tokens: Int?
            var cache_read_input_tokens: Int?
            var cache_creation_input_tokens: Int?
        }

        var model: String?
        var content: [Block]
        var stop_reason: String?
        var usage: Usage?
    }
}
