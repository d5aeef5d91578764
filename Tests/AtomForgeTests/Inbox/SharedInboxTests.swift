import AtomForge
import Foundation
import Glibc
import Testing

/// Daemons sharing one inbox and outbox as hosts would: rescans where inotify is off or blind, a dead daemon's run
/// taken over by a sweep, the health probe. Separate processes of the real binary, the scripted server, real files.
@Suite("shared inbox", .serialized)
struct SharedInboxTests: DaemonFolder {
    let server: ScriptedServer
    let folder: String

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.daemonFolder("shared")
    }

    /// `pipeline.yaml` against the scripted server, with `paths` as given.
    func configure(paths: String) throws {
        try writeConfig(
            retries: 2,
            """
            execution:
              max_workers: 8
            evidence: {agreement: {candidates: 0}}   # one call per plan: the intake, not the vote, is tested
            paths:
            \(paths)
            """)
    }

    func log(_ name: String) -> String { (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? "" }

    @Test("two daemons with inotify off take 100 plans by rescanning, each exactly once")
    func pollingDaemons() async throws {
        try configure(paths: "  inotify: false\n  poll_interval_s: 0.2")
        try await server.script(Array(repeating: good("one"), count: 110))
        let first = try await startDaemon("first.log")
        let second = try await startDaemon("second.log")
        #expect(try await waitUntil { log("first.log").contains("watching") && log("second.log").contains("watching") })
        for index in 0..<100 { try drop(plan("polled-\(index)"), as: "polled-\(index).yaml") }
        #expect(try await waitUntil(.seconds(120)) { summaries().count >= 100 })
        try await Task.sleep(for: .milliseconds(600))  // three more rescans: nothing is taken twice
        #expect(summaries() == (0..<100).map { "polled-\($0)" }.sorted())
        #expect(try await requests(for: "one") == 100)
        let logs = log("first.log") + log("second.log")
        #expect(logs.components(separatedBy: "claimed plan").count - 1 == 100)
        #expect(log("first.log").contains("a rescan every 0.2 s (inotify off): paths.inotify is false"))
        first.signal(SIGTERM)
        second.signal(SIGTERM)
        #expect(await first.wait() == 0)
        #expect(await second.wait() == 0)
        await server.server.stop()
    }

    @Test("on a FUSE mount inotify is blind to files written beneath it: the daemon rescans and takes them")
    func fuseInbox() async throws {
        // bindfs shows `beneath` at `mounted`; a file written to `beneath` directly (as another host would write to
        // an NFS export) raises no inotify event on `mounted`.
        let beneath = folder + "/beneath"
        let mounted = folder + "/mounted"
        for path in [beneath + "/inbox", beneath + "/outbox", mounted] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        let fuse = try await ChildProcess.spawn(
            "/usr/bin/bindfs", ["-f", beneath, mounted], environment: [:], workingDirectory: folder,
            output: .file(folder + "/bindfs.log"))
        defer {
            _ = Glibc.umount2(mounted, Int32(MNT_DETACH))
            fuse.signal(SIGTERM)
        }
        let onFuse = try await waitUntil(.seconds(20)) { FileSystemKind.of(mounted)?.type.hasPrefix("fuse") == true }
        try #require(onFuse, "bindfs (installed by scripts/install-deps) mounts: \(log("bindfs.log"))")
        // inotify is blind there: a file written beneath raises no event on the mount, one written through it does.
        let watcher = try InotifyWatcher(directory: mounted + "/inbox")
        let seen = Task {
            var names: [String] = []
            for await event in watcher.events() { if case .file(let name) = event { names.append(name) } }
            return names
        }
        try "probe".write(toFile: beneath + "/inbox/beneath.probe", atomically: false, encoding: .utf8)
        try await Task.sleep(for: .seconds(1))
        try "probe".write(toFile: mounted + "/inbox/through.probe", atomically: false, encoding: .utf8)
        try await Task.sleep(for: .milliseconds(500))
        watcher.stop()
        #expect(await seen.value == ["through.probe"], "inotify on the mount sees only what is written through it")
        for name in ["beneath.probe", "through.probe"] {
            try FileManager.default.removeItem(atPath: beneath + "/inbox/" + name)
        }
        try configure(paths: "  inbox: \(mounted)/inbox\n  outbox: \(mounted)/outbox")
        try await server.script(Array(repeating: good("one"), count: 3))
        let daemon = try await startDaemon()
        #expect(try await waitUntil { log("daemon.log").contains("watching") })
        #expect(
            log("daemon.log").contains("inotify and a rescan every 2 s: the inbox is on fuse, where inotify misses"))
        try drop(plan("beneath"), as: "beneath.yaml", into: beneath + "/inbox")
        #expect(
            try await waitUntil { FileManager.default.fileExists(atPath: mounted + "/outbox/beneath/summary.json") })
        #expect(try await requests(for: "one") == 1)
        daemon.signal(SIGTERM)
        #expect(await daemon.wait() == 0)
        await server.server.stop()
    }

    @Test("a daemon killed mid-run is taken over by another within a sweep; only the call in flight is repeated")
    func takeover() async throws {
        try configure(paths: "  sweep_interval_s: 1")
        try await server.script([good("fast")], match: "defines `fast`")
        try await server.script(
            // Long enough that a loaded machine starting the second daemon does not see the first finish first; the
            // first is killed well before, so the test does not wait it out.
            [good("slow").merging(["delay_ms": 30000]) { $1 }, good("slow")], match: "defines `slow`")
        try await server.script([good("after")], match: "defines `after`")
        let first = try await startDaemon("first.log")
        try drop(fastSlowAfter("orphan"), as: "orphan.yaml")
        // The first daemon has the run: the fast atom is journaled, the slow one's call is in flight.
        #expect(
            try await waitUntil {
                let journal = (try? String(contentsOfFile: folder + "/outbox/orphan/journal.jsonl", encoding: .utf8))
                return try await requests(for: "slow") == 1 && (journal ?? "").contains("fast")
            })
        let second = try await startDaemon("second.log")
        // Its look at start found the run held: what follows is a sweep's doing.
        #expect(try await waitUntil { log("second.log").contains("is being run by another process") })
        first.signal(SIGKILL)
        _ = await first.wait()
        #expect(try await waitUntil(.seconds(30)) { exists("outbox/orphan/summary.json") })
        #expect(log("second.log").contains("taking over the unfinished run"))
        #expect(try await requests(for: "fast") == 1, "a journaled atom is not asked for again")
        #expect(try await requests(for: "slow") == 2, "the call in flight when it died is repeated")
        #expect(try await requests(for: "after") == 1)
        let summary = try String(contentsOfFile: folder + "/outbox/orphan/summary.json", encoding: .utf8)
        #expect(summary.contains("\"status\" : \"passed\""))
        second.signal(SIGTERM)
        #expect(await second.wait() == 0)
        await server.server.stop()
    }

    @Test("atomforge health passes while the daemon watches, and fails once it has stopped")
    func health() async throws {
        try configure(paths: "  inbox: inbox")
        let none = try await CommandRunner.atomforge(["health", "--config", "pipeline.yaml"], in: folder)
        #expect(none.status == 1 && none.standardError.contains("no daemon of host"), "\(none.standardError)")
        let daemon = try await startDaemon()
        #expect(try await waitUntil { log("daemon.log").contains("watching") })
        // The status file follows the log line (written by its own service).
        #expect(try await waitUntil { HostStatus.records(outbox: folder + "/outbox").first?.state == .watching })
        let ready = try await CommandRunner.atomforge(["health", "--config", "pipeline.yaml"], in: folder)
        #expect(ready.status == 0 && ready.standardOutput.contains("is watching"), "\(ready.standardError)")
        let live = try await CommandRunner.atomforge(["health", "--live", "--config", "pipeline.yaml"], in: folder)
        #expect(live.status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder + "/outbox/_hosts")
        #expect(files == ["\(HostStatus.hostName())-\(daemon.pid).json"])
        daemon.signal(SIGTERM)
        #expect(await daemon.wait() == 0)
        let after = try await CommandRunner.atomforge(["health", "--config", "pipeline.yaml"], in: folder)
        #expect(after.status == 1, "a stopped daemon removes its status file")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/outbox/_hosts").isEmpty)
        await server.server.stop()
    }
}
