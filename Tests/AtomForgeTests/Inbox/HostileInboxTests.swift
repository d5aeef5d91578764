import AtomForge
import Foundation
import Glibc
import Testing

/// What someone who can write to the inbox (and no more) drops there, through the real daemon: links to files the
/// daemon may read but they may not, named pipes that would block a thread forever, folders, names that are not
/// UTF-8. Each is refused with a message that says what it is, nothing outside the inbox is read or run, and the
/// daemon still takes plans and still stops on SIGTERM.
@Suite("hostile inbox entries", .serialized)
struct HostileInboxTests: DaemonFolder {
    let server: ScriptedServer
    let folder: String

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.daemonFolder("hostile", also: ["elsewhere"])
        try writeConfig(retries: 1)
    }

    func exists(_ relative: String) -> Bool { InboxEntryProbe.exists(folder + "/" + relative) }

    func read(_ relative: String) throws -> String {
        try String(contentsOfFile: folder + "/" + relative, encoding: .utf8)
    }

    func mode(_ relative: String) throws -> Int {
        try (FileManager.default.attributesOfItem(atPath: folder + "/" + relative)[.posixPermissions] as? Int) ?? -1
    }

    /// Makes `make(path)` under `elsewhere/`, then renames it into the inbox as `name` (one event, like a producer).
    func drop(_ name: [UInt8], _ make: (String) throws -> Void) throws {
        let staging = folder + "/elsewhere/.staging-\(UUID().uuidString)"
        try make(staging)
        let target = Array((folder + "/inbox/").utf8) + name + [0]
        let moved = target.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { rename(staging, $0.baseAddress!) }
        }
        #expect(moved == 0, "rename into the inbox: \(String(cString: strerror(errno)))")
    }

    func drop(_ name: String, _ make: (String) throws -> Void) throws { try drop(Array(name.utf8), make) }

    @Test("links, pipes, folders and names that are not UTF-8 are refused for what they are; nothing else is read")
    func refused() async throws {
        try await server.script([["reply": "```python\ndef one():\n    return 1\n```"]], match: "defines `one`")
        // What the links point to: a private file the dropper cannot read, a plan outside the inbox, a pipe.
        let secret = folder + "/elsewhere/secret.yaml"
        try "api_key_name: hunter2-secret\n".write(toFile: secret, atomically: false, encoding: .utf8)
        chmod(secret, 0o600)
        try plan("outside").write(toFile: folder + "/elsewhere/outside.yaml", atomically: false, encoding: .utf8)
        let pipe = folder + "/elsewhere/pipe"
        #expect(mkfifo(pipe, 0o644) == 0)
        // One link is there before the daemon starts: the start scan refuses it like an event would.
        #expect(symlink(secret, folder + "/inbox/early-link.yaml") == 0)

        let daemon = try await ChildProcess.spawn(
            CommandRunner.executable.path, ["watch", "--config", "pipeline.yaml"],
            environment: ProcessInfo.processInfo.environment, workingDirectory: folder,
            output: .file(folder + "/daemon.log"))
        try drop("plan-link.yaml") { #expect(symlink(folder + "/elsewhere/outside.yaml", $0) == 0) }
        // 80 links to a pipe: opening any of them would block a thread for good (and shutdown with it).
        for index in 0..<80 { try drop("fifo-link-\(index).yaml") { #expect(symlink(pipe, $0) == 0) } }
        try drop("pipe.yaml") { #expect(mkfifo($0, 0o644) == 0) }
        try drop("folder.yaml") {
            try FileManager.default.createDirectory(atPath: $0, withIntermediateDirectories: false)
        }
        try drop(Array("bad".utf8) + [0xFF] + Array(".yaml".utf8)) {
            try plan("badname").write(toFile: $0, atomically: false, encoding: .utf8)
            chmod($0, 0o640)
        }
        try drop("fine.yaml") { try plan("fine").write(toFile: $0, atomically: false, encoding: .utf8) }

        #expect(try await waitUntil { exists("outbox/fine/summary.json") }, "plans are still taken")
        #expect(
            try await waitUntil {
                try FileManager.default.contentsOfDirectory(atPath: folder + "/inbox").isEmpty
            },
            "every entry left the inbox")

        let early = try read("outbox/_rejected/early-link.yaml.error.txt")
        #expect(early.contains("early-link.yaml is a symbolic link"))
        #expect(!early.contains("hunter2") && !early.contains("api_key_name"), "the target is never read")
        #expect(try mode("outbox/_rejected/early-link.yaml.error.txt") == 0o600)
        #expect(try read("outbox/_rejected/plan-link.yaml.error.txt").contains("is a symbolic link"))
        #expect(!exists("outbox/outside"), "a linked plan is never run")
        #expect(try read("outbox/_rejected/fifo-link-79.yaml.error.txt").contains("is a symbolic link"))
        #expect(try read("outbox/_rejected/pipe.yaml.error.txt").contains("is a named pipe (FIFO)"))
        #expect(try read("outbox/_rejected/folder.yaml.error.txt").contains("is a directory"))
        let badName = try read("outbox/_rejected/bad%FF.yaml.error.txt")
        #expect(badName.contains("the file name is not UTF-8"))
        #expect(try mode("outbox/_rejected/bad%FF.yaml.error.txt") == 0o640, "as private as the file it is about")
        #expect(!exists("outbox/badname"))
        #expect(InboxEntryProbe.isSymbolicLink(folder + "/outbox/_rejected/plan-link.yaml"), "kept, not followed")

        daemon.signal(SIGTERM)
        #expect(try await waitUntil(.seconds(15)) { !daemon.isRunning }, "the daemon stops: no thread is blocked")
        #expect(await daemon.wait() == 0)
        let log = try read("daemon.log")
        #expect(log.contains("rejected: bad%FF.yaml: the file name is not UTF-8"))
        await server.server.stop()
    }
}

/// `lstat`, for the tests: whether an entry exists (a dangling link does), and whether it is a link.
enum InboxEntryProbe {
    static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    static func isSymbolicLink(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK
    }
}
