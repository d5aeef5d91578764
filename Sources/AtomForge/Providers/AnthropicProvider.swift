import Foundation

/// Anthropic's Messages API: `POST {base_url}/v1/messages` with `x-api-key` and `anthropic-version`.
public struct AnthropicProvider: ModelProvider, CustomStringConvertible {
    public static let apiVersion = "2023-06-01"

    public let kind = ProviderKind.anthropic
    public let model: String
    private let endpoint: ProviderEndpoint

    public init(settings: ProviderSettings, key: APIKey?, transport: any HTTPTransport) {
        model = settings.model
        let headers: [(name: String, value: String)] = [("anthropic-version", Self.apiVersion)]
        endpoint = ProviderEndpoint(
            transport: transport, url: settings.baseURL.trimmingSuffix("/") + "/v1/messages", headers: headers,
            credential: .init(header: "x-api-key", prefix: ""),
            timeout: .seconds(settings.timeoutSeconds), connectTimeout: .seconds(settings.connectTimeoutSeconds),
            key: key, providerName: "anthropic", model: settings.model)
    }

    public var description: String { endpoint.description }

    public func send(_ request: ModelRequest) async throws(ProviderError) -> ModelReply {
        var messages = request.messages.map { Body.Message(role: $0.role.rawValue, content: $0.text) }
        // The API refuses a final assistant message that ends in white space.
        if let prefill = request.prefill?.trimmingWhitespace(), !prefill.isEmpty {
            messages.append(Body.Message(role: ModelRequest.Message.Role.assistant.rawValue, content: prefill))
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

    private struct Body: Encodable {
        struct Message: Encodable {
            var role: String
            var content: String
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
