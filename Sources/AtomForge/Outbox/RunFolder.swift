import Foundation

/// A plan's folder in the outbox, and the decision whether a run continues an interrupted one or starts anew.
///
/// `outbox/<plan>/` holds one run. A run is finished once `summary.json` exists. Running a plan whose folder holds an
/// unfinished run of the same plan text resumes it from the journal. Anything else — a finished run, or an
/// interrupted run of a plan that has changed since — is kept as it is, and the new run gets `outbox/<plan>-2/`
/// (then `-3`, …): results are never overwritten.
public struct RunFolder: Sendable {
    public let path: String
    /// Results restored from an interrupted run's journal; empty for a new run.
    public let restored: [String: AtomResult]
    /// What a person should know about the choice made (resumed, started anew and why), if anything.
    public let note: String?

    public var journal: Journal { Journal(path: path + "/journal.jsonl") }
    public var summaryPath: String { path + "/summary.json" }

    /// Picks the folder for `plan`, whose file text is `planText` and whose file name ends in `fileExtension`.
    public static func prepare(
        for plan: Plan, planText: String, fileExtension: String, outbox: String
    ) throws(OutboxError) -> RunFolder {
        let fileManager = FileManager.default
        var note: String?
        var suffix = 1
        while true {
            let path = outbox + "/" + plan.id + (suffix == 1 ? "" : "-\(suffix)")
            if !fileManager.fileExists(atPath: path) {
                try AtomicFile.write(planText, to: path + "/plan.\(fileExtension)")
                return RunFolder(path: path, restored: [:], note: note)
            }
            let finished = fileManager.fileExists(atPath: path + "/summary.json")
            let earlierText = ["yaml", "yml", "json"].lazy.compactMap {
                fileManager.contents(atPath: path + "/plan.\($0)")
            }.first.map { String(decoding: $0, as: UTF8.self) }
            if !finished, earlierText == planText {
                let restored = Journal(path: path + "/journal.jsonl").read()
                let passed = restored.values.filter { $0.status == .passed }.count
                let resumeNote = "resuming the interrupted run in \(path): \(restored.count) atoms already finished "
                    + "(\(passed) passed) are not generated again"
                return RunFolder(path: path, restored: restored, note: [note, resumeNote].compactMap { $0 }.joined(separator: "; "))
            }
            if note == nil {
                note = finished
                    ? "\(path) holds the results of an earlier run, kept as they are"
                    : "the plan changed since the interrupted run in \(path), so it starts over; the earlier files are kept"
            }
            suffix += 1
        }
    }
}
