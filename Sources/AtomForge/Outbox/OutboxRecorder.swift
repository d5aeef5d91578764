import Foundation

/// Writes a run's results into its outbox folder as they happen: the journal line (on disk before anything else),
/// the atom's code and report, its review page if it did not pass, and `progress.json`. At the end, the assembled
/// source tree and the summaries.
public actor OutboxRecorder: RunRecorder {
    public let folder: RunFolder
    private let plan: Plan
    private var results: [String: AtomResult]
    private var lastProgress = ContinuousClock.now - .seconds(1)
    private var errors: [String] = []

    public init(folder: RunFolder, plan: Plan) {
        self.folder = folder
        self.plan = plan
        results = folder.restored
    }

    /// Files that could not be written (a full disk, say): the run goes on, and these are reported at the end.
    public var writeErrors: [String] { errors }

    public func record(_ result: AtomResult, of atom: Atom) async {
        results[atom.id] = result
        do {
            if result.status != .blocked { try folder.journal.append(result) }
            try writeAtom(atom, result)
        } catch {
            errors.append(error.description)
        }
        if ContinuousClock.now - lastProgress >= .milliseconds(200) { writeProgress(state: "running") }
    }

    /// Writes the source tree, the summaries and the final progress; returns the summary's status.
    @discardableResult
    public func finish(_ outcome: PlanOutcome, provider: ProviderSettings) -> String {
        var outcome = outcome
        outcome.results.merge(results) { new, _ in new }
        let summary = RunSummary(plan: plan, outcome: outcome, provider: provider)
        do {
            for (file, text) in SourceAssembler.assemble(plan, results: outcome.results) {
                try AtomicFile.write(text, to: folder.path + "/src/" + file)
            }
            for atom in plan.atoms where outcome.results[atom.id]?.status == .blocked {
                try writeAtom(atom, outcome.results[atom.id]!)
            }
            if outcome.stop == nil {
                try AtomicFile.write(summary.markdown, to: folder.path + "/summary.md")
                try AtomicFile.write(OutboxJSON.encode(summary), to: folder.summaryPath)
            } else {
                try AtomicFile.write(summary.markdown, to: folder.path + "/summary.md")
            }
        } catch {
            errors.append(error.description)
        }
        writeProgress(state: outcome.stop == nil ? "finished" : "stopped")
        return summary.status
    }

    private func writeAtom(_ atom: Atom, _ result: AtomResult) throws(OutboxError) {
        let directory = folder.path + "/atoms/" + atom.id
        if let code = result.code {
            try AtomicFile.write(code + "\n", to: directory + "/code." + (atom.language.fileExtensions.first ?? "txt"))
        }
        try AtomicFile.write(OutboxJSON.encode(AtomReport(atom: atom, result: result)), to: directory + "/report.json")
        let review = folder.path + "/review/" + atom.id + ".md"
        if result.status == .passed {
            try? FileManager.default.removeItem(atPath: review)
        } else {
            try AtomicFile.write(ReviewPage.markdown(atom: atom, result: result), to: review)
        }
    }

    private func writeProgress(state: String) {
        lastProgress = .now
        var counts = ["passed": 0, "failed": 0, "blocked": 0]
        for result in results.values { counts[result.status.rawValue, default: 0] += 1 }
        let progress = Progress(
            plan: plan.id, state: state, total: plan.atoms.count, passed: counts["passed"]!, failed: counts["failed"]!,
            blocked: counts["blocked"]!, pending: plan.atoms.count - results.count,
            updatedAt: ISO8601DateFormatter().string(from: Date()))
        do {
            try AtomicFile.write(OutboxJSON.encode(progress), to: folder.path + "/progress.json")
        } catch {
            errors.append(error.description)
        }
    }

    /// `progress.json`, for other tools to poll while a plan runs.
    private struct Progress: Encodable {
        var plan: String
        /// `running`, `finished`, or `stopped` (a budget or a shutdown; running the plan again continues it).
        var state: String
        var total: Int
        var passed: Int
        var failed: Int
        var blocked: Int
        var pending: Int
        var updatedAt: String
    }
}
