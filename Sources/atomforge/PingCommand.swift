import AtomForge
import ArgumentParser
import Foundation

/// `atomforge ping`: one tiny request to the configured provider, to check the settings before a long run.
struct PingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Send one tiny request to the configured provider and show latency and tokens.",
        discussion: """
            Prints the provider, the model, the latency and the tokens used; on failure, what to fix (a missing \
            key variable, a refused connection, a refused key, an unknown model…).

            Example:
              atomforge ping --config pipeline.yaml

            Exit codes: 0 when the provider answered, 1 when it did not, 2 when the config is invalid.
            """
    )

    @Option(help: "The pipeline settings file.")
    var config = "pipeline.yaml"

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let logger = logging.bootstrap()
        let settings: PipelineConfig
        do {
            settings = try PipelineConfig.load(fromFile: config)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let provider = settings.provider
        print("provider: \(provider.kind.rawValue) at \(provider.baseURL)")
        print("model:    \(provider.model)")
        do {
            let client = try ModelClient.make(
                settings: provider, rateLimiter: RateLimiter(settings.execution), transport: CurlTransport(),
                environment: ProcessInfo.processInfo.environment, logger: logger)
            let request = ModelRequest(
                prompt: "Reply with the single word: pong", maxTokens: 16, temperature: provider.sampling ? 0 : nil)
            let reply = try await client.complete(request)
            print("answer:   \(reply.text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(60)) (\(reply.stopReason))")
            print("served:   \(reply.model)")
            print("latency:  \(String(format: "%.3f", Double(reply.latency.components.seconds) + Double(reply.latency.components.attoseconds) / 1e18)) s")
            print("tokens:   \(reply.usage.input) in, \(reply.usage.output) out")
            if reply.transportRetries > 0 { print("retries:  \(reply.transportRetries)") }
        } catch {
            printError("ping failed: \(error)")
            throw ExitCode(1)
        }
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
