import AtomForge
import AtomForgeTestSupport
import Foundation
import Glibc
import Synchronization
import Testing

/// The daemon under a service manager, as systemd runs it: the notify protocol heard on a real `NOTIFY_SOCKET`
/// datagram socket (a path and an abstract name), and journald's priority prefixes when stderr is the
/// `JOURNAL_STREAM`. The unit file itself is checked by `systemd-analyze`.
@Suite("systemd", .serialized)
struct SystemdTests: DaemonFolder {
    let server: ScriptedServer
    let folder: String

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.daemonFolder("systemd")
        // One call per plan: the protocol is tested, not the vote (whose extra calls and sandboxed runs made the
        // plan outlast the wait on a loaded machine).
        try writeConfig(retries: 1, "evidence: {agreement: {candidates: 0}}")
    }

    /// A bound `AF_UNIX` datagram socket, drained by a thread of its own as datagrams come: a loaded machine that
    /// leaves the test's tasks waiting must not let the socket's short queue fill and drop a status line.
    final class Listener: @unchecked Sendable {
        let descriptor: Int32
        let name: String
        private let received = Mutex<[String]>([])
        private let running = Atomic<Bool>(true)

        init(abstract: Bool, in folder: String) throws {
            descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            name = abstract ? "@atomforge-test-\(UUID().uuidString.prefix(8))" : folder + "/notify.sock"
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = abstract ? [0] + Array(name.utf8.dropFirst()) : Array(name.utf8)
            withUnsafeMutableBytes(of: &address.sun_path) { path in
                for (index, byte) in bytes.enumerated() { path[index] = byte }
            }
            let length = MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + bytes.count + (abstract ? 0 : 1)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(length)) }
            }
            guard descriptor >= 0, bound == 0 else { throw POSIXError(.EADDRINUSE) }
            var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let thread = Thread { [self] in
                var buffer = [UInt8](repeating: 0, count: 4096)
                while running.load(ordering: .relaxed) {
                    let count = recv(descriptor, &buffer, buffer.count, 0)
                    if count > 0 {
                        let message = String(decoding: buffer[..<count], as: UTF8.self)
                        received.withLock { $0.append(message) }
                    }
                }
            }
            thread.start()
        }

        func stop() {
            running.store(false, ordering: .relaxed)
        }

        deinit { close(descriptor) }

        /// Every datagram received since the last call.
        func receive() -> [String] {
            received.withLock { messages in
                defer { messages = [] }
                return messages
            }
        }
    }

    func waitUntil(_ limit: Duration = .seconds(30), _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    @Test(
        "Type=notify: READY=1 once the inbox is watched, STATUS= as plans run, WATCHDOG=1, STOPPING=1",
        arguments: [false, true])
    func notify(abstract: Bool) async throws {
        try await server.script([["reply": "```python\ndef one():\n    return 1\n```"]])
        let listener = try Listener(abstract: abstract, in: folder)
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = listener.name
        environment["WATCHDOG_USEC"] = "600000"
        let daemon = try await ChildProcess.spawn(
            CommandRunner.executable.path, ["watch", "--config", "pipeline.yaml"], environment: environment,
            workingDirectory: folder, output: .file(folder + "/daemon.log"))
        var messages: [String] = []
        #expect(
            try await waitUntil {
                messages += listener.receive()
                return messages.contains { $0.hasPrefix("READY=1") }
            }, "READY=1 arrives")
        #expect(
            messages.first { !$0.hasPrefix("WATCHDOG") }?.hasPrefix("READY=1\nSTATUS=watching the inbox") == true,
            "\(messages)")
        try "plan: notified\nlanguage: python\natoms:\n  - {id: one, name: one, description: d}\n".write(
            toFile: folder + "/inbox/.p.tmp", atomically: false, encoding: .utf8)
        #expect(rename(folder + "/inbox/.p.tmp", folder + "/inbox/notified.yaml") == 0)
        #expect(
            try await waitUntil {
                messages += listener.receive()
                return messages.contains { $0.contains("1 plan finished, atoms: 1 passed") }
            }, "\(messages)")
        #expect(messages.contains("STATUS=running 1 plan; 0 plans finished, atoms: 0 passed, 0 failed, 0 blocked"))
        #expect(
            try await waitUntil {
                messages += listener.receive()
                return messages.filter { $0 == "WATCHDOG=1" }.count >= 3
            }, "WATCHDOG=1 every 300 ms while it runs: \(messages)")
        daemon.signal(SIGTERM)
        #expect(await daemon.wait() == 0)
        _ = try await waitUntil(.seconds(5)) {
            messages += listener.receive()
            return messages.contains { $0.hasPrefix("STOPPING=1") }
        }
        listener.stop()
        let stopping = try #require(messages.firstIndex { $0.hasPrefix("STOPPING=1") }, "\(messages)")
        let ready = try #require(messages.firstIndex { $0.hasPrefix("READY=1") })
        #expect(ready < stopping)
        await server.server.stop()
    }

    @Test("the watchdog interval is half WATCHDOG_USEC, and only for the process WATCHDOG_PID names")
    func watchdogInterval() {
        #expect(SystemdNotifier(environment: [:]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": "relative/path"]) == nil)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/run/notify", "WATCHDOG_USEC": "2000000"])
        #expect(notifier?.watchdogInterval == .seconds(1))
        let other = SystemdNotifier(environment: [
            "NOTIFY_SOCKET": "@notify", "WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "\(getpid() + 1)",
        ])
        #expect(other != nil && other?.watchdogInterval == nil)
    }

    @Test("under journald each log line starts with its priority, text or JSON; elsewhere none")
    func journaldPriorities() async throws {
        try "plan: bad\natoms: [".write(toFile: folder + "/bad.yaml", atomically: true, encoding: .utf8)
        try """
        plan: journal
        language: python
        atoms:
          - {id: one, name: one, description: d, tests: "assert one() == 2"}
        """.write(toFile: folder + "/plan.yaml", atomically: true, encoding: .utf8)
        try await server.script(Array(repeating: ["reply": "```python\ndef one():\n    return 1\n```"], count: 8))
        for format in ["text", "json"] {
            let log = folder + "/journal-\(format).log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            var status = stat()
            #expect(stat(log, &status) == 0)
            var environment = ProcessInfo.processInfo.environment
            environment["JOURNAL_STREAM"] = "\(status.st_dev):\(status.st_ino)"
            let run = try await ChildProcess.spawn(
                CommandRunner.executable.path, ["run", "plan.yaml", "--fresh", "--log-format", format],
                environment: environment, workingDirectory: folder, output: .file(log))
            #expect(await run.wait() == 1)
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
            let logLines = lines.filter { $0.hasPrefix("<") }
            #expect(
                logLines.contains { $0.hasPrefix("<4>") && $0.contains("one failed") }, "a failed atom is a warning")
            #expect(logLines.contains { $0.hasPrefix("<6>") && $0.contains("attempt 1 of one") })
            if format == "json" {
                for line in logLines {
                    #expect(try JSONSerialization.jsonObject(with: Data(line.drop { $0 != "{" }.utf8)) is [String: Any])
                }
            }
        }
        let elsewhere = try await CommandRunner.atomforge(["run", "plan.yaml", "--fresh"], in: folder)
        #expect(!elsewhere.standardError.split(separator: "\n").contains { $0.hasPrefix("<") })
        await server.server.stop()
    }

    @Test("contrib/atomforge.service is a valid, hardened notify unit")
    func unitFile() async throws {
        let unit = try String(
            contentsOf: RepositoryFiles.root.appendingPathComponent("contrib/atomforge.service"), encoding: .utf8)
        for setting in [
            "Type=notify", "WatchdogSec=", "ProtectSystem=strict", "ReadWritePaths=", "ProtectHome=",
            "PrivateDevices=true",
            "NoNewPrivileges=true", "TasksMax=", "MemoryMax=",
        ] {
            #expect(unit.contains("\n" + setting), "\(setting)")
        }
        // `verify` needs the program to exist: the built binary stands in for /usr/local/bin/atomforge.
        let copy = folder + "/atomforge.service"
        try unit.replacingOccurrences(of: "/usr/local/bin/atomforge", with: CommandRunner.executable.path)
            .write(toFile: copy, atomically: true, encoding: .utf8)
        let verify = try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/systemd-analyze"), ["verify", "--man=no", copy], in: folder)
        let complaints = (verify.standardOutput + verify.standardError).split(separator: "\n").filter {
            $0.contains("atomforge.service")
        }
        #expect(complaints.isEmpty, "\(complaints)")
        let security = try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/systemd-analyze"), ["security", "--offline=true", "--no-pager", copy],
            in: folder)
        let score = try #require(
            security.standardOutput.firstMatch(of: /Overall exposure level for \S+: (\d+\.\d)/).flatMap {
                Double($0.1)
            },
            "\(security.standardOutput)\(security.standardError)")
        #expect(score <= 4.5, "systemd-analyze security rates the unit \(score) (0 is best, 10 worst)")
    }
}
