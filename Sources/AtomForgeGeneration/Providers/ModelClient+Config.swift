import AtomForgeModel
import AtomForgeSystem
import Logging

extension ModelClient {
    /// The client `settings` describe: its provider, its retry policy, and the key from the environment.
    ///
    /// A key that is required but missing is reported here, naming the variable, before any request is made.
    /// Anthropic always needs one; an OpenAI-compatible server needs one only when `api_key_env` is set.
    public static func make(
        settings: ProviderSettings, rateLimiter: RateLimiter, transport: any HTTPTransport,
        environment: [String: String], logger: Logger
    ) throws(ProviderError) -> ModelClient {
        var key: APIKey?
        if let variable = settings.apiKeyEnvironmentVariable {
            key = APIKey.fromEnvironment(variable, environment: environment)
            if key == nil {
                throw ProviderError(
                    .missingAPIKey,
                    "the environment variable \(variable) is not set; export it with your \(settings.kind.rawValue) "
                        + "API key (provider.api_key_env names it)")
            }
        }
        let provider: any ModelProvider =
            switch settings.kind {
            case .anthropic: AnthropicProvider(settings: settings, key: key, transport: transport)
            case .openai: OpenAIProvider(settings: settings, key: key, transport: transport)
            }
        return ModelClient(
            provider: provider, retryPolicy: RetryPolicy(maxRetries: settings.maxRetries), rateLimiter: rateLimiter,
            sendsSampling: settings.sampling, prefillsCode: settings.prefill, logger: logger)
    }
}

extension RateLimiter {
    /// The limiter `execution` describes.
    public init(_ execution: ExecutionSettings) {
        self.init(
            requestsPerMinute: execution.requestsPerMinute, outputTokensPerMinute: execution.outputTokensPerMinute)
    }
}
