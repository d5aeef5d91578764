import ArgumentParser
import AtomForge
import Foundation

/// What a command prints on standard output: lines for a person, one JSON object for a tool, or (`run`) one JSON
/// event a line as the run goes.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json
    case streamJSON = "stream-json"
}

/// Where a command's lines go, and the one JSON object that ends a `--output-format json` run.
///
/// With `json`, standard output carries nothing but that object (so `atomforge run … --output-format json | jq`
/// works), and the lines a person reads go to standard error; with `stream-json` the events come first, one a
/// line, and the object last, with `"event": "result"`.
struct CommandOutput: Sendable {
    let format: OutputFormat

    func line(_ text: String) {
        Console.shared.write(text + "\n", to: format == .text ? .output : .error)
    }

    /// With `json`: one object of one shape for every ending. A run that started gives its summary (what
    /// `summary.json` holds, also when it stopped early and wrote none: `status` `stopped` or `interrupted`,
    /// `ending` why, `reason` what to do); one that did not start (an invalid plan or config, a busy folder, a
    /// model server that would not start) gives the same keys with nothing counted, `status` and `ending` saying
    /// why (`invalid` for exit 2, `failed` and `busy` for a folder another process runs), and `problems` what was
    /// wrong. Then `exit_code`, `folder` and
    /// the lines printed.
    func result(
        exitCode: Int32, folder: String?, messages: [String], problems: [String] = [], summary: String? = nil,
        ending: RunEnding? = nil
    ) {
        guard format != .text else { return }
        var object: [String: Any] = [:]
        if let summary, let parsed = try? JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any] {
            object = parsed
        } else if exitCode == 0 || exitCode == 1, let folder,
            let data = FileManager.default.contents(atPath: folder + "/summary.json"),
            let written = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        {
            object = written
        } else {
            object = Self.nothingRun(exitCode: exitCode, ending: ending)
        }
        object["exit_code"] = Int(exitCode)
        if !problems.isEmpty, object["reason"] == nil { object["reason"] = problems.first }
        if let folder { object["folder"] = folder }
        object["messages"] = messages
        if !problems.isEmpty { object["problems"] = problems }
        if format == .streamJSON { object["event"] = "result" }
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        Console.shared.write(String(decoding: data, as: UTF8.self) + "\n", to: .output)
    }

    /// The summary's keys for a command that ran nothing: nothing counted, and why in `status` and `ending`.
    static func nothingRun(exitCode: Int32, ending given: RunEnding?) -> [String: Any] {
        let (status, ending): (String, RunEnding) =
            switch exitCode {
            case 2: ("invalid", given ?? .invalid)
            case 3: (RunStatus.stopped.rawValue, given ?? .budget)
            case 4: (RunStatus.interrupted.rawValue, given ?? .outage)
            default: (RunStatus.failed.rawValue, given ?? .busy)
            }
        return [
            "schema_version": 1, "status": status, "ending": ending.rawValue,
            "counts": ["passed": 0, "failed": 0, "blocked": 0, "unfinished": 0],
            "tokens": ["input": 0, "output": 0, "cache_read": 0, "cache_write": 0], "attempts": 0, "atoms": [],
        ]
    }
}
