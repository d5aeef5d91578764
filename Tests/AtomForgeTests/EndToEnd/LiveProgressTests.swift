import Foundation
import Testing

/// What a person and a tool see while a plan runs: the stream of events, the typed JSON log, `progress.json` after
/// every attempt, and the terminal's progress line (under a real pseudo-terminal, by `script`) and its absence in a
/// pipe. Through the real binary, the scripted server over HTTP and real validators.
@Suite("live progress end to end", .serialized)
struct LiveProgressTests: EndToEndSuite {
    let server: ScriptedServer
    let folder: URL

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.temporaryFolder("live")
        try writeConfig(
            retries: 1,
            """
            generation:
              max_attempts: 2
              ladder:
                - {kind: sample, temperature: 0.2}
            execution:
              max_workers: 1
            """)
        try write(
            """
            plan: live
            language: python
            atoms:
              - {id: base, name: base, description: "returns 1", file: live/base.py, tests: "assert base() == 1"}
              - {id: broken, name: broken, description: "returns 2", file: live/broken.py, depends_on: [base],
                 tests: "assert broken() == 2"}
              - {id: after, name: after, description: "broken() + 1", file: live/broken.py, depends_on: [broken],
                 tests: "assert after() == 3"}
            """, to: "plan.yaml")
    }

    /// `base` passes, `broken` fails both attempts (each reply `delay` ms late), `after` is blocked behind it.
    func scriptAFailure(delay: Int = 0) async throws {
        try await server.script([reply("def base():\n    return 1")], match: "defines `base`")
        try await server.script(
            Array(repeating: reply("def broken():\n    return 1", delay: delay), count: 2), match: "defines `broken`")
    }

    static func lines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "\($0)")
        }
    }

    @Test("stream-json: one event a line, in order, for a pass, a retry, a failure and a blocked atom; the result last")
    func streamJSON() async throws {
        try await scriptAFailure()
        let run = try await CommandRunner.atomforge(
            ["run", "plan.yaml", "--output-format", "stream-json"], in: folder.path)
        #expect(run.status == 1, "\(run.standardError)")
        let events = try Self.lines(run.standardOutput)
        let names = events.map { $0["event"] as? String ?? "?" }
        #expect(names.first == "plan_started" && names.last == "result", "\(names)")
        #expect(names.dropLast().last == "plan_finished")
        let brokenEvents = events.filter { $0["atom"] as? String == "broken" }.map {
            "\($0["event"] as? String ?? "?"):\($0["attempt"] as? Int ?? 0):\($0["status"] as? String ?? "")"
        }
        #expect(
            brokenEvents == [
                "atom_started:1:", "attempt_started:1:", "attempt_finished:1:failed", "attempt_started:2:",
                "attempt_finished:2:duplicate", "atom_finished:2:failed",
            ])
        let failedAttempt = try #require(
            events.first { $0["event"] as? String == "attempt_finished" && $0["atom"] as? String == "broken" })
        #expect(
            (failedAttempt["issues"] as? [String])?.first?.contains("assert broken() == 2") == true, "\(failedAttempt)")
        #expect((failedAttempt["tokens_in"] as? Int ?? 0) > 0 && failedAttempt["latency_s"] is Double)
        let blocked = try #require(events.first { $0["atom"] as? String == "after" })
        #expect(blocked["event"] as? String == "atom_finished" && blocked["status"] as? String == "blocked")
        // Every atom's events come after its dependency finished.
        let baseDone = try #require(
            names.indices.first { names[$0] == "atom_finished" && events[$0]["atom"] as? String == "base" })
        let brokenStart = try #require(events.firstIndex { $0["atom"] as? String == "broken" })
        #expect(baseDone < brokenStart)
        let finished = try #require(events.first { $0["event"] as? String == "plan_finished" })
        let summary = try json("outbox/live/summary.json")
        let counts = try #require(summary["counts"] as? [String: Int])
        #expect(finished["passed"] as? Int == counts["passed"] && finished["failed"] as? Int == counts["failed"])
        #expect(finished["blocked"] as? Int == counts["blocked"] && finished["exit_code"] as? Int == 1)
        #expect(finished["status"] as? String == summary["status"] as? String)
        #expect(events.last?["exit_code"] as? Int == 1 && events.last?["status"] as? String == "failed")
        for event in events.dropLast() {
            let time = try #require(event["time"] as? String)
            #expect(time.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/) != nil, "\(time)")
            #expect(event["plan"] as? String == "live")
        }
        #expect(run.standardError.contains("plan live: 1 passed, 1 failed, 1 blocked"), "the lines for a person")
        await server.server.stop()
    }

    @Test("the JSON log carries the same events with typed values and times with milliseconds")
    func jsonLog() async throws {
        try await scriptAFailure()
        let run = try await CommandRunner.atomforge(["run", "plan.yaml", "--log-format", "json"], in: folder.path)
        #expect(run.status == 1)
        let records = try Self.lines(run.standardError)
        let attempts = records.filter { $0["event"] as? String == "attempt_finished" }
        #expect(attempts.count == 3, "\(records)")
        for record in attempts {
            #expect(record["attempt"] is Int && record["tokens_in"] is Int && record["latency_s"] is Double)
            #expect(record["plan"] as? String == "live" && record["atom"] is String && record["status"] is String)
            #expect((record["time"] as? String)?.contains(".") == true)
        }
        let failed = try #require(
            records.first { $0["event"] as? String == "atom_finished" && $0["status"] as? String == "failed" })
        #expect(failed["level"] as? String == "warning")
        #expect((failed["reason"] as? String)?.contains("failed 2 attempts") == true, "\(failed)")
        await server.server.stop()
    }

    @Test("progress.json follows every attempt: the atom in flight and its attempt, tokens, elapsed time, the end")
    func progressFile() async throws {
        try await scriptAFailure(delay: 1500)
        async let run = CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        var seen: Set<String> = []
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, seen.count < 2 {
            if let progress = try? json("outbox/live/progress.json"), progress["state"] as? String == "running" {
                let counts = ["passed", "failed", "blocked", "running", "pending"].map { progress[$0] as? Int ?? -1 }
                #expect(
                    counts.allSatisfy { $0 >= 0 } && counts.reduce(0, +) == 3, "every atom counted once: \(progress)")
            }
            if let progress = try? json("outbox/live/progress.json"), progress["state"] as? String == "running",
                let inFlight = progress["in_flight"] as? [[String: Any]], let first = inFlight.first
            {
                #expect(progress["running"] as? Int == 1 && inFlight.count == 1)
                #expect(progress["since"] == nil && first["since"] is String)
                if first["atom"] as? String == "broken", let attempt = first["attempt"] as? Int {
                    seen.insert("broken#\(attempt)")
                    #expect(progress["passed"] as? Int == 1 && progress["pending"] as? Int == 1, "\(progress)")
                    #expect(progress["estimated_remaining_s"] is Double, "one atom finished: an estimate")
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(seen == ["broken#1", "broken#2"], "both attempts of the slow atom were seen in flight")
        let outcome = try await run
        #expect(outcome.status == 1)
        let last = try json("outbox/live/progress.json")
        #expect(last["state"] as? String == "finished" && (last["in_flight"] as? [Any])?.isEmpty == true)
        #expect(last["failed"] as? Int == 1 && last["blocked"] as? Int == 1 && last["pending"] as? Int == 0)
        #expect((last["tokens_in"] as? Int ?? 0) > 0 && (last["elapsed_s"] as? Double ?? 0) >= 3)
        #expect(last["estimated_remaining_s"] == nil)
        // No write queued before the end lands after it.
        try await Task.sleep(for: .milliseconds(300))
        #expect(try json("outbox/live/progress.json")["state"] as? String == "finished")
        await server.server.stop()
    }

    /// `script` runs the command on a pseudo-terminal and copies what it wrote to its own standard output.
    func underTerminal(_ command: String, environment: [String: String] = [:]) async throws -> CommandRunner.Outcome {
        var variables = ProcessInfo.processInfo.environment
        variables["TERM"] = "xterm-256color"
        variables["NO_COLOR"] = nil
        variables.merge(environment) { $1 }
        return try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/script"),
            ["--quiet", "--return", "--command", command, "/dev/null"], in: folder.path, environment: variables)
    }

    @Test("on a terminal: one status line redrawn in place, each finished atom once; in a pipe, no control characters")
    func terminalLine() async throws {
        try await scriptAFailure(delay: 1200)
        let binary = CommandRunner.executable.path
        let shown = try await underTerminal("\(binary) run plan.yaml")
        #expect(shown.status == 1, "\(shown.standardOutput)")
        let screen = shown.standardOutput
        #expect(screen.contains("\r\u{1B}[2K"), "the line is redrawn in place")
        #expect(screen.contains("running: broken (attempt 1)"), "\(screen)")
        #expect(screen.contains("running: broken (attempt 2)"))
        #expect(screen.contains("[1/3] \u{1B}[32m✓\u{1B}[0m1"), "coloured marks")
        #expect(screen.components(separatedBy: "✓\u{1B}[0m base passed").count == 2, "each atom printed once")
        #expect(screen.contains("broken: failed 2 attempts; last:"))
        #expect(!screen.contains("attempt 1 of broken"), "the run's events are not log lines here")
        #expect(screen.contains("plan live: 1 passed, 1 failed, 1 blocked"))

        try FileManager.default.removeItem(at: folder.appendingPathComponent("outbox"))
        try await scriptAFailure()
        let plain = try await underTerminal("\(binary) run plan.yaml", environment: ["NO_COLOR": "1"])
        #expect(plain.standardOutput.contains("\r\u{1B}[2K") && !plain.standardOutput.contains("\u{1B}[32m"))
        #expect(plain.standardOutput.contains("✓ base passed"))

        try FileManager.default.removeItem(at: folder.appendingPathComponent("outbox"))
        try await scriptAFailure()
        let piped = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(piped.status == 1)
        let text = piped.standardOutput + piped.standardError
        #expect(!text.contains("\u{1B}") && !text.contains("\r"), "no control characters in a pipe")
        #expect(piped.standardError.contains("attempt 1 of broken (sample): failed"), "plain log lines")
        #expect(piped.standardError.components(separatedBy: "base passed, 1 attempt").count == 2)
        await server.server.stop()
    }

    @Test("under GitHub Actions a run annotates the atoms that did not pass and appends its summary to the job's")
    func githubActions() async throws {
        try await scriptAFailure()
        let summaryFile = folder.appendingPathComponent("step-summary.md").path
        try "# Earlier step\n".write(toFile: summaryFile, atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["GITHUB_ACTIONS"] = "true"
        environment["GITHUB_STEP_SUMMARY"] = summaryFile
        let run = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path, environment: environment)
        #expect(run.status == 1)
        let commands = run.standardOutput.split(separator: "\n").filter { $0.hasPrefix("::error ") }
        #expect(commands.count == 2, "\(run.standardOutput)")
        // Each at its atom's line of the plan.
        #expect(
            commands.contains {
                $0.hasPrefix("::error file=plan.yaml,line=5,col=")
                    && $0.contains(",title=atom broken::failed: test failed")
            },
            "\(commands)")
        #expect(
            commands.contains {
                $0.hasPrefix("::error file=plan.yaml,line=7,col=") && $0.contains(",title=atom after::blocked")
            },
            "\(commands)")
        let summary = try String(contentsOfFile: summaryFile, encoding: .utf8)
        #expect(summary.hasPrefix("# Earlier step\n"), "appended, not replaced")
        #expect(summary.contains("# Plan live: failed"), "\(summary)")
        // No link to a file of the run folder, which GitHub's page cannot open: its path on the runner instead.
        #expect(!summary.contains("](review/"), "\(summary)")
        #expect(summary.contains("/outbox/live/review/broken.md`)"), "\(summary)")

        try "plan: bad\natoms: [".write(
            to: folder.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        let invalid = try await CommandRunner.atomforge(
            ["run", "bad.yaml", "--output-format", "json"], in: folder.path, environment: environment)
        #expect(invalid.status == 2)
        #expect(
            invalid.standardError.contains("::error file=bad.yaml,line=3,col=1::not valid YAML or JSON"),
            "\(invalid.standardError)")
        #expect(
            try JSONSerialization.jsonObject(with: Data(invalid.standardOutput.utf8)) is [String: Any],
            "stdout stays JSON")
        await server.server.stop()
    }
}
