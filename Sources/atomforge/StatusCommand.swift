import ArgumentParser
import AtomForge
import Foundation

/// `atomforge status [OUTBOX|RUN] [--follow]`: the runs of an outbox, or one run, as they stand; following one as
/// it goes.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "List the runs of an outbox with their state and counts, or show (and follow) one run.",
        discussion: """
            Reads what each run keeps up to date (progress.json, summary.json, run.json) and who holds its lock; \
            it never changes a run nor waits for one, so it is safe beside a daemon. A run is running (a process \
            holds it), finished (passed or failed), stopped (a budget, a shutdown or an outage: running the plan \
            again continues it), interrupted (the process running it is gone: running the plan again resumes it) \
            or new (nothing generated yet).

            With --follow (a run folder), it shows the run again each time it changes, until it is no longer \
            running: a line each time as text, a JSON object a line with stream-json.

            Examples:
              atomforge status                              (the runs of the config's outbox)
              atomforge status outbox/textkit --follow      (one run, as it goes)
              atomforge status --output-format json | jq '.runs[] | select(.state == "running")'

            Exit codes: 0 shown (a followed run that finished with every atom passed), 1 a followed run that ended \
            otherwise, 2 no such outbox or run folder, or an invalid config.
            """
    )

    @Argument(
        help: "An outbox (its runs are listed) or a run folder (it is shown); default: the config's paths.outbox.",
        completion: .directory)
    var path: String?

    @Option(help: "The pipeline settings file whose outbox is listed when no path is given.")
    var config = "pipeline.yaml"

    @Flag(help: "Follow a run folder until it is no longer running.")
    var follow = false

    @Option(help: "How often --follow looks, in seconds.")
    var interval = 0.5

    @Option(help: ArgumentHelp("text, json (one object) or stream-json (with --follow: one object a line)."))
    var outputFormat = OutputFormat.text

    func validate() throws {
        guard interval >= 0.05, interval <= 60 else {
            throw ValidationError("--interval must be between 0.05 and 60 seconds")
        }
    }

    func run() async throws {
        let target = try target()
        guard RunListing.isRunFolder(target) else {
            guard !follow else {
                printError("\(target) is an outbox, not a run folder: --follow follows one run (give outbox/<plan>)")
                throw ExitCode(2)
            }
            let runs = await BlockingIO.run { RunListing.runs(inOutbox: target) }
            show(outbox: target, runs)
            return
        }
        guard var run = await BlockingIO.run({ RunListing.run(at: target) }) else {
            printError("\(target): the run folder cannot be read (is it another user's, or a link?)")
            throw ExitCode(2)
        }
        show(run)
        guard follow else { return }
        while run.state == .running {
            try await Task.sleep(for: .seconds(interval))
            guard let next = await BlockingIO.run({ RunListing.run(at: target) }) else { break }
            if next != run { show(next) }
            run = next
        }
        if !(run.state == .finished && run.status == RunStatus.passed.rawValue) { throw ExitCode(1) }
    }

    /// The folder to show: the path given, or the config's outbox; one that does not exist ends the command.
    private func target() throws -> String {
        var target: String
        if let path {
            target = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        } else if FileManager.default.fileExists(atPath: config) {
            guard let settings = loadConfig(config) else { throw ExitCode(2) }
            target = settings.outboxPath
        } else {
            target = "outbox"
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: target, isDirectory: &isFolder), isFolder.boolValue else {
            printError("\(target): no such folder; give an outbox or a run folder (outbox/<plan>)")
            throw ExitCode(2)
        }
        return target
    }

    private func show(outbox: String, _ runs: [RunListing.Run]) {
        switch outputFormat {
        case .json, .streamJSON:
            let object: [String: Any] = ["schema_version": 1, "outbox": outbox, "runs": runs.map(Self.object)]
            say(Self.json(object))
        case .text:
            guard !runs.isEmpty else {
                say("\(outbox): no runs yet")
                return
            }
            let rows =
                [["RUN", "STATE", "PASSED", "FAILED", "BLOCKED", "TOTAL", "UPDATED"]]
                + runs.map { run in
                    [
                        run.folder, Self.state(of: run), "\(run.passed)", "\(run.failed)", "\(run.blocked)",
                        "\(run.total)", run.updatedAt ?? "",
                    ]
                }
            let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                let cells = row.enumerated().map { column, cell in
                    column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                }
                say(cells.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
            }
        }
    }

    private func show(_ run: RunListing.Run) {
        switch outputFormat {
        case .json, .streamJSON:
            var object = Self.object(run)
            object["schema_version"] = 1
            say(Self.json(object))
        case .text:
            var line = "\(run.folder): \(Self.state(of: run)), \(run.done) of \(run.total) atoms done: "
            line += "\(run.passed) passed, \(run.failed) failed, \(run.blocked) blocked"
            if !run.inFlight.isEmpty {
                line +=
                    "; running: " + run.inFlight.map { "\($0.atom) (attempt \($0.attempt))" }.joined(separator: ", ")
            }
            if let left = run.estimatedRemainingS { line += "; ~\(Int(left)) s left" }
            if let model = run.model { line += "; model \(model)" }
            say(line)
        }
    }

    /// A line on standard output, written at once (a follower reads each as it comes).
    private func say(_ line: String) {
        Console.shared.write(line + "\n", to: .output)
    }

    /// The state as a person reads it: `running (pid 12)`, `finished: failed`, `stopped (budget)`.
    static func state(of run: RunListing.Run) -> String {
        switch run.state {
        case .running: "running" + (run.pid.map { " (pid \($0))" } ?? "")
        case .finished: "finished: \(run.status ?? "?")"
        case .stopped: "stopped" + (run.ending.map { " (\($0))" } ?? "")
        case .interrupted, .new: run.state.rawValue
        }
    }

    static func object(_ run: RunListing.Run) -> [String: Any] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        guard let data = try? encoder.encode(run),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return [:] }
        return object
    }

    static func json(_ object: [String: Any]) -> String {
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
