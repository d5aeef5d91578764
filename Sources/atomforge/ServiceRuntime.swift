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
        return try await start(server, settings, log: "model-server.log", logger: logger)
    }

    /// The model servers a run needs: the provider's, then the escalation model's, each started and ready.
    static func startModelServers(_ settings: PipelineConfig, logger: Logger) async throws -> [LocalServer] {
        var servers: [LocalServer] = []
        if let server = try await startModelServer(settings, logger: logger) { servers.append(server) }
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
