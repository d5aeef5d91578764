import AtomForge
import AtomForgeTestSupport
import Foundation
import Glibc
import Synchronization

/// A real server on loopback that a test starts, waits for, and stops: llm-katan or the project's scripted server.
final class ServerProcess: Sendable {
    let port: Int
    let process: ChildProcess
    private let logPath: String

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, process: ChildProcess, logPath: String) {
        self.port = port
        self.process = process
        self.logPath = logPath
    }

    deinit {
        // A test that forgot `stop()` must not leave a server behind.
        process.signal(SIGKILL)
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// Starts `executable arguments…` (with `{port}` replaced by a free port) and waits until `healthPath` answers 200.
    static func start(
        _ executable: String, _ arguments: [String], healthPath: String = "/health",
        environment: [String: String] = [:]
    ) async throws -> ServerProcess {
        let port = try freePort()
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent(
            "server-\(port)-\(UUID().uuidString).log"
        ).path
        var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("LLM_KATAN_") }
        merged.merge(environment) { $1 }
        let process = try await ChildProcess.spawn(
            executable, arguments.map { $0.replacingOccurrences(of: "{port}", with: "\(port)") }, environment: merged,
            output: .file(logPath))
        let server = ServerProcess(port: port, process: process, logPath: logPath)
        let transport = CurlTransport()
        // Generous: CI starts these Python servers beside the other suites on two cores.
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if !process.isRunning { throw ServerError.exited(server.log) }
            let probe = HTTPRequest(url: server.baseURL + healthPath, timeout: .seconds(2), connectTimeout: .seconds(1))
            if let response = try? await transport.send(probe), response.status == 200 { return server }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServerError.notReady(server.log)
    }

    /// The project's scripted server (`Tests/Servers/scripted_server.py`).
    static func scripted() async throws -> ServerProcess {
        try await start("python3", [RepositoryFiles.path("Tests/Servers/scripted_server.py"), "--port", "{port}"])
    }

    /// llm-katan from the virtual environment `scripts/install-deps` made, echo backend, both APIs.
    static func llmKatan(_ extraArguments: [String] = []) async throws -> ServerProcess {
        let executable = RepositoryFiles.path(".venv/bin/llm-katan")
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ServerError.notInstalled(executable)
        }
        return try await start(
            executable,
            [
                "-m", "test-model", "--backend", "echo", "--providers", "anthropic,openai", "--host", "127.0.0.1",
                "--port", "{port}", "--max-concurrent", "64", "--stats-file", "",
            ] + extraArguments)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Stops the server with SIGTERM (SIGKILL after two seconds).
    func stop() async {
        await process.stop(grace: .seconds(2))
    }

    /// A port nothing listens on right now: bind to port 0, read the port the kernel chose, close.
    /// Ports handed out by ``freePort()`` in this process: never handed out twice, so that two servers of tests
    /// running at once cannot be given the same port between its release here and their own bind.
    private static let handedOut = Mutex<Set<Int>>([])

    /// A port for a test's server: free now, never given out before in this process, and below the kernel's
    /// ephemeral range (`ip_local_port_range`), so that no outgoing connection of the tests (curl's, the
    /// binary's) can be holding it as its own local port when the server binds it.
    static func freePort() throws -> Int {
        let ephemeralStart = ephemeralRangeStart()
        let range = 20_000..<max(20_001, min(ephemeralStart, 32_768))
        for _ in 0..<1_000 {
            let port = Int.random(in: range)
            guard isFree(port), handedOut.withLock({ $0.insert(port).inserted }) else { continue }
            return port
        }
        throw ServerError.noPort
    }

    /// The first port the kernel uses for outgoing connections (32768 unless configured otherwise).
    private static func ephemeralRangeStart() -> Int {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    }

    /// Whether `port` on 127.0.0.1 can be bound now.
    private static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    enum ServerError: Error, CustomStringConvertible {
        case exited(String)
        case notReady(String)
        case notInstalled(String)
        case noPort

        var description: String {
            switch self {
            case .exited(let log): "the server exited at start:\n\(log)"
            case .notReady(let log): "the server did not become ready in 120 s:\n\(log)"
            case .notInstalled(let path): "\(path) is missing: run scripts/install-deps"
            case .noPort: "no free port"
            }
        }
    }
}
