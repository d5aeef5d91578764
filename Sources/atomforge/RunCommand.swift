import AtomForge
import ArgumentParser
import Foundation

/// `atomforge run PLAN`: one plan in the foreground, with the same engine and outbox as the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Generate one plan in the foreground and write its results to the outbox.",
        discussion: """
            Generates every atom in dependency order, validates it, retries failures with the errors fed back, and \
            writes outbox/<plan>/: src/ (the assembled files), atoms/<id>/ (code and report.json), review/ (what \
            did not pass), summary.json, summary.md and progress.json. Running an interrupted plan again continues \
            it without calling the model for atoms already finished.

            Example:
              atomforge run examples/plans/textkit.yaml --config pipeline.yaml

            Exit codes: 0 every atom passed, 1 some failed or were blocked (see review/), 2 invalid plan or config, \
            3 stopped by budget.tokens_per_plan.
            """
    )

    @Argument(help: "The plan file (YAML or JSON).", completion: .file(extensions: ["yaml", "yml", "json"]))
    var plan: String

    @Option(help: "The pipeline settings file.")
    var config = "pipeline.yaml"

    @Option(help: "Write results here instead of the config's paths.outbox.")
    var outbox: String?

    @Option(help: .hidden)
    var scheduling: String = Scheduler.Mode.dependency.rawValue

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
        let client: ModelClient
        do {
            client = try ModelClient.make(
                settings: settings.provider, rateLimiter: RateLimiter(settings.execution), transport: CurlTransport(),
                environment: ProcessInfo.processInfo.environment, logger: logger)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let services = EngineServices(
            config: settings, client: client, schedulingMode: Scheduler.Mode(rawValue: scheduling) ?? .dependency,
            logger: logger)
        let outcome = await PlanJob.run(planAt: plan, outbox: outbox ?? settings.outboxPath, services: services)
        for message in outcome.messages { print(message) }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
