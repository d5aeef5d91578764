import AtomForgeModel
import AtomForgeSystem
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A model server that AtomForge starts itself, for the embedded default: `llama-server` with a small local model.
///
/// ``start()`` checks that the port is free and the model files exist, starts the server (its output goes to a log
/// file in the outbox), and waits until its readiness URL answers; each failure is an error that says what to do.
/// As a ``Service`` it then watches the server, restarts it if it dies, and stops it (SIGTERM, then SIGKILL) on
/// graceful shutdown or cancellation.
public final class LocalServer: Service, Sendable {
    public let settings: ServerSettings
    private let directory: String
    public let logPath: String
    private let logger: Logger
    private let child = Mutex<ChildProcess?>(nil)

    public init(settings: ServerSettings, configDirectory: String, logPath: String, logger: Logger) {
        self.settings = settings
        self.directory = configDirectory
        self.logPath = logPath
        self.logger = logger
    }

    /// The running server's process id, if one was started.
    public var pid: Int32? { child.withLock { $0?.pid } }

    public var readyURL: String { settings.readyURL ?? "http://127.0.0.1:\(settings.port)/health" }

    private func resolve(_ path: String) -> String {
        path.hasPrefix("/") || !path.contains("/") ? path : directory + "/" + path
    }

    /// Starts the server and waits until it is ready.
    public func start() async throws(LocalServerError) {
        for file in settings.requiredFiles where !FileManager.default.fileExists(atPath: resolve(file)) {
            throw LocalServerError(
                "the model server needs \(resolve(file)), which does not exist; run scripts/setup-local-model "
                    + "(or fix server.required_files in the config)")
        }
        if LoopbackPort.isListening(settings.port) {
            throw LocalServerError(
                "port \(settings.port) is already in use; stop what listens there, or change server.port and "
                    + "provider.base_url together")
        }
        try await launch()
        let transport = CurlTransport()
        let deadline = ContinuousClock.now + .seconds(settings.startupTimeoutSeconds)
        while ContinuousClock.now < deadline {
            guard let process = child.withLock({ $0 }), process.isRunning else {
                throw LocalServerError("the model server exited while starting:\n\(logTail())")
            }
            let probe = HTTPRequest(url: readyURL, timeout: .seconds(2), connectTimeout: .seconds(1))
            if let response = try? await transport.send(probe), response.status == 200 {
                logger.info("model server ready at \(readyURL) (log: \(logPath))")
                return
            }
            do {
                try await Task.sleep(for: .milliseconds(100))
            } catch {
                await stop()
                throw LocalServerError("cancelled while the model server was starting")
            }
        }
        await stop()
        throw LocalServerError(
            "the model server did not become ready at \(readyURL) within \(Int(settings.startupTimeoutSeconds)) s "
                + "(server.startup_timeout_s); its log says:\n\(logTail())")
    }

    private func launch() async throws(LocalServerError) {
        // The log's folder held open while the log is opened in it: a link at `_server` is refused, never followed.
        let folder: OutboxFolder
        do {
            folder = try OutboxFolder.open(
                (logPath as NSString).deletingLastPathComponent, create: true, filesOnly: true)
        } catch {
            throw LocalServerError("cannot write the model server's log: \(error)")
        }
        defer { withExtendedLifetime(folder) {} }
        let log = folder.root + "/" + (logPath as NSString).lastPathComponent
        let arguments = settings.arguments.map { argument in
            let replaced = argument.replacing("{port}", with: "\(settings.port)")
            return settings.requiredFiles.contains(replaced) ? resolve(replaced) : replaced
        }
        do {
            let process = try await ChildProcess.spawn(
                resolve(settings.command), arguments, environment: Self.serverEnvironment(), output: .file(log))
            child.withLock { $0 = process }
            logger.info(
                "started model server (pid \(process.pid)): \(settings.command) \(arguments.joined(separator: " "))")
        } catch {
            throw LocalServerError("\(error); check server.command, or run scripts/setup-local-model")
        }
    }

    /// Keeps the server running until shutdown, restarting it if it dies; stops it at the end.
    public func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                if let process = child.withLock({ $0 }), !process.isRunning, settings.restart {
                    logger.warning("the model server exited; restarting it:\n\(logTail())")
                    do {
                        try await start()
                    } catch {
                        logger.error("cannot restart the model server: \(error)")
                        try? await Task.sleep(for: .seconds(5))
                    }
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        } onGracefulShutdown: {
        }
        await stop()
    }

    /// Stops the server: SIGTERM, then SIGKILL after five seconds.
    public func stop() async {
        guard let process = child.withLock({ $0 }) else { return }
        if process.isRunning {
            await process.stop(grace: .seconds(5))
            logger.info("stopped model server (pid \(process.pid))")
        }
    }

    /// The last lines of the server's log, for error messages.
    public func logTail(lines: Int = 15) -> String {
        guard
            let folder = try? OutboxFolder.open(
                (logPath as NSString).deletingLastPathComponent, filesOnly: true)
        else { return "" }
        let text = withExtendedLifetime(folder) {
            (try? String(contentsOfFile: folder.root + "/" + (logPath as NSString).lastPathComponent, encoding: .utf8))
                ?? ""
        }
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }

    /// Only what a server needs: no API keys of AtomForge's own providers.
    static func serverEnvironment() -> [String: String] {
        let environment = ProcessInfo.processInfo.environment
        var kept: [String: String] = [:]
        for name in ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES"] {
            if let value = environment[name] { kept[name] = value }
        }
        return kept
    }
}
