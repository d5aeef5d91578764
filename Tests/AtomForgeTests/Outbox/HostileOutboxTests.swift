import AtomForge
import Foundation
import Glibc
import Testing

/// What someone who can write to the outbox (and no more) puts there for a daemon that may run as root: a link
/// where a run folder, `_rejected/`, `_hosts/` or a folder's `.lock` would be, a folder of their own, a folder every
/// user can write to. Each is refused with a message that names it; nothing is written where a link points; a run
/// folder swapped for a link while it is held is still the one written to.
@Suite("hostile outbox entries", .serialized)
struct HostileOutboxTests: DaemonFolder {
    let server: ScriptedServer
    let folder: String

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.daemonFolder("outbox", also: ["outbox", "elsewhere"])
        try writeConfig(retries: 1)
    }

    func writePlan(_ id: String) throws {
        try plan(id).write(toFile: folder + "/\(id).yaml", atomically: true, encoding: .utf8)
    }

    func elsewhere() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder + "/elsewhere").sorted()
    }

    @Test("run and retry refuse a link, a .lock link, another user's folder and one every user can write to")
    func runRefuses() async throws {
        try await server.script([["reply": "```python\ndef one():\n    return 1\n```"]], match: "defines `one`")
        #expect(symlink(folder + "/elsewhere", folder + "/outbox/linked") == 0)
        try FileManager.default.createDirectory(atPath: folder + "/outbox/locked", withIntermediateDirectories: true)
        #expect(symlink(folder + "/elsewhere/lock", folder + "/outbox/locked/.lock") == 0)
        try FileManager.default.createDirectory(atPath: folder + "/outbox/theirs", withIntermediateDirectories: true)
        #expect(chown(folder + "/outbox/theirs", 65534, 65534) == 0, "the tests run as root, as CI does")
        try FileManager.default.createDirectory(atPath: folder + "/outbox/open", withIntermediateDirectories: true)
        #expect(chmod(folder + "/outbox/open", 0o777) == 0)

        let expected = [
            "linked": "outbox/linked is a symbolic link: AtomForge does not write through links in the outbox",
            "locked": "outbox/locked/.lock is a symbolic link",
            "theirs": "outbox/theirs belongs to another user (uid 65534)",
            "open": "outbox/open can be written by every user (mode 777)",
        ]
        for (id, message) in expected {
            try writePlan(id)
            let outcome = try await CommandRunner.atomforge(["run", "\(id).yaml"], in: folder)
            #expect(outcome.status == 1, "\(id): \(outcome.standardError)")
            #expect(outcome.standardError.contains(message), "\(id): \(outcome.standardError)")
        }
        #expect(try elsewhere().isEmpty, "nothing written where the links point")
        // retry of a folder given by a link is refused the same way.
        let retry = try await CommandRunner.atomforge(["retry", "outbox/linked"], in: folder)
        #expect(retry.status != 0 && retry.standardError.contains("is a symbolic link"), "\(retry.standardError)")
        #expect(try elsewhere().isEmpty)
        // A plain folder of the plan still runs.
        try writePlan("plain")
        let plain = try await CommandRunner.atomforge(["run", "plain.yaml"], in: folder)
        #expect(plain.status == 0, "\(plain.standardError)")
    }

    @Test("a run folder swapped for a link after it was taken: its files still go into the folder it holds")
    func swappedFolder() async throws {
        try writePlan("held")
        let claimed = try await PlanClaim.claim(.file(folder + "/held.yaml"), outbox: folder + "/outbox").get()
        #expect(rename(folder + "/outbox/held", folder + "/outbox/moved") == 0)
        #expect(symlink(folder + "/elsewhere", folder + "/outbox/held") == 0)
        try AtomicFile.write("x = 1\n", to: claimed.folder.root + "/src/x.py")
        try claimed.folder.journal.appendUnfinished("one", .resuming([]))
        #expect(FileManager.default.fileExists(atPath: folder + "/outbox/moved/src/x.py"))
        #expect(FileManager.default.fileExists(atPath: folder + "/outbox/moved/journal.jsonl"))
        #expect(try elsewhere().isEmpty)
        claimed.folder.release()
    }

    @Test("the daemon: a link at _rejected and _hosts is refused, nothing lands at its target, plans are still taken")
    func daemonKeepsGoing() async throws {
        try await server.script([["reply": "```python\ndef one():\n    return 1\n```"]], match: "defines `one`")
        try FileManager.default.createDirectory(atPath: folder + "/elsewhere/r", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: folder + "/elsewhere/h", withIntermediateDirectories: true)
        #expect(symlink(folder + "/elsewhere/r", folder + "/outbox/_rejected") == 0)
        #expect(symlink(folder + "/elsewhere/h", folder + "/outbox/_hosts") == 0)
        let daemon = try await ChildProcess.spawn(
            CommandRunner.executable.path, ["watch", "--config", "pipeline.yaml"],
            environment: ProcessInfo.processInfo.environment, workingDirectory: folder,
            output: .file(folder + "/daemon.log"))
        try "atoms: [\n".write(toFile: folder + "/elsewhere/bad.yaml", atomically: true, encoding: .utf8)
        #expect(rename(folder + "/elsewhere/bad.yaml", folder + "/inbox/bad.yaml") == 0)
        let log = { (try? String(contentsOfFile: self.folder + "/daemon.log", encoding: .utf8)) ?? "" }
        #expect(try await waitUntil { log().contains("outbox/_rejected is a symbolic link") }, "\(log())")
        // The refused plan is not lost: it stays in the inbox.
        #expect(FileManager.default.fileExists(atPath: folder + "/inbox/bad.yaml"))
        try "plan: good\nlanguage: python\natoms:\n  - {id: one, name: one, description: d}\n".write(
            toFile: folder + "/elsewhere/good.yaml", atomically: true, encoding: .utf8)
        #expect(rename(folder + "/elsewhere/good.yaml", folder + "/inbox/good.yaml") == 0)
        #expect(
            try await waitUntil { FileManager.default.fileExists(atPath: folder + "/outbox/good/summary.json") },
            "\(log())")
        #expect(log().contains("outbox/_hosts is a symbolic link"), "\(log())")
        // A person's fix for a run whose folder is a link: refused, nothing linked or written where it points.
        try FileManager.default.createDirectory(atPath: folder + "/elsewhere/run", withIntermediateDirectories: true)
        try "plan: linkedrun\n".write(toFile: folder + "/elsewhere/run/plan.yaml", atomically: true, encoding: .utf8)
        #expect(symlink(folder + "/elsewhere/run", folder + "/outbox/linkedrun") == 0)
        try "run: linkedrun\natom: one\ncode: |\n  def one():\n      return 1\n".write(
            toFile: folder + "/elsewhere/fix.accept.yaml", atomically: true, encoding: .utf8)
        #expect(rename(folder + "/elsewhere/fix.accept.yaml", folder + "/inbox/fix.accept.yaml") == 0)
        #expect(
            try await waitUntil { log().contains("outbox/linkedrun is a symbolic link") }, "\(log())")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/elsewhere/run") == ["plan.yaml"])
        await daemon.stop(grace: .seconds(10))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/elsewhere/r").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/elsewhere/h").isEmpty)
    }
}
