import ArgumentParser
import AtomForge
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `atomforge watch`: the daemon. Runs until SIGTERM or SIGINT, then stops gracefully and exits 0.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch the inbox and generate every plan dropped there, until SIGTERM or SIGINT.",
        discussion: """
            Producers should write a plan under a temporary name (a dotfile, or *.tmp / *.part) and rename it into \
            the inbox: the rename is atomic, so AtomForge never reads half a plan. A file written in place is taken \
            when it is closed. Each plan is claimed by renaming it into outbox/<plan>/ before any work, so two \
            daemons on one inbox never take the same plan; a file that is not a valid plan goes to \
            outbox/_rejected/ with an .error.txt beside it.

            On SIGTERM or SIGINT no new atom or attempt starts; calls in flight finish within --grace-period, \
            then the daemon exits 0. Unfinished plans resume at the next start without calling the model again for \
            atoms already finished. When the provider cannot be reached (or refuses the key or the model), the \
            plan is kept unfinished and tried again after --outage-delay, then twice as long each time. A plan \
            dropped again with the same text continues its run: passed atoms are kept, the others generated again.

            Example:
              atomforge watch --config pipeline.yaml
            """
    )

    @Option(help: "The pipeline settings file; inbox and outbox paths in it are relative to it.")
    var config = "pipeline.yaml"

    @OptionGroup var shutdown: ShutdownOptions

    @Option(
        help: ArgumentHelp(
            "Seconds to wait before trying a plan again when the provider could not be reached; each further try "
                + "waits twice as long, up to 5 minutes."))
    var outageDelay: Double = 5

    @Flag(help: "Create the inbox when it does not exist, rather than refuse.")
    var create = false

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard outageDelay >= 0, outageDelay <= 86_400 else {
            throw ValidationError("--outage-delay must be from 0 to 86400 seconds (found \(outageDelay))")
        }
    }

    func run() async throws {
        // In the foreground on a terminal, the plans' events are the progress display, not log lines.
        let progress = showsProgress(logging) ? TerminalProgress(announcesPlans: true) : nil
        let logger = logging.bootstrap(hidingRunEvents: progress != nil)
        guard let settings = loadConfig(config) else { throw ExitCode(2) }
        // A mistyped paths.inbox would otherwise be watched, empty, for ever.
        if let problem = Self.inboxProblem(settings.inboxPath, create: create, config: config) {
            printError(problem)
            throw ExitCode(2)
        }
        let metrics = MetricsTextfile.bootstrap(settings)
        let client: ModelClient
        let escalation: ModelClient?
        do {
            client = try makeClient(settings, logger: logger)
            escalation = try makeEscalationClient(settings, logger: logger)
        } catch {
            printError(error.message)
            throw ExitCode(2)
        }
        // Under systemd (Type=notify): READY=1 once the model server answers and the inbox is watched, STATUS=
        // lines as plans run, WATCHDOG=1 when WatchdogSec is set, STOPPING=1 when a shutdown begins.
        let notifier = SystemdNotifier()
        var services = EngineServices(config: settings, client: client, escalationClient: escalation, logger: logger)
        if let progress { services.observers.append(progress) }
        if let notifier { services.observers.append(SystemdStatus(notifier: notifier)) }
        if metrics != nil { services.observers.append(RunMetrics(provider: settings.provider)) }
        // In the shared outbox, for `atomforge health` and for people: this daemon, and whether it takes plans.
        let hostStatus = HostStatus(outbox: settings.outboxPath, inbox: settings.inboxPath)
        // Kept fresh while the model servers start (they may take minutes), so that a liveness probe passes.
        let starting = Task {
            while !Task.isCancelled {
                try? await BlockingIO.run { () throws(OutboxError) in try hostStatus.write() }
                try? await Task.sleep(for: hostStatus.interval)
            }
        }
        let servers: [LocalServer]
        do {
            servers = try await ServiceRuntime.startModelServers(settings, logger: logger)
            // Its write in flight finishes first: none may land after the state changes or the file is removed.
            starting.cancel()
            await starting.value
        } catch {
            starting.cancel()
            await starting.value
            await BlockingIO.run { hostStatus.remove() }
            throw error
        }
        let watch = InboxWatch.choose(for: settings.inboxPath, settings: settings.paths)
        let inbox = InboxService(
            inbox: settings.inboxPath, outbox: settings.outboxPath, services: services,
            outageDelay: .seconds(max(0.1, outageDelay)), logger: logger,
            onPhase: { phase in
                switch phase {
                case .watching:
                    notifier?.ready(status: "watching the inbox")
                    hostStatus.set(.watching, watch: watch.description)
                case .stopping(let plans):
                    notifier?.stopping(status: "stopping: \(plans) plan(s) finishing calls in flight")
                    hostStatus.set(.stopping)
                }
            }, watch: watch)
        // Listed first, the metrics file, the watchdog and the model server are shut down last: after the inbox has
        // finished its calls in flight. The grace bounds the whole shutdown: once it is over, the group cancels what
        // still runs, these services with the calls (each still ends its own way: the file removed, the server
        // stopped with SIGTERM, then SIGKILL).
        var members: [any Service] = [HostStatusService(status: hostStatus, logger: logger)]
        members += [metrics].compactMap { $0 } as [any Service]
        if let notifier, let interval = notifier.watchdogInterval {
            members.append(WatchdogService(notifier: notifier, interval: interval))
        }
        members += servers as [any Service]
        members.append(inbox)
        var configuration = ServiceGroupConfiguration(
            services: members.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        // The grace a shutdown gives the plans' calls in flight; then the group cancels what is left.
        configuration.maximumGracefulShutdownDuration = shutdown.duration
        let group = ServiceGroup(configuration: configuration)
        do {
            try await progress.showing { try await group.run() }
        } catch {
            printError("atomforge watch stopped: \(error)")
            throw ExitCode(1)
        }
    }

    /// Why the daemon cannot watch `inbox`, or nil: it is a folder, or `create` makes it one.
    static func inboxProblem(_ inbox: String, create: Bool, config: String) -> String? {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: inbox, isDirectory: &isDirectory)
        if exists, !isDirectory.boolValue {
            return "the inbox \(inbox) is a file, not a folder; fix paths.inbox in \(config)"
        }
        if !exists, !create {
            return "the inbox \(inbox) does not exist; create it, fix paths.inbox in \(config), or pass --create"
        }
        return nil
    }
}
