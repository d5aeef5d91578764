import ArgumentParser
import AtomForge
import Foundation
import Logging
import ServiceLifecycle

/// `atomforge run PLAN`: one plan in the foreground, with the same engine and outbox as the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Generate one plan in the foreground and write its results to the outbox.",
        discussion: """
            Generates every atom in dependency order, validates it, retries failures with the errors fed back, and \
            writes outbox/<plan>/: src/ (the assembled files), atoms/<id>/ (code and report.json), review/ (what \
            did not pass), summary.json, summary.md and progress.json. Running a plan again goes on with its \
            earlier run: an interrupted one is resumed without calling the model for atoms already finished, a \
            finished one keeps its passed atoms and generates the others again (--fresh starts over in a new \
            folder). A second run of a plan that is running waits for the first (--no-wait refuses instead). With a \
            `server:` section in the config, the model server is started first and stopped at the end.

            Example:
              atomforge run examples/plans/textkit.yaml --config pipeline.yaml

            Exit codes: 0 every atom passed, 1 some failed or were blocked (see review/), 2 invalid plan or config \
            (or a model server that cannot start), 3 stopped by budget.tokens_per_plan or cost_per_plan, 4 the provider could not be \
            reached (the run is kept unfinished: run the plan again to go on).
            """
    )

    @Argument(help: "The plan file (YAML or JSON).", completion: .file(extensions: ["yaml", "yml", "json"]))
    var plan: String

    @Option(help: "The pipeline settings file.")
    var config = "pipeline.yaml"

    @Option(help: "Write results here instead of the config's paths.outbox.")
    var outbox: String?

    @Flag(help: "Start over in a new folder even when the outbox holds a run of this plan.")
    var fresh = false

    @Flag(help: "Refuse, rather than wait, when another process is running this plan.")
    var noWait = false

    @Option(
        help: ArgumentHelp(
            "text (lines for a person), json (one JSON object on stdout: summary.json with exit_code, folder "
                + "and messages; the lines go to stderr) or stream-json (one JSON event a line as the run goes, "
                + "the same object last; see docs/events.md)."))
    var outputFormat = OutputFormat.text

    @OptionGroup var shutdown: ShutdownOptions

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        guard
            let command = PlanJobCommand(
                config: .file(config), logging: logging, format: outputFormat, planFile: plan, shutdown: shutdown)
        else { throw ExitCode(2) }
        // The plan is checked and its run folder taken before any server starts or any model is called: an invalid
        // plan is reported on stderr, like a compiler; a second run of the plan waits here for the first (whose
        // model server holds the port); a run with nothing left to generate starts no server.
        let options = RunFolder.Options(
            fresh: fresh, whenRunning: noWait ? .refuse : .wait, onWait: { printError($0) })
        let prepared: PlanClaim.Claimed
        switch await PlanClaim.claim(.file(plan), outbox: outbox ?? command.settings.outboxPath, options: options) {
        case .success(let claimed):
            prepared = claimed
        case .failure(.invalid(let check, let file)):
            let actions = GitHubActions(stream: outputFormat == .text ? .output : .error)
            for diagnostic in check.diagnostics { actions?.annotate(diagnostic, in: file) }
            throw command.refuse(check.diagnostics.map { $0.described(in: file) })
        case .failure(.folder(let error)):
            let message =
                error.isBusy ? "\(error) (without --no-wait, it waits)" : "cannot prepare the outbox: \(error)"
            throw command.refuse([message], exitCode: 1, ending: error.isBusy ? .busy : .unwritable)
        }
        // Under GitHub Actions, an atom that did not pass is annotated at its line of the plan file.
        let locations = Dictionary(
            prepared.plan.atoms.compactMap { atom in atom.location.map { (atom.id, $0) } },
            uniquingKeysWith: { first, _ in first })
        let code = try await command.run(
            needsModel: PlanJob.hasWork(prepared.plan, in: prepared.folder), atomLocations: locations
        ) { services in
            await PlanJob.run(prepared.plan, in: prepared.folder, services: services)
        }
        if code != 0 { throw ExitCode(code) }
    }
}

/// Whether a command shows the progress display: standard error is a terminal, and the log is text for a person.
func showsProgress(_ logging: LoggingOptions) -> Bool {
    Console.shared.errorIsTerminal && logging.logFormat == .text
}

extension Optional where Wrapped == TerminalProgress {
    /// Runs `work` with the status line drawn once a second, and cleared when it ends.
    func showing<T: Sendable>(_ work: () async throws -> T) async rethrows -> T {
        guard let progress = self else { return try await work() }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                progress.tick()
            }
        }
        defer {
            ticker.cancel()
            progress.clear()
        }
        return try await work()
    }
}

/// Why a command cannot go on, and the exit code it ends with: said by the command in its output format.
struct CommandProblem: Error {
    var message: String
    var exitCode: Int32 = 2
}

/// The engine a command runs plans with; what to fix when it cannot be had (a missing key variable).
func makeServices(
    _ settings: PipelineConfig, observers: [any RunObserver] = [], logger: Logger
) throws(CommandProblem) -> EngineServices {
    let client = try makeClient(settings, logger: logger)
    let escalation = try makeEscalationClient(settings, logger: logger)
    // `auto` takes the strongest isolation the machine allows; when that is weaker than bubblewrap, say so.
    if settings.validation.isolation == .auto, Sandbox.best != .bubblewrap {
        let warning =
            "validation.isolation auto: bubblewrap cannot run here, so generated code runs under "
            + "\(Sandbox.best.rawValue), which lets it read what AtomForge's user can read and write where it can "
            + "(see docs/sandbox.md); install bubblewrap (scripts/install-deps) or allow user namespaces"
        logger.warning("\(warning)")
    }
    var services = EngineServices(
        config: settings, client: client, escalationClient: escalation, logger: logger)
    services.observers = observers
    return services
}

/// The config at `path`, or nil after printing every problem it has.
func loadConfig(_ path: String) -> PipelineConfig? {
    do {
        return try PipelineConfig.load(fromFile: path)
    } catch {
        printError(error.description)
        return nil
    }
}

/// The client of the `escalation` model; nil when the ladder does not escalate.
func makeEscalationClient(_ settings: PipelineConfig, logger: Logger) throws(CommandProblem) -> ModelClient? {
    guard let escalation = settings.escalation, settings.generation.escalates else { return nil }
    do {
        return try ModelClient.make(
            settings: escalation.provider, rateLimiter: RateLimiter(settings.execution), transport: CurlTransport(),
            environment: ProcessInfo.processInfo.environment, logger: logger)
    } catch {
        throw CommandProblem(message: "escalation: \(error.description)")
    }
}

/// The model client the config describes; what to fix when it cannot be made (a missing key variable).
func makeClient(_ settings: PipelineConfig, logger: Logger) throws(CommandProblem) -> ModelClient {
    do {
        return try ModelClient.make(
            settings: settings.provider, rateLimiter: RateLimiter(settings.execution), transport: CurlTransport(),
            environment: ProcessInfo.processInfo.environment, logger: logger)
    } catch {
        throw CommandProblem(message: error.description)
    }
}
