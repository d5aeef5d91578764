import AtomForge
import Foundation

/// Output for a GitHub Actions job, when `GITHUB_ACTIONS=true`: each plan problem as a workflow command
/// (`::error file=…,line=…,col=…::…`), which the job's page shows on the line of the file, and a run's summary
/// appended to the job summary (`GITHUB_STEP_SUMMARY`).
/// See https://docs.github.com/actions/reference/workflow-commands-for-github-actions.
struct GitHubActions: Sendable {
    let summaryPath: String?
    /// Where the commands go: standard output, unless it carries JSON for a tool (the runner reads both).
    let stream: Console.Stream

    /// The job's context, or nil outside GitHub Actions.
    init?(environment: [String: String] = ProcessInfo.processInfo.environment, stream: Console.Stream = .output) {
        guard environment["GITHUB_ACTIONS"] == "true" else { return nil }
        summaryPath = environment["GITHUB_STEP_SUMMARY"].flatMap { $0.isEmpty ? nil : $0 }
        self.stream = stream
    }

    /// `::error file=plan.yaml,line=4,col=5::dependency cycle: a → b → a`.
    func annotate(_ diagnostic: PlanDiagnostic, in file: String) {
        Console.shared.write(Self.command(for: diagnostic, in: file) + "\n", to: stream)
    }

    static func command(for diagnostic: PlanDiagnostic, in file: String) -> String {
        var properties = ["file=" + escapeProperty(file)]
        if let location = diagnostic.location {
            properties += ["line=\(location.line)", "col=\(location.column)"]
        }
        return "::\(diagnostic.severity.rawValue) \(properties.joined(separator: ","))::"
            + escapeData(diagnostic.message)
    }

    /// An atom that did not pass, annotated on the plan file at the atom's line where the plan gave it.
    func annotateFailure(atom: String, reason: String, plan file: String, at location: SourceLocation? = nil) {
        var properties = ["file=\(Self.escapeProperty(file))"]
        if let location { properties += ["line=\(location.line)", "col=\(location.column)"] }
        properties.append("title=\(Self.escapeProperty("atom " + atom))")
        let command = "::error \(properties.joined(separator: ","))::" + Self.escapeData(reason)
        Console.shared.write(command + "\n", to: stream)
    }

    /// Appends `markdown` to the job summary; a summary file that cannot be written is said on stderr.
    func appendSummary(_ markdown: String) {
        guard let summaryPath else { return }
        guard
            let handle = FileHandle(forWritingAtPath: summaryPath)
                ?? {
                    FileManager.default.createFile(atPath: summaryPath, contents: nil)
                        ? FileHandle(forWritingAtPath: summaryPath) : nil
                }()
        else {
            printError("cannot append to GITHUB_STEP_SUMMARY (\(summaryPath))")
            return
        }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data((markdown + "\n").utf8))
    }

    /// A run's results for the job: an annotation on the plan file for each atom that did not pass, and the run's
    /// `summary.md` appended to the job summary.
    func report(runIn folder: String, plan file: String, atomLocations: [String: SourceLocation] = [:]) {
        if let data = FileManager.default.contents(atPath: folder + "/summary.json"),
            let summary = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let atoms = summary["atoms"] as? [[String: Any]]
        {
            for atom in atoms where atom["status"] as? String != AtomStatus.passed.rawValue {
                let id = atom["id"] as? String ?? "?"
                annotateFailure(
                    atom: id,
                    reason: "\(atom["status"] as? String ?? "failed"): " + (atom["error"] as? String ?? "see review/"),
                    plan: file, at: atomLocations[id])
            }
        }
        if let data = FileManager.default.contents(atPath: folder + "/summary.md") {
            appendSummary(Self.withoutLinks(String(decoding: data, as: UTF8.self), folder: folder))
        }
    }

    /// `summary.md` for the job summary: its links lead to files of the run folder, which GitHub's page cannot
    /// open, so each becomes the file's path on the runner (to upload as an artifact) instead of a dead link.
    static func withoutLinks(_ markdown: String, folder: String) -> String {
        markdown.replacing(/\[(?<text>[^\]]+)\]\((?<target>[^)\s]+)\)/) { match in
            let target = String(match.output.target)
            if target.contains("://") { return String(match.output.0) }
            return "\(match.output.text) (`\(folder)/\(target)`)"
        }
    }

    /// The escapes GitHub's runner undoes in a command's message.
    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// And those of a property (`file=`, `title=`), where `:` and `,` separate.
    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
