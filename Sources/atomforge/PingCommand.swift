import ArgumentParser
import AtomForge
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
        guard let settings = loadConfig(config) else { throw ExitCode(2) }
        let provider = settings.provider
        print("provider: \(provider.kind.rawValue) at \(provider.baseURL)")
        print("model:    \(provider.model)")
        let client: ModelClient
        do {
            client = try ModelClient.make(
                settings: provider, rateLimiter: RateLimiter(settings.execution), transport: CurlTransport(),
                environment: ProcessInfo.processInfo.environment, logger: logger)
        } catch {
            printError("ping failed: \(error)")
            throw ExitCode(1)
        }
        let server = try await ServiceRuntime.startModelServer(settings, logger: logger)
        let code = try await ServiceRuntime.run(server.map { [$0] } ?? [], logger: logger) {
            let request = ModelRequest(
                prompt: "Reply with the single word: pong", maxTokens: 16, temperature: provider.sampling ? 0 : nil)
            do {
                let reply = try await client.complete(request)
                let answer = reply.text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(60)
                print("answer:   \(answer) (\(reply.stopReason))")
                print("served:   \(reply.model)")
                print("latency:  \(String(format: "%.3f", reply.latency.seconds)) s")
                print("tokens:   \(reply.usage.input) in, \(reply.usage.output) out")
                if reply.transportRetries > 0 { print("retries:  \(reply.transportRetries)") }
                return 0
            } catch {
                printError("ping failed: \(error)")
                return 1
            }
        }
        if code != 0 { throw ExitCode(code) }
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    Console.shared.write(line + "\n")
}
