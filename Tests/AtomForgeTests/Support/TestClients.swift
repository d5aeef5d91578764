import AtomForge
import Foundation
import Logging

/// Model clients pointed at a test server, with a fast backoff so retry tests take milliseconds, not seconds.
enum TestClients {
    static let transport = CurlTransport()

    static func settings(
        _ kind: ProviderKind, baseURL: String, keyVariable: String? = nil, sampling: Bool = true,
        timeout: Double = 10, maxRetries: Int = 4
    ) -> ProviderSettings {
        var settings = ProviderSettings()
        settings.kind = kind
        settings.baseURL = kind == .openai ? baseURL + "/v1" : baseURL
        settings.model = "test-model"
        settings.apiKeyEnvironmentVariable = keyVariable
        settings.sampling = sampling
        settings.timeoutSeconds = timeout
        settings.connectTimeoutSeconds = 2
        settings.maxRetries = maxRetries
        return settings
    }

    static func client(
        _ kind: ProviderKind, baseURL: String, key: String? = nil, sampling: Bool = true, timeout: Double = 10,
        maxRetries: Int = 4, initialDelay: Duration = .milliseconds(10), rateLimiter: RateLimiter = RateLimiter(),
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws -> ModelClient {
        let settings = settings(
            kind, baseURL: baseURL, keyVariable: key == nil ? nil : "TEST_API_KEY", sampling: sampling,
            timeout: timeout, maxRetries: maxRetries)
        let made = try ModelClient.make(
            settings: settings, rateLimiter: rateLimiter, transport: transport,
            environment: key.map { ["TEST_API_KEY": $0] } ?? [:], logger: logger)
        return ModelClient(
            provider: made.provider, retryPolicy: RetryPolicy(maxRetries: maxRetries, initialDelay: initialDelay),
            rateLimiter: rateLimiter, sendsSampling: made.sendsSampling, prefillsCode: made.prefillsCode,
            logger: logger)
    }

    /// A request whose last message is `text`; echo servers answer with it.
    static func request(_ text: String, maxTokens: Int = 64, temperature: Double? = 0.5) -> ModelRequest {
        ModelRequest(system: "You write code.", prompt: text, maxTokens: maxTokens, temperature: temperature)
    }
}
