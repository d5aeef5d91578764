import AtomForge
import Foundation
import Glibc
import Testing

/// `atomforge status`: the runs of an outbox with their state and counts, one run as it goes (`--follow`), told
/// apart by who holds a run's lock, never by taking it. Through the real binary, real runs against the scripted
/// server over HTTP, and a run killed with SIGKILL.
@Suite("atomforge status", .serialized)
struct StatusCommandTests: EndToEndSuite {
    let server: ScriptedServer
    let folder: URL

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.temporaryFolder("status")
        try writeConfig(
            retries: 0,
            """
              timeout_s: 60
            generation:
              max_attempts: 1
            evidence: {agreement: {candidates: 0}}
            """)
        for (name, atom) in [("quick", "fast"), ("slow", "sleepy")] {
            try write(
                """
                plan: \(name)
                language: python
                atoms:
                  - {id: \(atom), name: \(atom), description: "returns 1", tests: "assert \(atom)() == 1"}
                  - {id: then, name: then, description: "returns 2", depends_on: [\(atom)], tests: "assert then() == 2"}
                """, to: "\(name).yaml")
        }
    }

    func status(_ arguments: [String]) async throws -> CommandRunner.Outcome {
        try await CommandRunner.atomforge(["status"] + arguments, in: folder.path)
    }

    func runs(_ outcome: CommandRunner.Outcome) throws -> [String: [String: Any]] {
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any],
            "\(outcome.standardOutput)")
        let list = try #require(object["runs"] as? [[String: Any]])
        return Dictionary(list.map { ($0["plan"] as? String ?? "", $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// `atomforge run NAME.yaml` in the background, its first atom's reply held back for `delay` ms.
    func slowRun() async throws -> ChildProcess {
        try await server.script([reply("def sleepy():\n    return 1", delay: 60_000)], match: "defines `sleepy`")
        return try await ChildProcess.spawn(
            CommandRunner.executable.path, ["run", "slow.yaml"], environment: ProcessInfo.processInfo.environment,
            workingDirectory: folder.path)
    }

    /// Waits until the slow run's call is at the server.
    func waitForTheCall() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if try await server.requests().contains(where: { $0.lastUserText.contains("defines `sleepy`") }) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the slow run never called the model")
    }

    @Test("lists finished, running and interrupted runs with their counts; a killed run is interrupted, not running")
    func list() async throws {
        try await server.script([reply("def fast():\n    return 1")], match: "defines `fast`")
        try await server.script([reply("def then():\n    return 2")], match: "defines `then`")
        let quick = try await CommandRunner.atomforge(["run", "quick.yaml"], in: folder.path)
        #expect(quick.status == 0, "\(quick.standardError)")
        let slow = try await slowRun()
        try await waitForTheCall()

        // progress.json follows the run's events within a fraction of a second.
        var running = try runs(try await status(["--output-format", "json"]))
        let deadline = ContinuousClock.now + .seconds(10)
        while (running["slow"]?["in_flight"] as? [Any])?.isEmpty != false, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            running = try runs(try await status(["--output-format", "json"]))
        }
        #expect(running["quick"]?["state"] as? String == "finished", "\(running)")
        #expect(running["quick"]?["status"] as? String == "passed", "\(running)")
        #expect(running["quick"]?["passed"] as? Int == 2 && running["quick"]?["total"] as? Int == 2, "\(running)")
        #expect(running["slow"]?["state"] as? String == "running", "\(running)")
        #expect(running["slow"]?["pid"] as? Int == Int(slow.pid), "\(running)")
        let inFlight = running["slow"]?["in_flight"] as? [[String: Any]]
        #expect(inFlight?.first?["atom"] as? String == "sleepy", "\(running)")
        let text = try await status([])
        #expect(text.status == 0)
        #expect(text.standardOutput.contains("finished: passed"), "\(text.standardOutput)")
        #expect(text.standardOutput.contains("running (pid \(slow.pid))"), "\(text.standardOutput)")

        slow.signal(SIGKILL)
        await slow.wait()
        let killed = try runs(try await status(["--output-format", "json"]))
        #expect(killed["slow"]?["state"] as? String == "interrupted", "\(killed)")
        #expect(killed["slow"]?["pid"] == nil, "\(killed)")
        let one = try await status(["outbox/slow"])
        #expect(one.standardOutput.hasPrefix("outbox/slow: interrupted, 0 of 2 atoms done"), "\(one.standardOutput)")
    }

    @Test("--follow shows a run each time it changes until it ends, and exits as the run did")
    func follow() async throws {
        try await server.script([reply("def sleepy():\n    return 1", delay: 1500)], match: "defines `sleepy`")
        try await server.script([reply("def then():\n    return 2", delay: 500)], match: "defines `then`")
        let run = try await ChildProcess.spawn(
            CommandRunner.executable.path, ["run", "slow.yaml"], environment: ProcessInfo.processInfo.environment,
            workingDirectory: folder.path)
        try await waitForTheCall()
        let followed = try await status([
            "outbox/slow", "--follow", "--interval", "0.1", "--output-format", "stream-json",
        ])
        #expect(await run.wait() == 0)
        #expect(followed.status == 0, "\(followed.standardOutput)\n\(followed.standardError)")
        let states = try followed.standardOutput.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(states.count >= 2, "\(followed.standardOutput)")
        #expect(states.first?["state"] as? String == "running", "\(followed.standardOutput)")
        #expect(states.last?["state"] as? String == "finished", "\(followed.standardOutput)")
        #expect(states.last?["status"] as? String == "passed", "\(followed.standardOutput)")
        // Counts only grow as the run goes.
        let done = states.map { ($0["passed"] as? Int ?? 0) + ($0["failed"] as? Int ?? 0) }
        #expect(done == done.sorted() && done.last == 2, "\(done)")
    }

    @Test("no such folder, and --follow of an outbox, are errors that say what to give")
    func errors() async throws {
        let missing = try await status(["nowhere"])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("nowhere: no such folder"), "\(missing.standardError)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("outbox"), withIntermediateDirectories: true)
        let outbox = try await status(["outbox", "--follow"])
        #expect(outbox.status == 2)
        #expect(outbox.standardError.contains("--follow follows one run"), "\(outbox.standardError)")
        let empty = try await status([])
        #expect(empty.standardOutput.contains("no runs yet"), "\(empty.standardOutput)")
    }
}
