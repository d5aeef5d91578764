import AtomForge
import Foundation
import Glibc
import Testing

/// A folder with `inbox/` and a `pipeline.yaml` for daemons against the scripted server, and what their tests do
/// there: start daemons, drop plans the safe way, wait, count the server's requests.
protocol DaemonFolder {
    var server: ScriptedServer { get }
    var folder: String { get }
}

extension DaemonFolder {
    /// A new folder `<prefix>-<uuid>` in the temporary directory with an `inbox/` and the folders `also` names.
    static func daemonFolder(_ prefix: String, also: [String] = []) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
            .path
        for path in ["inbox"] + also {
            try FileManager.default.createDirectory(atPath: folder + "/" + path, withIntermediateDirectories: true)
        }
        return folder
    }

    /// Writes pipeline.yaml: the provider at the scripted server with `retries` transport retries, then `rest`.
    func writeConfig(retries: Int, _ rest: String = "") throws {
        try """
        provider:
          base_url: \(server.baseURL)/v1
          max_retries: \(retries)
        \(rest)
        """.write(toFile: folder + "/pipeline.yaml", atomically: true, encoding: .utf8)
    }

    /// Starts a daemon in the test folder; its log is kept in `log`.
    func startDaemon(_ log: String = "daemon.log", arguments: [String] = []) async throws -> ChildProcess {
        try await ChildProcess.spawn(
            CommandRunner.executable.path, ["watch", "--config", "pipeline.yaml"] + arguments,
            environment: ProcessInfo.processInfo.environment, workingDirectory: folder,
            output: .file(folder + "/" + log))
    }

    func plan(_ id: String, atoms: String = "  - {id: one, name: one, description: d}") -> String {
        "plan: \(id)\nlanguage: python\natoms:\n\(atoms)\n"
    }

    /// A plan of a fast atom, a slow one and one that depends on both: a run to interrupt while `slow` is at the
    /// model.
    func fastSlowAfter(_ id: String) -> String {
        plan(
            id,
            atoms: """
                  - {id: fast, name: fast, description: d}
                  - {id: slow, name: slow, description: d}
                  - {id: after, name: after, description: d, depends_on: [fast, slow]}
                """)
    }

    /// Writes a plan the safe way: a dotfile, then a rename into the inbox.
    func drop(_ text: String, as name: String, into inbox: String? = nil) throws {
        let inbox = inbox ?? folder + "/inbox"
        let temporary = inbox + "/.\(name).tmp"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary, inbox + "/" + name) == 0 else { throw POSIXError(.EIO) }
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: folder + "/" + relative) }

    /// Waits until `condition` holds, for at most `limit`.
    func waitUntil(_ limit: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return false
    }

    func good(_ name: String) -> [String: any Sendable] { ["reply": "```python\ndef \(name)():\n    return 1\n```"] }

    func requests(for name: String) async throws -> Int {
        try await server.requests().filter { $0.lastUserText.contains("defines `\(name)`") }.count
    }

    func summaries() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder + "/outbox")) ?? []
        return names.filter { exists("outbox/\($0)/summary.json") }.sorted()
    }
}
