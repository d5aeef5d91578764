import AtomForge
import Foundation
import Glibc
import Testing

/// A run with failures taken to a complete, passing tree without generating again what passed: `retry`, `accept`,
/// the same plan run again, an outage that stops a run and the rerun that finishes it, two runs of one plan at once.
/// Through the real binary, the scripted server over HTTP, real validators and files.
@Suite("review workflow end to end", .serialized)
struct ReviewWorkflowTests: EndToEndSuite {
    let server: ScriptedServer
    let folder: URL

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.temporaryFolder("review")
        try config(ladder: ["{kind: sample, temperature: 0.2}"])
        try write(
            """
            plan: flow
            language: python
            atoms:
              - {id: base, name: base, description: "returns 1", file: flow/base.py, tests: "assert base() == 1"}
              - {id: broken, name: broken, description: "returns 2", file: flow/broken.py,
                 tests: "assert broken() == 2"}
              - {id: after, name: after, description: "broken() + 1", file: flow/broken.py, depends_on: [broken],
                 tests: "assert after() == 3"}
            """, to: "plan.yaml")
    }

    /// pipeline.yaml for the scripted server: one transport retry, two attempts, this ladder.
    func config(ladder: [String]) throws {
        try writeConfig(
            retries: 1,
            """
            generation:
              max_attempts: 2
              ladder:
            \(ladder.map { "    - \($0)" }.joined(separator: "\n"))
            execution:
              max_workers: 2
            evidence: {agreement: {candidates: 0}}   # one call per atom: the workflow, not the vote, is tested
            """)
    }

    func attempts(_ id: String) throws -> [[String: Any]] {
        try #require(try json("outbox/flow/atoms/\(id)/report.json")["attempts"] as? [[String: Any]])
    }

    func requests(for name: String) async throws -> Int {
        try await server.requests().filter { $0.lastUserText.contains("defines `\(name)`") }.count
    }

    func atomforge(_ arguments: [String]) async throws -> CommandRunner.Outcome {
        try await CommandRunner.atomforge(arguments, in: folder.path)
    }

    /// The first run: `base` passes, `broken` fails both attempts, `after` is blocked behind it.
    func runWithAFailure() async throws {
        try await server.script([reply("def base():\n    return 1")], match: "defines `base`")
        try await server.script(
            Array(repeating: reply("def broken():\n    return 1"), count: 2), match: "defines `broken`")
        let first = try await atomforge(["run", "plan.yaml"])
        #expect(first.status == 1, "\(first.standardOutput)\n\(first.standardError)")
        #expect(first.standardOutput.contains("atomforge retry"))
        #expect(try json("outbox/flow/atoms/broken/report.json")["status"] as? String == "failed")
        #expect(try json("outbox/flow/atoms/after/report.json")["status"] as? String == "blocked")
    }

    @Test("--output-format json: stdout is one JSON object, summary.json with the exit code; the lines go to stderr")
    func jsonOutput() async throws {
        try await server.script([reply("def base():\n    return 1")], match: "defines `base`")
        try await server.script(
            Array(repeating: reply("def broken():\n    return 1"), count: 2), match: "defines `broken`")
        let run = try await atomforge(["run", "plan.yaml", "--output-format", "json"])
        #expect(run.status == 1)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any],
            "stdout: \(run.standardOutput)")
        let summary = try json("outbox/flow/summary.json")
        #expect(object["exit_code"] as? Int == 1)
        #expect(object["status"] as? String == "failed" && summary["status"] as? String == "failed")
        #expect((object["counts"] as? [String: Int]) == (summary["counts"] as? [String: Int]))
        #expect((object["folder"] as? String)?.hasSuffix("outbox/flow") == true)
        #expect((object["messages"] as? [String])?.first?.hasPrefix("plan flow: 1 passed, 1 failed") == true)
        #expect(run.standardError.contains("plan flow: 1 passed, 1 failed"), "the lines for a person")

        try write("plan: bad\natoms: [", to: "bad.yaml")
        let invalid = try await atomforge(["run", "bad.yaml", "--output-format", "json"])
        #expect(invalid.status == 2)
        let refused = try #require(
            try JSONSerialization.jsonObject(with: Data(invalid.standardOutput.utf8)) as? [String: Any])
        #expect(refused["status"] as? String == "invalid" && refused["exit_code"] as? Int == 2)
        #expect((refused["problems"] as? [String])?.first?.contains("not valid YAML or JSON") == true)
        await server.server.stop()
    }

    @Test("retry: the failed atom gets a new ladder numbered on, the blocked one follows, passed ones are kept")
    func retry() async throws {
        try await runWithAFailure()
        try await server.script([reply("def broken():\n    return 2")], match: "defines `broken`")
        try await server.script([reply("def after():\n    return broken() + 1")], match: "defines `after`")
        let retried = try await atomforge(["retry", "outbox/flow"])
        #expect(retried.status == 0, "\(retried.standardOutput)\n\(retried.standardError)")
        #expect(try await requests(for: "base") == 1, "a passed atom is never requested again")
        #expect(try await requests(for: "broken") == 3)
        #expect(try await requests(for: "after") == 1)
        let broken = try attempts("broken")
        #expect(broken.map { $0["number"] as? Int } == [1, 2, 3])
        #expect(broken.map { $0["passed"] as? Bool } == [false, false, true])
        #expect(try json("outbox/flow/summary.json")["status"] as? String == "passed")
        let source = try read("outbox/flow/src/flow/broken.py")
        #expect(source.contains("return 2") && source.contains("def after()"))
        #expect(!exists("outbox/flow/review/broken.md"))
        #expect(!exists("outbox/flow-2"))

        let again = try await atomforge(["retry", "outbox/flow", "--output-format", "json"])
        #expect(again.status == 0)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(again.standardOutput.utf8)) as? [String: Any],
            "retry --output-format json: one object on stdout, \(again.standardOutput)")
        #expect(object["exit_code"] as? Int == 0 && object["status"] as? String == "passed")
        #expect(again.standardError.contains("nothing to generate"), "the lines for a person on stderr")
        #expect(try await requests(for: "broken") == 3)
        await server.server.stop()
    }

    @Test("retry refuses what it cannot do, and says what the run holds")
    func retryErrors() async throws {
        try await runWithAFailure()
        let passed = try await atomforge(["retry", "outbox/flow", "--atoms", "base"])
        #expect(passed.status == 2)
        #expect(passed.standardError.contains("atom base is passed, not failed; failed atoms: broken"))
        let unknown = try await atomforge(["retry", "outbox/flow", "--atoms", "nope"])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("plan flow has no atom nope; its atoms: base, broken, after"))
        let notAFolder = try await atomforge(["retry", "outbox"])
        #expect(notAFolder.status == 2)
        #expect(notAFolder.standardError.contains("is not a run folder"))
        #expect(try await requests(for: "broken") == 2, "nothing was requested")
        await server.server.stop()
    }

    @Test("accept: a person's bad code is refused with its errors and nothing changes; good code passes as theirs")
    func accept() async throws {
        try await runWithAFailure()
        let page = try read("outbox/flow/review/broken.md")
        #expect(page.contains("atomforge accept") && page.contains(" broken`"))
        #expect(page.contains("review/broken.py"))
        #expect(try read("outbox/flow/review/broken.py") == "def broken():\n    return 1\n")

        let wrong = "def broken():\n    return 5\n"
        try write(wrong, to: "outbox/flow/review/broken.py")
        let refused = try await atomforge(["accept", "outbox/flow", "broken"])
        #expect(refused.status == 1, "\(refused.standardOutput)\n\(refused.standardError)")
        #expect(refused.standardOutput.contains("not accepted"))
        #expect(refused.standardOutput.contains("assert broken() == 2"))
        #expect(try json("outbox/flow/atoms/broken/report.json")["status"] as? String == "failed")
        #expect(try attempts("broken").count == 2)
        #expect(try read("outbox/flow/review/broken.py") == wrong, "a person's file is never overwritten")
        #expect(try read("outbox/flow/review/broken.md").contains("Not accepted"))
        #expect(try await requests(for: "after") == 0)

        try await server.script([reply("def after():\n    return broken() + 1")], match: "defines `after`")
        let fixed = "def broken():\n    return 2\n"
        try write(fixed, to: "fixes/broken.py")
        let accepted = try await atomforge(["accept", "outbox/flow", "broken", "fixes/broken.py"])
        #expect(accepted.status == 0, "\(accepted.standardOutput)\n\(accepted.standardError)")
        let report = try json("outbox/flow/atoms/broken/report.json")
        #expect(report["status"] as? String == "passed")
        #expect(report["written_by"] as? String == "person")
        let last = try #require(try attempts("broken").last)
        #expect(last["kind"] as? String == "person")
        #expect(last["number"] as? Int == 3)
        #expect((last["source"] as? String)?.hasSuffix("fixes/broken.py") == true)
        #expect(try await requests(for: "after") == 1, "the atom it blocked is generated at once")
        #expect(try json("outbox/flow/summary.json")["status"] as? String == "passed")
        #expect(try read("outbox/flow/src/flow/broken.py").contains("return 2"))
        #expect(try read("outbox/flow/review/broken.py") == wrong)
        #expect(try await requests(for: "base") == 1)
        #expect(try await requests(for: "broken") == 2)
        await server.server.stop()
    }

    @Test("the same plan run again continues its finished run; --fresh starts over in a new folder")
    func samePlanContinues() async throws {
        try await runWithAFailure()
        try await server.script([reply("def broken():\n    return 2")], match: "defines `broken`")
        try await server.script([reply("def after():\n    return broken() + 1")], match: "defines `after`")
        let again = try await atomforge(["run", "plan.yaml"])
        #expect(again.status == 0, "\(again.standardOutput)\n\(again.standardError)")
        #expect(again.standardOutput.contains("continuing the finished run"))
        #expect(!exists("outbox/flow-2"))
        #expect(try await requests(for: "base") == 1)
        #expect(try json("outbox/flow/summary.json")["status"] as? String == "passed")

        let done = try await atomforge(["run", "plan.yaml"])
        #expect(done.status == 0)
        #expect(done.standardOutput.contains("every atom (3) passed already"))

        try await server.script([reply("def base():\n    return 1")], match: "defines `base`")
        let fresh = try await atomforge(["run", "plan.yaml", "--fresh"])
        #expect(fresh.standardOutput.contains("starting over (--fresh)"))
        #expect(exists("outbox/flow-2/summary.json"))
        #expect(try await requests(for: "base") == 2)
        #expect(try json("outbox/flow/summary.json")["status"] as? String == "passed", "the first run is kept")
        await server.server.stop()
    }

    @Test("an outage stops the run with exit 4 and keeps its attempts; the rerun goes on from them")
    func outage() async throws {
        try config(ladder: ["{kind: sample, temperature: 0.2}", "{kind: sample, temperature: 0.8}"])
        // base answers after broken has met the outage, so the run is still going when it stops; after (which
        // waits on broken) is never started.
        try await server.script([reply("def base():\n    return 1", delay: 2500)], match: "defines `base`")
        try await server.script(
            [reply("def broken():\n    return 1"), ["status": 503], ["status": 503]], match: "defines `broken`")
        let first = try await atomforge(["run", "plan.yaml"])
        #expect(first.status == 4, "\(first.standardOutput)\n\(first.standardError)")
        #expect(first.standardOutput.contains("the provider did not serve the requests"))
        #expect(first.standardOutput.contains("unfinished"))
        #expect(!exists("outbox/flow/summary.json"), "an interrupted run is not finished")
        #expect(try json("outbox/flow/progress.json")["state"] as? String == "stopped")
        #expect(try read("outbox/flow/journal.jsonl").contains("\"unfinished\""))
        #expect(try await requests(for: "after") == 0)

        try await server.script([reply("def broken():\n    return 2")], match: "defines `broken`")
        try await server.script([reply("def after():\n    return broken() + 1")], match: "defines `after`")
        let rerun = try await atomforge(["run", "plan.yaml"])
        #expect(rerun.status == 0, "\(rerun.standardOutput)\n\(rerun.standardError)")
        #expect(rerun.standardOutput.contains("resuming the interrupted run"))
        #expect(!exists("outbox/flow-2"))
        #expect(try await requests(for: "base") == 1)
        #expect(try await requests(for: "broken") == 4, "1 answered, 2 refused by the outage, 1 after it")
        let broken = try attempts("broken")
        #expect(broken.map { $0["number"] as? Int } == [1, 2], "the attempt made before the outage is kept")
        #expect(broken.map { $0["step"] as? Int } == [1, 2])
        #expect(try json("outbox/flow/summary.json")["status"] as? String == "passed")
        await server.server.stop()
    }

    @Test("two runs of one plan at once: the second waits and generates nothing again; --no-wait refuses")
    func concurrentRuns() async throws {
        try write(
            "plan: slow\nlanguage: python\natoms:\n  - {id: slow, name: slow, description: d}\n", to: "slow.yaml")
        try await server.script([reply("def slow():\n    return 1", delay: 5000)], match: "defines `slow`")
        let first = try await ChildProcess.spawn(
            CommandRunner.executable.path, ["run", "slow.yaml"], environment: ProcessInfo.processInfo.environment,
            workingDirectory: folder.path)
        let deadline = ContinuousClock.now + .seconds(30)
        while try await requests(for: "slow") == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let refused = try await atomforge(["run", "slow.yaml", "--no-wait"])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("is being run by another process"))
        let second = try await atomforge(["run", "slow.yaml"])
        #expect(await first.wait() == 0)
        #expect(second.status == 0, "\(second.standardOutput)\n\(second.standardError)")
        #expect(second.standardOutput.contains("every atom (1) passed already"))
        #expect(try await requests(for: "slow") == 1)
        #expect(!exists("outbox/slow-2"))
        await server.server.stop()
    }
}
