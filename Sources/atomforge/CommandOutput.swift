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

    /// With `json`: the run's `summary.json` (a run that finished), with `exit_code`, `folder` and the lines
    /// printed; for a run that did not finish or did not start, `status` says why (`invalid`, `stopped`,
    /// `interrupted`) and `problems` what was wrong.
    func result(exitCode: Int32, folder: String?, messages: [String], problems: [String] = []) {
        guard format != .text else { return }
        var object: [String: Any] = [:]
        let finished = exitCode == 0 || exitCode == 1
        if finished, let folder, let data = FileManager.default.contents(atPath: folder + "/summary.json"),
            let summary = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        {
            object = summary
        } else {
            object["status"] =
                switch exitCode {
                case 2: "invalid"
                case 3: RunStatus.stopped.rawValue
                case 4: RunStatus.interrupted.rawValue
                default: RunStatus.failed.rawValue
                }
        }
        object["exit_code"] = Int(exitCode)
        if let folder { object["folder"] = folder }
        object["messages"] = messages
        if !problems.isEmpty { object["problems"] = problems }
        if format == .streamJSON { object["event"] = "result" }
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        Console.shared.write(String(decoding: data, as: UTF8.self) + "\n", to: .output)
    }
}
