import ArgumentParser
import AtomForge
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Runs a command's work as a service group: the configured model server first (started and ready before anything
/// else), then the work itself. SIGTERM and SIGINT shut the group down gracefully, in reverse order, so the model
/// server is stopped last and never outlives AtomForge.
enum ServiceRuntime {
    /// Starts the model server `settings` describe, if any; nil when the provider is remote. A server that cannot
    /// start is reported and ends the command with exit status 2.
    static func startModelServer(_ settings: PipelineConfig, logger: Logger) async throws -> LocalServer? {
        guard let server = settings.server else { return nil }
        return try await interruptible {
            [try await start(server, settings, log: "model-server.log", logger: logger)]
        }.first
    }

    /// The model servers a run needs: the provider's, then the escalation model's, each started and ready.
    static func startModelServers(_ settings: PipelineConfig, logger: Logger) async throws -> [LocalServer] {
        guard settings.server != nil || settings.escalation?.server != nil else { return [] }
        return try await interruptible { try await startEach(settings, logger: logger) }
    }

    /// Runs `start` while listening for SIGTERM and SIGINT, which the service group does not hear yet: a signal
    /// while a server starts (which can take `server.startup_timeout_s`) cancels the start, which stops the server
    /// process, and ends the command with exit status 1 — never AtomForge killed with its server left running.
    private static func interruptible(
        _ start: @escaping @Sendable () async throws -> [LocalServer]
    ) async throws -> [LocalServer] {
        enum Event: Sendable {
            case started([LocalServer])
            case signal
            case listeningEnded
        }
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let (servers, signalled) = try await withThrowingTaskGroup(of: Event.self) { group in
            group.addTask { .started(try await start()) }
            group.addTask {
                for await _ in signals { return .signal }
                return .listeningEnded
            }
            var servers: [LocalServer] = []
            var signalled = false
            var failure: (any Error)?
            // Every child's end is collected: a start that finished just as a signal came still has its servers
            // stopped below.
            while let result = await group.nextResult() {
                switch result {
                case .success(.started(let started)): servers = started
                case .success(.signal): signalled = true
                case .success(.listeningEnded): break
                case .failure(let error): failure = failure ?? error
                }
                group.cancelAll()
            }
            if let failure, !signalled { throw failure }
            return (servers, signalled)
        }
        guard !signalled else {
            for server in servers { await server.stop() }
            printError("stopped while the model server was starting; it is stopped too")
            throw ExitCode(1)
        }
        return servers
    }

    private static func startEach(_ settings: PipelineConfig, logger: Logger) async throws -> [LocalServer] {
        var servers: [LocalServer] = []
        if let server = settings.server {
            servers.append(try await start(server, settings, log: "model-server.log", logger: logger))
        }
        if let escalation = settings.escalation?.server, settings.generation.escalates {
            do {
                servers.append(try await start(escalation, settings, log: "escalation-server.log", logger: logger))
            } catch {
                for server in servers { await server.stop() }
                throw error
            }
        }
        return servers
    }

    private static func start(
        _ server: ServerSettings, _ settings: PipelineConfig, log: String, logger: Logger
    ) async throws -> LocalServer {
        let local = LocalServer(
            settings: server, configDirectory: settings.directory, logPath: settings.outboxPath + "/_server/" + log,
            logger: logger)
        do {
            try await local.start()
        } catch {
            // Cancelled by a signal: the caller says so.
            if Task.isCancelled { throw CancellationError() }
            printError("cannot start the model server (\(server.command)): \(error)")
            throw ExitCode(2)
        }
        return local
    }

    /// Runs `services` and then `work` in one group; returns `work`'s exit code.
    static func run(
        _ services: [any Service], logger: Logger, work: @escaping @Sendable () async -> Int32
    ) async throws -> Int32 {
        let job = JobService(work: work)
        var configurations = services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
        configurations.append(.init(service: job, successTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: configurations, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [],
                logger: logger))
        try await group.run()
        return job.exitCode.withLock { $0 }
    }
}

/// A service that does one job and ends, which ends the group.
final class JobService: Service {
    let work: @Sendable () async -> Int32
    let exitCode = Mutex<Int32>(0)

    init(work: @escaping @Sendable () async -> Int32) {
        self.work = work
    }

    func run() async throws {
        let code = await work()
        exitCode.withLock { $0 = code }
    }
}
