import AtomForge
import AtomForgeTestSupport
import Foundation
import Glibc
import Logging
import Testing

/// The managed model server, with the scripted server standing in for llama-server.
@Suite("managed model server", .serialized)
struct LocalServerTests {
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("server-\(UUID().uuidString).log").path

    func settings(_ command: String, _ arguments: [String], port: Int) -> ServerSettings {
        var settings = ServerSettings(command: command, port: port)
        settings.arguments = arguments
        settings.startupTimeoutSeconds = 20
        return settings
    }

    func scriptedServer(port: Int) -> ServerSettings {
        settings("python3", [RepositoryFiles.path("Tests/Servers/scripted_server.py"), "--port", "{port}"], port: port)
    }

    func isAlive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 }

    @Test("starts the server, waits until it is ready, keeps its log, and stops it")
    func startAndStop() async throws {
        let server = LocalServer(
            settings: scriptedServer(port: try ServerProcess.freePort()), configDirectory: "/", logPath: logPath,
            logger: logger)
        try await server.start()
        let response = try await CurlTransport().send(HTTPRequest(url: server.readyURL))
        #expect(response.status == 200)
        #expect(
            server.logTail().contains("READY \(server.settings.port)"), "our own server answered: \(server.logTail())")
        let pid = try #require(server.pid)
        await server.stop()
        #expect(!isAlive(pid))
    }

    @Test("a port already in use is a clear error")
    func portInUse() async throws {
        let other = try await ServerProcess.scripted()
        let server = LocalServer(
            settings: scriptedServer(port: other.port), configDirectory: "/", logPath: logPath, logger: logger)
        await #expect {
            try await server.start()
        } throws: { error in
            "\(error)".contains("port \(other.port) is already in use")
        }
        await other.stop()
    }

    @Test("a missing model file is named, with the command that installs it")
    func missingModel() async throws {
        var settings = scriptedServer(port: try ServerProcess.freePort())
        settings.requiredFiles = [".local/models/absent.gguf"]
        let server = LocalServer(settings: settings, configDirectory: "/srv/forge", logPath: logPath, logger: logger)
        await #expect {
            try await server.start()
        } throws: { error in
            "\(error)".contains(
                "/srv/forge/.local/models/absent.gguf, which does not exist; run scripts/setup-local-model")
        }
    }

    @Test("a server that never becomes ready is stopped and reported")
    func neverReady() async throws {
        var settings = settings("sleep", ["60"], port: try ServerProcess.freePort())
        settings.startupTimeoutSeconds = 1
        let server = LocalServer(settings: settings, configDirectory: "/", logPath: logPath, logger: logger)
        await #expect {
            try await server.start()
        } throws: { error in
            "\(error)".contains("did not become ready")
        }
        #expect(server.pid.map(isAlive) == false)
    }

    @Test("a server that exits at start is reported with its log")
    func exitsAtStart() async throws {
        let server = LocalServer(
            settings: settings("sh", ["-c", "echo cannot load model >&2; exit 1"], port: try ServerProcess.freePort()),
            configDirectory: "/", logPath: logPath, logger: logger)
        await #expect {
            try await server.start()
        } throws: { error in
            "\(error)".contains("exited while starting") && "\(error)".contains("cannot load model")
        }
    }

    @Test("a server that dies is restarted; cancelling the service stops it")
    func restart() async throws {
        let server = LocalServer(
            settings: scriptedServer(port: try ServerProcess.freePort()), configDirectory: "/", logPath: logPath,
            logger: logger)
        try await server.start()
        let first = try #require(server.pid)
        let watching = Task { try await server.run() }
        kill(first, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(20)
        while server.pid == first, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let second = try #require(server.pid)
        #expect(second != first)
        var status = 0
        while status != 200, ContinuousClock.now < deadline {
            status = (try? await CurlTransport().send(HTTPRequest(url: server.readyURL)))?.status ?? 0
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(status == 200)
        watching.cancel()
        try await watching.value
        #expect(!isAlive(second))
    }

    @Test("atomforge run starts the escalation model's server beside the first, uses both, and stops both")
    func escalationServer() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("escalation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (small, large) = (try ServerProcess.freePort(), try ServerProcess.freePort())
        let script = RepositoryFiles.path("Tests/Servers/scripted_server.py")
        try """
        provider: {base_url: "http://127.0.0.1:\(small)/v1", model: small-model, max_retries: 0}
        server: {command: python3, arguments: ["\(script)", "--port", "{port}"], port: \(small)}
        generation:
          ladder: [{kind: sample, temperature: 0.2}, {kind: escalate, temperature: 0.2}]
        escalation:
          provider: {base_url: "http://127.0.0.1:\(large)/v1", model: large-model, max_retries: 0}
          server: {command: python3, arguments: ["\(script)", "--port", "{port}"], port: \(large)}
        """.write(to: folder.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
        try """
        plan: escalated
        language: python
        atoms: [{id: f, name: f, description: "returns 1", file: f.py, tests: "assert f() == 1"}]
        """.write(to: folder.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
        // The servers echo the prompt back: its code is the tests, which define no `f`; both attempts fail.
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 1, "\(outcome.standardOutput)\n\(outcome.standardError)")
        let report = try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("outbox/escalated/atoms/f/report.json")))
        let attempts = try #require((report as? [String: Any])?["attempts"] as? [[String: Any]])
        #expect(attempts.map { $0["model"] as? String } == ["small-model", "large-model"])
        for log in ["model-server.log", "escalation-server.log"] {
            let text = try String(contentsOf: folder.appendingPathComponent("outbox/_server/" + log), encoding: .utf8)
            #expect(text.contains("READY"), "\(log): \(text)")
        }
        for port in [small, large] {
            let response = try? await CurlTransport().send(HTTPRequest(url: "http://127.0.0.1:\(port)/health"))
            #expect(response?.status == nil, "the server on port \(port) outlived the run")
        }
    }

    @Test(
        "SIGTERM while the model server starts stops AtomForge and the server, for each command that starts one",
        arguments: [["run", "plan.yaml"], ["ping"], ["watch"]])
    func signalWhileStarting(_ command: [String]) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("starting-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/inbox", withIntermediateDirectories: true)
        let port = try ServerProcess.freePort()
        try """
        provider:
          base_url: http://127.0.0.1:\(port)/v1
        server:
          command: sleep
          arguments: ["3600"]
          port: \(port)
          startup_timeout_s: 300
        """.write(toFile: folder + "/pipeline.yaml", atomically: true, encoding: .utf8)
        try "plan: p\nlanguage: python\natoms:\n  - {id: one, name: one, description: d}\n"
            .write(toFile: folder + "/plan.yaml", atomically: true, encoding: .utf8)
        let log = folder + "/atomforge.log"
        let atomforge = try await ChildProcess.spawn(
            CommandRunner.executable.path, command + ["--config", "pipeline.yaml"],
            environment: ProcessInfo.processInfo.environment, workingDirectory: folder, output: .file(log))
        var serverPID: pid_t?
        let deadline = ContinuousClock.now + .seconds(20)
        while serverPID == nil, ContinuousClock.now < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "started model server (pid ") {
                serverPID = pid_t(text[range.upperBound...].prefix { $0.isNumber })
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let pid = try #require(
            serverPID, "the server was started: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        atomforge.signal(SIGTERM)
        let stopped = ContinuousClock.now + .seconds(15)
        while atomforge.isRunning, ContinuousClock.now < stopped { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!atomforge.isRunning, "AtomForge ended within 15 s of SIGTERM")
        if atomforge.isRunning { atomforge.signal(SIGKILL) }
        let status = await atomforge.wait()
        #expect(status == 1, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        #expect(!isAlive(pid), "the model server (pid \(pid)) is stopped too")
        if isAlive(pid) { kill(pid, SIGKILL) }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(text.contains("stopped while the model server was starting"))
    }
}
