import ArgumentParser
import AtomForge
import Logging
import ServiceLifecycle

/// What `run`, `retry` and `accept` share once they know which job to do: the progress display on a terminal, the
/// output format (lines, one JSON object, or a stream of events), metrics, the model servers the job needs, and a
/// graceful stop on SIGTERM or SIGINT.
struct PlanJobCommand {
    let settings: PipelineConfig
    let output: CommandOutput
    let progress: TerminalProgress?
    let logger: Logger
    /// The plan file, as GitHub Actions annotations name it.
    let planFile: String?
    /// How long calls in flight may go on after SIGTERM or Ctrl-C before they are cancelled.
    let gracePeriod: Duration

    /// Sets up logging for a command that runs a job: on a terminal with text logs, the run's events are shown as
    /// progress instead of log lines. Nil after printing why the config cannot be used.
    init?(
        config: ConfigSource, logging: LoggingOptions, format: OutputFormat, planFile: String? = nil,
        shutdown: ShutdownOptions
    ) {
        gracePeriod = shutdown.duration
        progress = showsProgress(logging) ? TerminalProgress() : nil
        logger = logging.bootstrap(hidingRunEvents: progress != nil)
        output = CommandOutput(format: format)
        self.planFile = planFile
        guard let settings = config.load() else {
            output.result(exitCode: 2, folder: nil, messages: [], problems: ["the config \(config.shown) is not valid"])
            return nil
        }
        self.settings = settings
    }

    /// The run folder `retry` and `accept` name, locked: waiting while another process runs it, unless `noWait`. A
    /// folder that cannot be had ends the command, saying why (a busy one is exit 1, as for `run`).
    func openRunFolder(_ folder: String, noWait: Bool) async throws -> PlanClaim.Claimed {
        let path = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        let options = RunFolder.Options(whenRunning: noWait ? .refuse : .wait, onWait: { printError($0) })
        switch await PlanClaim.claim(.runFolder(path), outbox: settings.outboxPath, options: options) {
        case .success(let claimed):
            return claimed
        case .failure(let failure):
            throw refuse(["\(failure)"], exitCode: failure.isBusy ? 1 : 2, ending: failure.isBusy ? .busy : .invalid)
        }
    }

    /// Ends the command before the job, with `problems` said as the format wants (on stderr, and in the JSON).
    func refuse(_ problems: [String], exitCode: Int32 = 2, ending: RunEnding? = nil) -> ExitCode {
        for problem in problems { printError(problem) }
        output.result(exitCode: exitCode, folder: nil, messages: [], problems: problems, ending: ending)
        return ExitCode(exitCode)
    }

    /// Runs `job` with the engine, starting the model servers only when `needsModel`; returns its exit code after
    /// printing its messages and result.
    func run(
        needsModel: Bool, atomLocations: [String: SourceLocation] = [:],
        job: @escaping @Sendable (EngineServices) async -> PlanJob.Outcome
    ) async throws -> Int32 {
        let metrics = MetricsTextfile.bootstrap(settings)
        var observers: [any RunObserver] = []
        if metrics != nil { observers.append(RunMetrics(provider: settings.provider)) }
        if let progress { observers.append(progress) }
        if output.format == .streamJSON { observers.append(EventStream()) }
        let services: EngineServices
        do {
            services = try makeServices(settings, observers: observers, logger: logger)
        } catch {
            throw refuse([error.message], exitCode: error.exitCode)
        }
        let servers: [LocalServer]
        do {
            servers = needsModel ? try await ServiceRuntime.startModelServers(settings, logger: logger) : []
        } catch let exit as ExitCode {
            // The reason is on stderr already; a tool reading the JSON still gets its object.
            output.result(
                exitCode: exit.rawValue, folder: nil, messages: [],
                problems: ["the model server did not start (see standard error)"], ending: .outage)
            throw exit
        }
        let (output, progress, planFile, grace) = (self.output, self.progress, self.planFile, self.gracePeriod)
        let actions = GitHubActions(stream: output.format == .text ? .output : .error)
        return try await ServiceRuntime.run(servers + [metrics].compactMap { $0 }, logger: logger) {
            // Its own task, so that a shutdown can cancel what is still in flight once the grace period is over:
            // transport retries and hanging calls end there, and their atoms are kept unfinished.
            let work = Task { await progress.showing { await job(services) } }
            return await withGracefulShutdownHandler {
                // The group's own cancellation (a service that failed) reaches the job too.
                let outcome = await withTaskCancellationHandler {
                    await work.value
                } onCancel: {
                    work.cancel()
                }
                for message in outcome.messages { output.line(message) }
                if let actions, let folder = outcome.folder, let planFile {
                    actions.report(runIn: folder, plan: planFile, atomLocations: atomLocations)
                }
                output.result(
                    exitCode: outcome.exitCode, folder: outcome.folder, messages: outcome.messages,
                    summary: outcome.summary, ending: outcome.ending)
                return outcome.exitCode
            } onGracefulShutdown: {
                services.stop.request()
                Task {
                    try? await Task.sleep(for: grace)
                    work.cancel()
                }
            }
        }
    }
}
