import Foundation
import Testing

/// What every end-to-end suite has: the scripted server the real binary talks to over HTTP, and a temporary folder
/// of its own for the plan, pipeline.yaml and the outbox. The set-up and the helpers that read and write that folder
/// live here once, so that each suite says only what is particular to it (its config, its plan, its checks).
protocol EndToEndSuite {
    var server: ScriptedServer { get }
    var folder: URL { get }
}

extension EndToEndSuite {
    /// A new folder `<prefix>-<uuid>` in the temporary directory.
    static func temporaryFolder(_ prefix: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Writes pipeline.yaml: the provider at the scripted server's OpenAI-compatible API with `retries` transport
    /// retries, then `rest` (the settings the suite is about).
    func writeConfig(retries: Int, _ rest: String = "") throws {
        try write(
            """
            provider:
              base_url: \(server.baseURL)/v1
              max_retries: \(retries)
            \(rest)
            """, to: "pipeline.yaml")
    }

    /// Writes `text` to `name` (relative to the folder), making the folders it is in.
    func write(_ text: String, to name: String) throws {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func read(_ name: String) throws -> String {
        try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
    }

    func exists(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path)
    }

    /// The JSON object in the file at `path` (relative to the folder).
    func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: folder.appendingPathComponent(path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A scripted reply holding `code` as a fenced Python block, sent after `delay` milliseconds.
    func reply(_ code: String, delay: Int = 0) -> [String: any Sendable] {
        ["reply": "```python\n\(code)\n```", "delay_ms": delay]
    }
}
