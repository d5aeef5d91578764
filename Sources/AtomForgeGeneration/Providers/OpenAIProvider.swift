import AtomForgeModel
import AtomForgeSystem
import Foundation

/// The OpenAI Chat Completions API, `POST {base_url}/chat/completions` with an optional `Authorization: Bearer`.
/// The same protocol is served by vLLM, llama.cpp's `llama-server`, Ollama and LM Studio.
public struct OpenAIProvider: ModelProvider, CustomStringConvertible {
    public let kind = ProviderKind.openai
    public let model: String
    private let endpoint: ProviderEndpoint

    public init(settings: ProviderSettings, key: APIKey?, transport: any HTTPTransport) {
        model = settings.model
        let headers: [(name: String, value: String)] = []
        endpoint = ProviderEndpoint(
            transport: transport, url: settings.baseURL.trimmingSuffix("/") + "/chat/completions", headers: headers,
            credential: .init(header: "Authorization", prefix: "Bearer "),
            timeout: .seconds(settings.timeoutSeconds), connectTimeout: .seconds(settings.connectTimeoutSeconds),
            key: key, providerName: "openai", model: settings.model)
    }

    public var description: String { endpoint.description }

    public func send(_ request: ModelRequest) async throws(ProviderError) -> ModelReply {
        var messages = request.system.map { [Body.Message(role: "system", content: $0)] } ?? []
        messages += request.messages.map { Body.Message(role: $0.role.rawValue, content: $0.text) }
        if let prefill = request.prefill {
            messages.append(Body.Message(role: ModelRequest.Message.Role.assistant.rawValue, content: prefill))
        }
        let body = Body(
            model: model, messages: messages, max_tokens: request.maxTokens, temperature: request.temperature,
            seed: request.seed, stop: request.stop.isEmpty ? nil : request.stop)
        let (response, latency) = try await endpoint.post(JSON.encode(body))
        guard let reply = try? JSONDecoder().decode(Reply.self, from: Data(response.body)),
            let choice = reply.choices.first
        else {
            throw ProviderError(
                .malformedReply,
                "openai sent a reply that is not a Chat Completions response: \(JSON.snippet(response))")
        }
        let finishReason = choice.finish_reason ?? "unknown"
        let usage = TokenUsage(
            input: reply.usage?.prompt_tokens ?? 0, output: reply.usage?.completion_tokens ?? 0,
            cacheRead: reply.usage?.prompt_tokens_details?.cached_tokens ?? 0)
        return ModelReply(
            text: choice.message?.content ?? "", stopReason: finishReason, isTruncated: finishReason == "length",
            usage: usage, model: reply.model ?? model, latency: latency, rateLimit: RateLimitStatus(response))
    }

    private struct Body: Encodable {
        struct Message: Encodable {
            var role: String
            var content: String
        }

        var model: String
        var messages: [Message]
        var max_tokens: Int
        var temperature: Double?
        var seed: Int?
        var stop: [String]?
    }

    private struct Reply: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable {
                var content: String?
            }

            var message: Message?
            var finish_reason: String?
        }

        struct Usage: Decodable {
            struct PromptDetails: Decodable {
                var cached_tokens: Int?
            }

            var prompt_tokens: Int?
            var completion_tokens: Int?
            var prompt_tokens_details: PromptDetails?
        }

        var model: String?
        var choices: [Choice]
        var usage: Usage?
    }
}
