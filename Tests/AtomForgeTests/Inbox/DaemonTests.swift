import AtomForge
import Foundation
import Glibc
import Testing

/// `atomforge watch` as a daemon, against the scripted server: real inotify, real renames, real signals.
@Suite("atomforge watch", .serialized)
struct DaemonTests: DaemonFolder {
    let server: ScriptedServer
    let folder: String

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.daemonFolder("watch")
        try writeConfig(
            retries: 2,
            """
            execution:
              max_workers: 8
            evidence: {agreement: {candidates: 0}}   # one call per plan: the intake, not the vote, is tested
            """)
    }

    @Test("takes a plan present at start, one renamed in, one written in place; rejects a bad file with its error")
    func intake() async throws {
        try await server.script(Array(repeating: good("one"), count: 3))
        try plan("early").write(toFile: folder + "/inbox/early.yaml", atomically: false, encoding: .utf8)
        try "atoms: [".write(toFile: folder + "/inbox/broken.yaml", atomically: false, encoding: .utf8)
        let daemon = try await startDaemon()
        #expect(try await waitUntil { exists("outbox/early/summary.json") })
        try drop(plan("renamed"), as: "renamed.yaml")
        // Written in place: opened, written, closed (IN_CLOSE_WRITE). An empty file is left alone until then.
        let descriptor = open(folder + "/inbox/in-place.yaml", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(descriptor >= 0)
        close(open(folder + "/inbox/empty.yaml", O_WRONLY | O_CREAT, 0o644))
        try await Task.sleep(for: .milliseconds(200))
        let text = Array(plan("in-place").utf8)
        #expect(write(descriptor, text, text.count) == text.count)
        close(descriptor)
        #expect(try await waitUntil { exists("outbox/renamed/summary.json") && exists("outbox/in-place/summary.json") })
        #expect(exists("outbox/_rejected/broken.yaml"))
        let error = try String(contentsOfFile: folder + "/outbox/_rejected/broken.yaml.error.txt", encoding: .utf8)
        #expect(error.contains("broken.yaml:2:1: error: not valid YAML or JSON"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/inbox") == ["empty.yaml"])
        #expect(exists("outbox/early/plan.yaml"))
        daemon.signal(SIGTERM)
        #expect(await daemon.wait() == 0)
        await server.server.stop()
    }

    @Test("an empty file that stays empty past paths.empty_grace_s is rejected, at start or at a sweep")
    func staleEmptyFile() async throws {
        let config = try String(contentsOfFile: folder + "/pipeline.yaml", encoding: .utf8)
        try (config + "\npaths:\n  sweep_interval_s: 1\n  empty_grace_s: 3\n").write(
            toFile: folder + "/pipeline.yaml", atomically: false, encoding: .utf8)
        close(open(folder + "/inbox/old.yaml", O_WRONLY | O_CREAT, 0o644))
        try await Task.sleep(for: .seconds(3.2))
        let daemon = try await startDaemon()
        #expect(try await waitUntil { exists("outbox/_rejected/old.yaml.error.txt") })
        let error = try String(contentsOfFile: folder + "/outbox/_rejected/old.yaml.error.txt", encoding: .utf8)
        #expect(error.contains("old.yaml is empty, and has stayed empty for over 3.0 s"), "\(error)")
        // Created empty while it runs: left alone at first, rejected at a sweep once it has stayed empty that long;
        // one written in time is taken.
        close(open(folder + "/inbox/later.yaml", O_WRONLY | O_CREAT, 0o644))
        let written = open(folder + "/inbox/written.yaml", O_WRONLY | O_CREAT, 0o644)
        try await Task.sleep(for: .seconds(1))
        #expect(exists("inbox/later.yaml") && !exists("outbox/_rejected/later.yaml"))
        try await server.script([good("one")])
        let text = Array(plan("written").utf8)
        #expect(write(written, text, text.count) == text.count)
        close(written)
        #expect(try await waitUntil { exists("outbox/_rejected/later.yaml") })
        #expect(try await waitUntil { exists("outbox/written/summary.json") })
        daemon.signal(SIGTERM)
        #expect(await daemon.wait() == 0)
        await server.server.stop()
    }

    @Test("the provider down: the plan is kept and tried again with a growing delay until it answers")
    func outage() async throws {
        // max_retries 2: three 503s are one call that could not be made; the fourth try answers.
        try await server.script(
            [["status": 503], ["status": 503], ["status": 503], ["status": 503], ["status": 503], ["status": 503]]
                + [good("one")], match: "defines `one`")
        let daemon = try await startDaemon(arguments: ["--outage-delay", "0.3"])
        try drop(plan("patient"), as: "patient.yaml")
        #expect(try await waitUntil { exists("outbox/patient/summary.json") })
        let log = try String(contentsOfFile: folder + "/daemon.log", encoding: .utf8)
        #expect(log.contains("the provider did not serve the requests"))
        #expect(log.contains("tried again in 0.3 s (try 2)"))
        #expect(log.contains("tried again in 0.6 s (try 3)"), "a second outage, a longer wait")
        #expect(try await requests(for: "one") == 7)
        let summary =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: folder + "/outbox/patient/summary.json"))) as? [String: Any]
        #expect(summary?["status"] as? String == "passed")
        #expect(!exists("outbox/patient-2"))
        daemon.signal(SIGTERM)
        #expect(await daemon.wait() == 0)
        await server.server.stop()
    }

    @Test("a fix handed in through the inbox: kept in the run, checked, accepted; the atoms it blocked follow")
    func acceptThroughInbox() async throws {
        try await server.script([good("one")], match: "defines `one`")
        try await server.script(
            [["reply": "```python\ndef three():\n    return two() + 1\n```"]], match: "defines `three`")
        let atoms = """
              - {id: one, name: one, description: d, tests: "assert one() == 1"}
              - {id: two, name: two, description: d, tests: "assert two() == 2"}
              - {id: three, name: three, description: d, depends_on: [two], tests: "assert three() == 3"}
            """
        let daemon = try await startDaemon()
        try drop(plan("fixable", atoms: atoms), as: "fixable.yaml")
        #expect(try await waitUntil { exists("outbox/fixable/summary.json") })
        #expect(try await requests(for: "three") == 0)

        try drop("run: nope\natom: two\ncode: x = 1\n", as: "lost.accept.yaml")
        try drop("run: fixable\natom: two\ncode: |\n  def two():\n      return 2\n", as: "fix.accept.yaml")
        #expect(try await waitUntil { exists("outbox/fixable/accepted/fix.accept.yaml.result.txt") })
        #expect(try await waitUntil { exists("outbox/_rejected/lost.accept.yaml.error.txt") })
        let rejected = try String(
            contentsOfFile: folder + "/outbox/_rejected/lost.accept.yaml.error.txt", encoding: .utf8)
        #expect(rejected.contains("no run 'nope' in the outbox; runs there: fixable"))
        let result = try String(
            contentsOfFile: folder + "/outbox/fixable/accepted/fix.accept.yaml.result.txt", encoding: .utf8)
        #expect(result.contains("accepted: atom two passed"), "\(result)")
        // The same for a script.
        let machine =
            try JSONSerialization.jsonObject(
                with: Data(
                    contentsOf: URL(fileURLWithPath: folder + "/outbox/fixable/accepted/fix.accept.yaml.result.json")))
            as? [String: Any]
        #expect(
            machine?["accepted"] as? Bool == true && machine?["atom"] as? String == "two",
            "\(String(describing: machine))")
        #expect(machine?["exit_code"] as? Int == 0 && machine?["schema_version"] as? Int == 1)
        #expect((machine?["messages"] as? [String])?.first?.hasPrefix("accepted: atom two passed") == true)
        let report =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: folder + "/outbox/fixable/atoms/two/report.json")))
            as? [String: Any]
        #expect(report?["written_by"] as? String == "person")
        #expect(try await requests(for: "three") == 1)
        let summary =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: folder + "/outbox/fixable/summary.json"))) as? [String: Any]
        #expect(summary?["status"] as? String == "passed")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/inbox").isEmpty)
        daemon.signal(SIGTERM)
        #expect(await daemon.wait() == 0)
        await server.server.stop()
    }

    @Test("50 plans renamed in at once are each processed exactly once")
    func fiftyAtOnce() async throws {
        try await server.script(Array(repeating: good("one"), count: 60))
        let daemon = try await startDaemon()
        try await Task.sleep(for: .milliseconds(300))
        for index in 0..<50 { try drop(plan("bulk-\(index)"), as: "bulk-\(index).yaml") }
        #expect(try await waitUntil { summaries().count >= 50 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(summaries() == (0..<50).map { "bulk-\($0)" }.sorted())
        #expect(try await requests(for: "one") == 50)
        daemon.signal(SIGTERM)
        #expect(await daemon.wait() == 0)
        await server.server.stop()
    }

    @Test("two daemons on one inbox take each plan once")
    func twoDaemons() async throws {
        try await server.script(Array(repeating: good("one"), count: 40))
        let first = try await startDaemon("first.log")
        let second = try await startDaemon("second.log")
        try await Task.sleep(for: .milliseconds(400))
        for index in 0..<30 { try drop(plan("shared-\(index)"), as: "shared-\(index).yaml") }
        #expect(try await waitUntil { summaries().count >= 30 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(summaries() == (0..<30).map { "shared-\($0)" }.sorted())
        #expect(try await requests(for: "one") == 30)
        let logs =
            try String(contentsOfFile: folder + "/first.log", encoding: .utf8)
            + String(contentsOfFile: folder + "/second.log", encoding: .utf8)
        #expect(logs.components(separatedBy: "claimed plan").count - 1 == 30)
        first.signal(SIGTERM)
        second.signal(SIGTERM)
        #expect(await first.wait() == 0)
        #expect(await second.wait() == 0)
        await server.server.stop()
    }

    @Test("SIGTERM mid-plan exits 0; the next start finishes the plan without repeating passed atoms")
    func gracefulShutdownAndResume() async throws {
        try await server.script([good("fast")], match: "defines `fast`")
        try await server.script([good("slow").merging(["delay_ms": 1500]) { $1 }], match: "defines `slow`")
        try await server.script([good("after")], match: "defines `after`")
        let daemon = try await startDaemon()
        try drop(fastSlowAfter("interrupted"), as: "interrupted.yaml")
        #expect(
            try await waitUntil {
                let slow = try await requests(for: "slow")
                let fast = try await requests(for: "fast")
                return slow == 1 && fast == 1
            })
        daemon.signal(SIGTERM)
        let code = await daemon.wait()
        #expect(code == 0, "exit \(code)")
        #expect(try await requests(for: "after") == 0)
        #expect(!exists("outbox/interrupted/summary.json"))
        let journal = try String(contentsOfFile: folder + "/outbox/interrupted/journal.jsonl", encoding: .utf8)
        #expect(journal.split(separator: "\n").count == 2, "the call in flight finished and was journaled")

        let restarted = try await startDaemon("restart.log")
        #expect(try await waitUntil { exists("outbox/interrupted/summary.json") })
        #expect(try await requests(for: "fast") == 1)
        #expect(try await requests(for: "slow") == 1)
        #expect(try await requests(for: "after") == 1)
        let summary = try String(contentsOfFile: folder + "/outbox/interrupted/summary.json", encoding: .utf8)
        #expect(summary.contains("\"status\" : \"passed\""))
        restarted.signal(SIGTERM)
        #expect(await restarted.wait() == 0)
        await server.server.stop()
    }

    @Test(
        "SIGTERM while a call outlasts --grace-period: the group cancels it, exit 0, the atom unfinished, then resumed")
    func gracePeriodOver() async throws {
        try await server.script([good("fast")], match: "defines `fast`")
        try await server.script([good("slow").merging(["delay_ms": 30_000]) { $1 }], match: "defines `slow`")
        let daemon = try await startDaemon(arguments: ["--grace-period", "1"])
        try drop(fastSlowAfter("cut"), as: "cut.yaml")
        #expect(
            try await waitUntil {
                let (slow, fast) = (try await requests(for: "slow"), try await requests(for: "fast"))
                return slow == 1 && fast == 1
            })
        let signalled = ContinuousClock.now
        daemon.signal(SIGTERM)
        let code = await daemon.wait()
        #expect(code == 0, "exit \(code)")
        #expect(ContinuousClock.now - signalled < .seconds(20), "the 30-second call was cancelled, not waited for")
        let log = (try? String(contentsOfFile: folder + "/daemon.log", encoding: .utf8)) ?? ""
        #expect(log.contains("grace period is over"), "\(log)")
        #expect(!exists("outbox/cut/summary.json"))
        let journal = try String(contentsOfFile: folder + "/outbox/cut/journal.jsonl", encoding: .utf8)
        #expect(!journal.contains("\"failed\""), "the cancelled atom is unfinished, not failed")

        try await server.script([good("slow")], match: "defines `slow`")
        try await server.script([good("after")], match: "defines `after`")
        let restarted = try await startDaemon("restart.log")
        #expect(try await waitUntil { exists("outbox/cut/summary.json") })
        #expect(try await requests(for: "fast") == 1, "the passed atom is not asked for again")
        restarted.signal(SIGTERM)
        #expect(await restarted.wait() == 0)
        await server.server.stop()
    }
}
