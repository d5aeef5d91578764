import AtomForge
import AtomForgeTestSupport
import Foundation
import Glibc
import Testing

/// `atomforge run` as a user runs it, through HTTP against the scripted server, with real validators and files.
@Suite("atomforge run end to end", .serialized)
struct RunEndToEndTests: EndToEndSuite {
    let server: ScriptedServer
    let folder: URL

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.temporaryFolder("run")
    }

    func config(extra: String = "") throws {
        try writeConfig(
            retries: 3,
            """
              max_tokens: 900
            generation:
              max_attempts: 4
              temperatures: [0.7, 0.5, 0.2]
            execution:
              max_workers: 4
            evidence: {agreement: {candidates: 0}}   # the calls counted here are the ladder's alone
            \(extra)
            """)
    }

    func requests(for name: String) async throws -> [ReceivedRequest] {
        try await server.requests().filter { $0.lastUserText.contains("defines `\(name)`") }
    }

    func fenced(_ code: String) -> String { "```python\n\(code)\n```" }

    /// `atomforge run plan.yaml` (with `extra` arguments) in the background, sent `signal` once `ready` holds (or
    /// after 30 s); its exit status.
    func interruptedRun(
        _ extra: [String] = [], signal: Int32, once ready: () async throws -> Bool
    ) async throws -> Int32 {
        let run = try await ChildProcess.spawn(
            CommandRunner.executable.path, ["run", "plan.yaml"] + extra,
            environment: ProcessInfo.processInfo.environment, workingDirectory: folder.path)
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline, try await !ready() {
            try await Task.sleep(for: .milliseconds(20))
        }
        run.signal(signal)
        return await run.wait()
    }

    @Test(
        "the ladder, seen from the requests the servers received: samples, repair, candidates, duplicates, escalation")
    func ladderOverHTTP() async throws {
        let large = try await ScriptedServer.start()
        try writeConfig(
            retries: 1,
            """
            generation:
              max_attempts: 6
              ladder:
                - {kind: sample, temperature: 0.2}
                - {kind: repair, temperature: 0.8, candidates: 2}
                - {kind: escalate, temperature: 0.3}
            escalation:
              provider: {base_url: "\(large.baseURL)/v1", model: large-model}
            execution:
              max_workers: 2
            """)
        try write(
            """
            plan: ladder
            language: python
            atoms:
              - {id: a, name: a, description: "returns 1", file: a.py, tests: "assert a() == 1"}
              - {id: b, name: b, description: "returns 2", file: b.py, tests: "assert b() == 2"}
            """, to: "plan.yaml")
        // a: a syntax error, then two candidates that repair it with the same code (one is a duplicate).
        try await server.script(
            [
                ["reply": fenced("def a() syntax")], ["reply": fenced("def a():\n    return 1")],
                ["reply": fenced("def a():\n    return 1")],
            ], match: "defines `a`")
        // b: a wrong answer, twice more the same (fresh samples, both duplicates), then the large model's answer.
        try await server.script(
            Array(repeating: ["reply": fenced("def b():\n    return 1")], count: 3), match: "defines `b`")
        try await large.script([["reply": fenced("def b():\n    return 2")]], match: "defines `b`")

        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 0, "\(outcome.standardOutput)\n\(outcome.standardError)")

        let a = try await requests(for: "a")
        #expect(a.count == 3)
        #expect(!a[0].lastUserText.contains("def a() syntax"))
        #expect(
            a[1...].allSatisfy { $0.lastUserText.contains("def a() syntax") && $0.lastUserText.contains("SyntaxError") }
        )
        #expect(a.map { $0.body["temperature"] as? Double } == [0.2, 0.8, 0.8])
        #expect(Set(a.compactMap { $0.body["seed"] as? Int }).count == 3)
        let b = try await requests(for: "b")
        #expect(b.count == 3)
        #expect(b.allSatisfy { !$0.lastUserText.contains("return 1") }, "a failed assertion got a repair")
        let escalated = try await large.requests().filter { $0.lastUserText.contains("defines `b`") }
        #expect(escalated.count == 1)
        #expect(escalated.first?.body["model"] as? String == "large-model")
        #expect(try await large.requests().filter { $0.lastUserText.contains("defines `a`") }.isEmpty)

        let aAttempts = try #require(try json("outbox/ladder/atoms/a/report.json")["attempts"] as? [[String: Any]])
        #expect(aAttempts.map { $0["kind"] as? String } == ["sample", "repair", "repair"])
        #expect(
            aAttempts.compactMap { $0["duplicate_of"] as? Int }.count == 1,
            "one of the two candidates repeats the other")
        #expect(aAttempts.map { $0["passed"] as? Bool } == [false, true, true])
        let bAttempts = try #require(try json("outbox/ladder/atoms/b/report.json")["attempts"] as? [[String: Any]])
        #expect(bAttempts.map { $0["kind"] as? String } == ["sample", "sample", "sample", "escalate"])
        #expect(
            bAttempts.map { $0["model"] as? String } == [
                "qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-0.5b-instruct", "qwen2.5-coder-0.5b-instruct",
                "large-model",
            ])
        #expect(bAttempts.map { $0["duplicate_of"] as? Int } == [nil, 1, 1, nil])
        #expect(bAttempts.allSatisfy { ($0["reply"] as? String)?.hasPrefix("```python") == true })
        let summary = try json("outbox/ladder/summary.json")
        #expect(summary["attempts"] as? Int == 7)
        #expect(summary["duplicates"] as? Int == 3)
        #expect(summary["attempts_by_kind"] as? [String: Int] == ["sample": 4, "repair": 2, "escalate": 1])
        #expect(
            try String(contentsOf: folder.appendingPathComponent("outbox/ladder/src/a.py"), encoding: .utf8)
                == "def a():\n    return 1\n")
    }

    @Test("prefill: the reply starts inside the code block and stops at its end")
    func prefill() async throws {
        try config(extra: "")
        try write(
            (try String(contentsOf: folder.appendingPathComponent("pipeline.yaml"), encoding: .utf8))
                .replacingOccurrences(of: "provider:\n", with: "provider:\n  prefill: true\n"), to: "pipeline.yaml")
        try write(
            """
            plan: prefilled
            language: python
            atoms:
              - {id: p, name: p, description: "returns 1", file: p.py, tests: "assert p() == 1"}
            """, to: "plan.yaml")
        // What a server continuing the prefill sends: the code alone, without the opening fence.
        try await server.script([["reply": "def p():\n    return 1"]], match: "defines `p`")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 0, "\(outcome.standardOutput)\n\(outcome.standardError)")
        let request = try #require(try await requests(for: "p").first)
        let messages = try #require(request.body["messages"] as? [[String: Any]])
        #expect(messages.last?["role"] as? String == "assistant")
        #expect(messages.last?["content"] as? String == "```python\n")
        #expect(request.body["stop"] as? [String] == ["\n```"])
        let report = try json("outbox/prefilled/atoms/p/report.json")
        let attempt = try #require((report["attempts"] as? [[String: Any]])?.first)
        #expect(attempt["reply"] as? String == "```python\ndef p():\n    return 1")
        #expect(attempt["code"] as? String == "def p():\n    return 1")
    }

    @Test("statuses, retries, feedback, blocking and the whole outbox")
    func fullRun() async throws {
        try config()
        try write(
            """
            plan: mixed
            language: python
            atoms:
              - {id: first, name: first, description: "returns 1", file: pkg/a.py}
              - {id: second, name: second, description: "returns 2", file: pkg/a.py, depends_on: [first]}
              - {id: never, name: never, description: "cannot be done", file: pkg/b.py}
              - {id: after_never, name: after_never, description: "needs never", file: pkg/b.py, depends_on: [never]}
              - {id: flaky, name: flaky, description: "meets a 429 and a 529", file: pkg/c.py, estimated_loc: 3}
              - {id: cut, name: cut, description: "cut off once", file: pkg/c.py, estimated_loc: 2}
            """, to: "plan.yaml")
        try await server.script([["reply": fenced("def first():\n    return 1")]], match: "defines `first`")
        try await server.script(
            [
                ["reply": fenced("def second()\n    return 2")],
                ["reply": fenced("def second():\n    return first() + 1")],
            ],
            match: "defines `second`")
        try await server.script(Array(repeating: ["reply": "def nope(:"], count: 4), match: "defines `never`")
        try await server.script(
            [
                ["status": 429, "headers": ["retry-after-ms": "20"]],
                ["status": 529, "error_type": "overloaded_error", "message": "Overloaded"],
                ["reply": fenced("def flaky():\n    return 3")],
            ], match: "defines `flaky`")
        try await server.script(
            [
                ["reply": "```python\ndef cut():\n    return", "stop": "max_tokens"],
                ["reply": fenced("def cut():\n    return 4")],
            ],
            match: "defines `cut`")

        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 1, "\(outcome.standardOutput)\n\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("plan mixed: 4 passed, 1 failed, 1 blocked of 6"))

        // Attempt 2 of `second` carries attempt 1's code and its error, at the next temperature.
        let second = try await requests(for: "second")
        #expect(second.count == 2)
        #expect(second[1].lastUserText.contains("def second()\n    return 2"))
        #expect(second[1].lastUserText.contains("SyntaxError: expected ':'"))
        #expect(second.map { $0.body["temperature"] as? Double } == [0.7, 0.5])
        #expect(second[0].lastUserText.contains("def first():\n    return 1"))
        // The blocked atom was never sent to the model; the failed one used every attempt.
        #expect(try await requests(for: "after_never").isEmpty)
        // The same wrong reply every time: each repeat is a duplicate, not validated again, and the temperature
        // of the attempts after it rises.
        #expect(try await requests(for: "never").map { $0.body["temperature"] as? Double } == [0.7, 0.5, 0.3, 0.4])
        let neverAttempts = try #require(
            try json("outbox/mixed/atoms/never/report.json")["attempts"] as? [[String: Any]])
        #expect(neverAttempts.map { $0["duplicate_of"] as? Int } == [nil, 1, 1, 1])
        // 429 then 529 then success: three requests, one attempt.
        #expect(try await requests(for: "flaky").count == 3)
        // A cut-off reply fails its attempt; the next asks for the configured ceiling.
        let cut = try await requests(for: "cut")
        #expect(cut.map { $0.body["max_tokens"] as? Int } == [256, 900])

        let summary = try json("outbox/mixed/summary.json")
        #expect(summary["status"] as? String == "failed")
        #expect(summary["counts"] as? [String: Int] == ["passed": 4, "failed": 1, "blocked": 1, "unfinished": 0])
        #expect(summary["attempts"] as? Int == 1 + 2 + 4 + 0 + 1 + 2)
        #expect((summary["tokens"] as? [String: Int])?["input"] ?? 0 > 0)
        #expect((summary["atoms"] as? [[String: Any]])?.count == 6)

        let flaky = try json("outbox/mixed/atoms/flaky/report.json")
        let flakyAttempts = try #require(flaky["attempts"] as? [[String: Any]])
        #expect(flakyAttempts.count == 1)
        #expect(flakyAttempts[0]["transport_retries"] as? Int == 2)
        #expect(flakyAttempts[0]["passed"] as? Bool == true)
        let cutReport = try json("outbox/mixed/atoms/cut/report.json")
        let cutAttempts = try #require(cutReport["attempts"] as? [[String: Any]])
        #expect(cutAttempts[0]["truncated"] as? Bool == true)
        #expect(
            (cutAttempts[0]["issues"] as? [[String: Any]])?.first?["message"] as? String
                == "the reply was cut off at max_tokens (256) before the code was complete")
        let blocked = try json("outbox/mixed/atoms/after_never/report.json")
        #expect(blocked["status"] as? String == "blocked")
        #expect(blocked["blocked_by"] as? String == "never")

        let review = try String(
            contentsOf: folder.appendingPathComponent("outbox/mixed/review/never.md"), encoding: .utf8)
        #expect(review.contains("SyntaxError"))
        #expect(
            FileManager.default.fileExists(
                atPath: folder.appendingPathComponent("outbox/mixed/review/after_never.md").path))
        #expect(
            !FileManager.default.fileExists(atPath: folder.appendingPathComponent("outbox/mixed/review/second.md").path)
        )
        let source = try String(contentsOf: folder.appendingPathComponent("outbox/mixed/src/pkg/a.py"), encoding: .utf8)
        #expect(source == "def first():\n    return 1\n\n\ndef second():\n    return first() + 1\n")
        #expect(try json("outbox/mixed/progress.json")["state"] as? String == "finished")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("outbox/mixed/plan.yaml").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("outbox/mixed/summary.md").path))
        await server.server.stop()
    }

    @Test("every atom passing is exit 0; running it again generates nothing and leaves the results as they are")
    func rerunKeepsResults() async throws {
        try config()
        try write("plan: tiny\nlanguage: python\natoms:\n  - {id: one, name: one, description: d}\n", to: "plan.yaml")
        try await server.script(
            Array(repeating: ["reply": fenced("def one():\n    return 1")], count: 2), match: "defines `one`")
        let first = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(first.status == 0, "\(first.standardOutput)")
        let summary = try Data(contentsOf: folder.appendingPathComponent("outbox/tiny/summary.json"))
        let second = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(second.status == 0)
        #expect(second.standardOutput.contains("every atom (1) passed already"))
        #expect(try await requests(for: "one").count == 1)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("outbox/tiny-2").path))
        #expect(try Data(contentsOf: folder.appendingPathComponent("outbox/tiny/summary.json")) == summary)
        await server.server.stop()
    }

    @Test("an atom the journal finished but whose files are gone gets them back from the journal, with no call")
    func missingAtomFilesMended() async throws {
        try config()
        try write(
            "plan: mend\nlanguage: python\natoms:\n  - {id: one, name: one, description: d}\n"
                + "  - {id: two, name: two, description: d, tests: 'assert two() == 3'}\n", to: "plan.yaml")
        try await server.script([["reply": fenced("def one():\n    return 1")]], match: "defines `one`")
        try await server.script([["reply": fenced("def two():\n    return 2")]], match: "defines `two`")
        let first = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(first.status == 1, "\(first.standardOutput)")
        let report = try Data(contentsOf: folder.appendingPathComponent("outbox/mend/atoms/one/report.json"))
        // As a run killed between an atom's journal line and its files would leave it (a passed atom and a failed
        // one with its review page).
        for gone in ["atoms/one", "atoms/two/report.json", "review/two.md"] {
            try FileManager.default.removeItem(at: folder.appendingPathComponent("outbox/mend/" + gone))
        }
        let again = try await CommandRunner.atomforge(["run", "plan.yaml", "--log-level", "notice"], in: folder.path)
        #expect(
            again.standardError.contains("wrote again from the journal the missing files of one, two"),
            "\(again.standardError)")
        #expect(try Data(contentsOf: folder.appendingPathComponent("outbox/mend/atoms/one/report.json")) == report)
        let code = try String(
            contentsOf: folder.appendingPathComponent("outbox/mend/atoms/one/code.py"), encoding: .utf8)
        #expect(code.contains("return 1"))
        for back in ["atoms/two/report.json", "review/two.md"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("outbox/mend/" + back).path))
        }
        // Continuing the run retries the failed atom (its new ladder's calls), never the passed one.
        #expect(try await requests(for: "one").count == 1)
        await server.server.stop()
    }

    @Test("kill -9 mid-plan, then run again: passed atoms are not requested again, the one in flight is")
    func resumeAfterKill() async throws {
        try config()
        try write(
            """
            plan: resumable
            language: python
            atoms:
              - {id: quick_a, name: quick_a, description: d}
              - {id: quick_b, name: quick_b, description: d}
              - {id: slow_c, name: slow_c, description: d}
              - {id: last_d, name: last_d, description: d, depends_on: [quick_a, slow_c]}
            """, to: "plan.yaml")
        for name in ["quick_a", "quick_b", "last_d"] {
            try await server.script(
                Array(repeating: ["reply": fenced("def \(name)():\n    return 1")], count: 2),
                match: "defines `\(name)`")
        }
        try await server.script(
            [
                ["reply": fenced("def slow_c():\n    return 1"), "delay_ms": 30000],
                ["reply": fenced("def slow_c():\n    return 1")],
            ],
            match: "defines `slow_c`")
        let journal = folder.appendingPathComponent("outbox/resumable/journal.jsonl").path
        let killed = try await interruptedRun(signal: SIGKILL) {
            let lines = (try? String(contentsOfFile: journal, encoding: .utf8))?.split(separator: "\n").count ?? 0
            guard lines >= 2 else { return false }
            return try await requests(for: "slow_c").count == 1
        }
        #expect(killed == 128 + SIGKILL)

        let rerun = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(rerun.status == 0, "\(rerun.standardOutput)\n\(rerun.standardError)")
        #expect(rerun.standardOutput.contains("resuming the interrupted run"))
        #expect(try await requests(for: "quick_a").count == 1)
        #expect(try await requests(for: "quick_b").count == 1)
        #expect(try await requests(for: "slow_c").count == 2)
        #expect(try await requests(for: "last_d").count == 1)
        #expect(try json("outbox/resumable/summary.json")["status"] as? String == "passed")
        await server.server.stop()
    }

    @Test("kill -9 after two failed attempts: the resumed atom goes on from its next step, every paid attempt kept")
    func resumeMidLadder() async throws {
        try config()
        try write(
            "plan: midway\nlanguage: python\natoms:\n  - {id: mid, name: mid, description: d, tests: 'assert mid() == 1'}\n",
            to: "plan.yaml")
        try await server.script(
            [
                ["reply": fenced("def mid():\n    return 2")], ["reply": fenced("def mid():\n    return 3")],
                ["reply": fenced("def mid():\n    return 1"), "delay_ms": 30000],
                ["reply": fenced("def mid():\n    return 1")],
            ], match: "defines `mid`")
        let journal = folder.appendingPathComponent("outbox/midway/journal.jsonl").path
        let killed = try await interruptedRun(signal: SIGKILL) {
            let text = (try? String(contentsOfFile: journal, encoding: .utf8)) ?? ""
            guard text.contains("\"number\":2") else { return false }
            return try await requests(for: "mid").count == 3
        }
        #expect(killed == 128 + SIGKILL)

        let rerun = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(rerun.status == 0, "\(rerun.standardOutput)\n\(rerun.standardError)")
        // Two paid, one in flight when killed, one after: the two paid for are not asked again.
        #expect(try await requests(for: "mid").count == 4)
        let report = try json("outbox/midway/atoms/mid/report.json")
        let attempts = try #require(report["attempts"] as? [[String: Any]])
        #expect(attempts.compactMap { $0["number"] as? Int } == [1, 2, 3], "\(attempts.count)")
        #expect((attempts.first?["code"] as? String)?.contains("return 2") == true)
        await server.server.stop()
    }

    @Test("a server that stops answering is an outage: the plan stops unfinished (exit 4), no atom failed")
    func stalledServerIsAnOutage() async throws {
        try writeConfig(
            retries: 1,
            """
              timeout_s: 0.5
            evidence: {agreement: {candidates: 0}}
            """)
        try write(
            "plan: stalled\nlanguage: python\natoms:\n  - {id: slow, name: slow, description: d}\n", to: "plan.yaml")
        try await server.script(
            Array(repeating: ["reply": fenced("def slow():\n    return 1"), "delay_ms": 5000], count: 8),
            match: "defines `slow`")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 4, "\(outcome.standardOutput)\n\(outcome.standardError)")
        #expect((outcome.standardOutput + outcome.standardError).contains("raise provider.timeout_s"))
        #expect(
            !FileManager.default.fileExists(
                atPath: folder.appendingPathComponent("outbox/stalled/atoms/slow/report.json").path))
        #expect(
            !FileManager.default.fileExists(atPath: folder.appendingPathComponent("outbox/stalled/summary.json").path))
        await server.server.stop()
    }

    @Test("SIGTERM during a call that hangs: cancelled at the grace period, the atom kept unfinished, not failed")
    func sigtermCutsAHangingCall() async throws {
        try config()
        try write(
            "plan: hanging\nlanguage: python\natoms:\n  - {id: stuck, name: stuck, description: d}\n", to: "plan.yaml")
        try await server.script(
            [["reply": fenced("def stuck():\n    return 1"), "delay_ms": 600_000]], match: "defines `stuck`")
        // Without the cut the run would wait out the reply's ten minutes here.
        let status = try await interruptedRun(["--grace-period", "1"], signal: SIGTERM) {
            try await !requests(for: "stuck").isEmpty
        }
        #expect(status != 0 && status != 128 + SIGKILL, "\(status)")
        #expect(try await requests(for: "stuck").count == 1, "no transport retry after the shutdown")
        #expect(
            !FileManager.default.fileExists(
                atPath: folder.appendingPathComponent("outbox/hanging/atoms/stuck/report.json").path))
        let journal =
            (try? String(contentsOf: folder.appendingPathComponent("outbox/hanging/journal.jsonl"), encoding: .utf8))
            ?? ""
        #expect(!journal.contains("\"status\":\"failed\""), "\(journal)")
        await server.server.stop()
    }

    @Test("a plan changed since the interrupted run starts over, and says so")
    func changedPlanStartsOver() async throws {
        try config()
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("outbox/changing"), withIntermediateDirectories: true)
        try "plan: changing\natoms: []\n".write(
            to: folder.appendingPathComponent("outbox/changing/plan.yaml"), atomically: true, encoding: .utf8)
        try write("plan: changing\nlanguage: python\natoms:\n  - {id: x, name: x, description: d}\n", to: "plan.yaml")
        try await server.script([["reply": fenced("x = 1")]], match: "defines `x`")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.contains("the plan changed since the interrupted run in"))
        #expect(
            FileManager.default.fileExists(atPath: folder.appendingPathComponent("outbox/changing-2/summary.json").path)
        )
        await server.server.stop()
    }

    @Test("a token budget stops the plan with exit 3; a larger one continues it")
    func budget() async throws {
        try config(extra: "budget:\n  tokens_per_plan: 10")
        try write(
            "plan: budgeted\nlanguage: python\natoms:\n  - {id: b1, name: b1, description: d}\n  - {id: b2, name: b2, description: d, depends_on: [b1]}\n",
            to: "plan.yaml")
        for name in ["b1", "b2"] {
            try await server.script([["reply": fenced("def \(name)():\n    return 1")]], match: "defines `\(name)`")
        }
        let stopped = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(stopped.status == 3, "\(stopped.standardOutput)")
        #expect(stopped.standardOutput.contains("reached budget.tokens_per_plan (10)"))
        #expect(try await requests(for: "b2").isEmpty)
        #expect(try json("outbox/budgeted/progress.json")["state"] as? String == "stopped")
        try config(extra: "budget:\n  tokens_per_plan: 100000")
        let resumed = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(resumed.status == 0, "\(resumed.standardOutput)")
        #expect(try await requests(for: "b1").count == 1)
        #expect(try await requests(for: "b2").count == 1)
        await server.server.stop()
    }

    @Test("a failing test is fed back with the assertion and fixed on a later attempt")
    func testFailureFedBack() async throws {
        try config()
        try write(
            """
            plan: tested
            language: python
            atoms:
              - id: slug
                name: slug
                description: lowercase words joined by '-'
                tests: |
                  assert slug("Hello World") == "hello-world"
            """, to: "plan.yaml")
        try await server.script(
            [
                ["reply": fenced("def slug(text):\n    return text.lower().replace(' ', '_')")],
                ["reply": fenced("def slug(text):\n    return '-'.join(text.lower().split())")],
            ], match: "defines `slug`")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 0, "\(outcome.standardOutput)")
        let sent = try await requests(for: "slug")
        #expect(sent.count == 2)
        #expect(
            sent[1].lastUserText.contains(
                "test failed at tests line 1: assert slug(\"Hello World\") == \"hello-world\""))
        #expect(sent[1].lastUserText.contains("got:      'hello_world'   (the value of slug('Hello World'))"))
        let report = try json("outbox/tested/atoms/slug/report.json")
        let attempts = try #require(report["attempts"] as? [[String: Any]])
        #expect((attempts[0]["isolation"] as? String)?.hasPrefix("bubblewrap") == true)
        #expect(attempts.map { $0["passed"] as? Bool } == [false, true])
        await server.server.stop()
    }

    @Test("an example plan in the upstream planner's JSON shape runs to a tree that Python imports and uses")
    func examplePlanToRunnableTree() async throws {
        try config()
        let solutions = [
            "entry": "@dataclass\nclass Entry:\n    key: str\n    value: str\n    expires_at: float | None = None",
            "is_expired":
                "def is_expired(entry: Entry, now: float) -> bool:\n    return entry.expires_at is not None and entry.expires_at <= now",
            "store": """
            class Store:
                def __init__(self):
                    self._entries = {}

                def set(self, key, value, ttl=None, now=0.0):
                    self._entries[key] = Entry(key, value, None if ttl is None else now + ttl)

                def get(self, key, now=0.0):
                    entry = self._entries.get(key)
                    if entry is None or is_expired(entry, now):
                        self._entries.pop(key, None)
                        return None
                    return entry.value

                def __len__(self):
                    return len(self._entries)
            """,
        ]
        for (id, code) in solutions {
            let name = id == "entry" ? "Entry" : id == "store" ? "Store" : id
            try await server.script([["reply": fenced(code)]], match: "defines `\(name)`")
        }
        let plan = RepositoryFiles.path("examples/plans/kvstore.json")
        let outcome = try await CommandRunner.atomforge(["run", plan], in: folder.path)
        #expect(outcome.status == 0, "\(outcome.standardOutput)\n\(outcome.standardError)")
        #expect(FileManager.default.fileExists(atPath: folder.path + "/outbox/kvstore/plan.json"))
        let store = try String(contentsOfFile: folder.path + "/outbox/kvstore/src/kvstore/store.py", encoding: .utf8)
        #expect(store.hasPrefix("from kvstore.entry import Entry\nfrom kvstore.entry import is_expired\n"))
        let check = try await ChildProcess.spawn(
            "python3",
            [
                "-c",
                "from kvstore.store import Store\ns = Store()\ns.set('a', '1', ttl=5)\nassert s.get('a', now=1) == '1'",
            ],
            environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"],
            workingDirectory: folder.path + "/outbox/kvstore/src")
        #expect(await check.wait() == 0, "the generated tree imports and runs")
        await server.server.stop()
    }

    @Test("SIGTERM stops a run: the call in flight finishes and is journaled, and the next run continues")
    func sigtermDuringRun() async throws {
        try config()
        try write(
            """
            plan: interrupted-run
            language: python
            atoms:
              - {id: slow_one, name: slow_one, description: d}
              - {id: then_two, name: then_two, description: d, depends_on: [slow_one]}
            """, to: "plan.yaml")
        try await server.script(
            [["reply": fenced("def slow_one():\n    return 1"), "delay_ms": 1500]], match: "defines `slow_one`")
        try await server.script([["reply": fenced("def then_two():\n    return 2")]], match: "defines `then_two`")
        let stopped = try await interruptedRun(signal: SIGTERM) { try await !requests(for: "slow_one").isEmpty }
        #expect(stopped == 1)
        #expect(try await requests(for: "then_two").isEmpty, "no new atom starts after SIGTERM")
        #expect(try json("outbox/interrupted-run/progress.json")["state"] as? String == "stopped")
        let rerun = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(rerun.status == 0, "\(rerun.standardOutput)")
        #expect(try await requests(for: "slow_one").count == 1, "the call in flight finished and was journaled")
        #expect(try await requests(for: "then_two").count == 1)
        await server.server.stop()
    }
}
