import AtomForge
import Foundation
import Glibc
import Testing

/// The outbox on a full file system: a small tmpfs mounted by the test (root only; elsewhere the test is skipped
/// and says why). The plan stops at the first result it cannot write — no more model calls, exit 4, a message that
/// names the file and the reason — the journal stays readable, and once there is room the rerun finishes without
/// asking again for what was written.
@Suite("a full disk", .serialized)
struct FullDiskTests {
    static let canMount = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/mount")

    @Test(
        "a write that fails stops the plan at once, exit 4; freed space and a rerun finish it",
        .enabled(if: canMount, "mounting a small tmpfs for the outbox needs root"))
    func fullDisk() async throws {
        let server = try await ScriptedServer.start()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("full-\(UUID().uuidString)").path
        let outbox = folder + "/outbox"
        try FileManager.default.createDirectory(atPath: outbox, withIntermediateDirectories: true)
        let mount = try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/mount"), ["-t", "tmpfs", "-o", "size=1m", "tmpfs", outbox])
        try #require(mount.status == 0, "mount: \(mount.standardError)")
        defer { _ = umount2(outbox, Int32(MNT_DETACH)) }
        try """
        provider:
          base_url: \(server.baseURL)/v1
          max_retries: 1
        execution:
          max_workers: 1
        """.write(toFile: folder + "/pipeline.yaml", atomically: true, encoding: .utf8)
        let ids = (1...8).map { "a\($0)" }
        let atoms = ids.map {
            "  - {id: \($0), name: \($0), description: \"returns 1\", tests: \"assert \($0)() == 1\"}"
        }
        try ("plan: full\nlanguage: python\natoms:\n" + atoms.joined(separator: "\n") + "\n")
            .write(toFile: folder + "/plan.yaml", atomically: true, encoding: .utf8)
        for id in ids {
            try await server.script(
                Array(repeating: ["reply": "```python\ndef \(id)():\n    return 1\n```"], count: 2),
                match: "defines `\(id)`")
        }
        // Leave about 90 KiB: the plan, the run page and an atom or two fit, the rest does not.
        var status = statvfs()
        #expect(statvfs(outbox, &status) == 0)
        let free = Int(status.f_bavail) * Int(status.f_frsize)
        let filler = outbox + "/filler"
        #expect(FileManager.default.createFile(atPath: filler, contents: Data(count: free - 90 * 1024)))

        let first = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder)
        #expect(first.status == 4, "\(first.standardOutput)\n\(first.standardError)")
        #expect(first.standardOutput.contains("interrupted: the run's results could not be written"))
        #expect(first.standardOutput.contains("No space left on device"))
        #expect(!first.standardOutput.contains("results: "), "no summary is claimed")
        #expect(first.standardError.contains("error"), "logged as an error when it happened")
        let asked = try await server.requests().count
        #expect(asked < ids.count, "the model was asked for nothing more once nothing could be kept: \(asked)")
        #expect(!FileManager.default.fileExists(atPath: outbox + "/full/summary.json"))
        let journal = Journal(path: outbox + "/full/journal.jsonl").readState()
        let kept = journal.results.count
        #expect(kept >= 1 && kept < asked + 1)
        let lines = (try? String(contentsOfFile: outbox + "/full/journal.jsonl", encoding: .utf8)) ?? ""
        #expect(lines.isEmpty || lines.hasSuffix("\n"), "no torn line left behind")

        try FileManager.default.removeItem(atPath: filler)
        let second = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder)
        #expect(second.status == 0, "\(second.standardOutput)\n\(second.standardError)")
        let total = try await server.requests().count
        #expect(total == asked + ids.count - kept, "what was written is not asked again")
        #expect(FileManager.default.fileExists(atPath: outbox + "/full/summary.json"))
        #expect(!FileManager.default.fileExists(atPath: outbox + "/full-2"))
        await server.server.stop()
    }
}
