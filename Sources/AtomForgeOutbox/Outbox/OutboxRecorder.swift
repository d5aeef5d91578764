import AtomForgeGeneration
import AtomForgeModel
import AtomForgeSystem
import Foundation
import Logging

/// Writes a run's results into its outbox folder as they happen: the journal line (on disk before anything else),
/// the atom's code and report, its review page if it did not pass, `progress.json` and the run page (`index.html`).
/// At the end, the assembled source tree and the summaries.
///
/// It also hears the run's events: `progress.json` follows every attempt (atoms in flight, tokens, the time left),
/// and each atom's `atom_finished` goes out to `events` once its results are on disk.
public actor OutboxRecorder: RunRecorder, RunObserver {
    public let folder: RunFolder
    private let plan: Plan
    private var results: [String: AtomResult]
    private let events: RunEvents
    private var tally = ProgressTally()
    private var lastProgress = ContinuousClock.now - .seconds(1)
    /// Set while a write of `progress.json` waits for ``progressInterval`` to pass since the last one.
    private var progressPending = false
    /// Set once ``finish(_:provider:)`` began: only its own, last, `progress.json` is written after that.
    private var finishing = false
    /// Writes `progress.json` in the order the snapshots were taken, so an older one never lands last.
    private let progressQueue = DispatchQueue(label: "atomforge.progress", qos: .utility)
    private var errors: [String] = []
    private let page: RunPageWriter
    /// Requested when a result cannot be written: the plan asks the model for nothing more it could not keep.
    private let stop: StopSignal?
    private let logger: Logger?
    /// The first result that could not be written, as a message naming the file and the reason.
    public private(set) var writeFailure: String?
    /// Atoms whose result could not be written: never reported as done (the next run generates them again).
    public private(set) var unsaved: Set<String> = []

    /// `restored`: the earlier run's results this run keeps (by default all the folder's journal holds);
    /// `earlier`: the attempts of the atoms it goes on from, shown on the run page until they end; `model`: the
    /// provider's model, as the page names it.
    public init(
        folder: RunFolder, plan: Plan, restored: [String: AtomResult]? = nil,
        earlier: [String: EarlierAttempts] = [:], model: String = "", stop: StopSignal? = nil, logger: Logger? = nil,
        events: RunEvents = RunEvents()
    ) {
        self.events = events
        self.stop = stop
        self.logger = logger
        self.folder = folder
        self.plan = plan
        let results = restored ?? folder.restored
        self.results = results
        page = RunPageWriter(
            page: RunPage(
                plan: plan, folder: folder.path, model: model, results: results,
                unfinished: earlier.mapValues(\.attempts)),
            path: folder.root + "/index.html")
    }

    /// Files that could not be written (a full disk, say): the run goes on, and these are reported at the end.
    public var writeErrors: [String] {
        get async { errors + (await page.errors) }
    }

    /// Writes the run page as the run starts (every atom not yet done shows as pending) and says `plan_started`.
    /// A page that cannot be written (a full disk) stops the plan before any model call.
    public func begin() async {
        await page.begin()
        if let error = await page.errors.first { failedToWrite(OutboxError(error)) }
        var started = RunEvent(.planStarted, plan: plan.id)
        started.folder = folder.path
        started.atoms = plan.atoms.count
        let counts = StatusCounts(results.values)
        (started.passed, started.failed, started.blocked) = (counts.passed, counts.failed, counts.blocked)
        tally.apply(started)
        await events.emit(started)
        await writeProgress(state: .running)
    }

    /// An atom or an attempt started or ended: `progress.json` says so within ``progressInterval``.
    public func observe(_ event: RunEvent) async {
        tally.apply(event)
        await progressChanged()
    }

    /// The least time between two writes of `progress.json`: fresh enough to poll, and a plan of thousands of fast
    /// atoms does not spend its time rewriting it.
    static let progressInterval = Duration.milliseconds(100)

    private func progressChanged() async {
        guard !finishing else { return }
        let since = ContinuousClock.now - lastProgress
        if since >= Self.progressInterval {
            await writeProgress(state: .running)
        } else if !progressPending {
            progressPending = true
            Task {
                try? await Task.sleep(for: Self.progressInterval - since)
                await self.writePendingProgress()
            }
        }
    }

    private func writePendingProgress() async {
        guard progressPending, !finishing else { return }
        await writeProgress(state: .running)
    }

    public func record(_ result: AtomResult, of atom: Atom) async {
        results[atom.id] = result
        let folder = self.folder
        do {
            // The atom's files first, its journal line after: a run killed between the two finds the atom
            // unfinished (and pays for it again) rather than finished with its files missing.
            try await BlockingIO.run { () throws(OutboxError) in
                try Self.writeAtom(atom, result, in: folder)
                if result.status != .blocked { try folder.journal.append(result) }
            }
            await page.record(result)
            let finished = RunEvent.atomFinished(result, plan: plan.id)
            tally.apply(finished)
            await events.emit(finished)
        } catch {
            results[atom.id] = nil
            unsaved.insert(atom.id)
            tally.forget(atom.id)
            failedToWrite(error)
        }
        await progressChanged()
    }

    public func recordProgress(_ progress: EarlierAttempts, of atom: Atom) async {
        let folder = self.folder
        do {
            try await BlockingIO.run { () throws(OutboxError) in
                try folder.journal.appendUnfinished(atom.id, progress)
            }
        } catch {
            failedToWrite(error)
        }
    }

    public func recordUnfinished(_ progress: EarlierAttempts, of atom: Atom) async {
        results[atom.id] = nil
        tally.forget(atom.id)
        let folder = self.folder
        do {
            try await BlockingIO.run { () throws(OutboxError) in
                try folder.journal.appendUnfinished(atom.id, progress)
            }
            await page.recordUnfinished(progress.attempts, of: atom.id)
        } catch {
            failedToWrite(error)
        }
    }

    /// Writes the source tree, the summaries and the final progress; returns the summary's status. The
    /// `plan_finished` event is the caller's, who knows the exit code.
    @discardableResult
    public func finish(_ outcome: PlanOutcome, provider: ProviderSettings) async -> RunStatus {
        await finishing(outcome, provider: provider).status
    }

    /// ``finish(_:provider:)``, giving the summary itself: what `summary.json` holds (or would, for a run that
    /// stopped early and so writes none, leaving the next run to resume it).
    package func finishing(_ outcome: PlanOutcome, provider: ProviderSettings) async -> RunSummary {
        finishing = true
        var outcome = outcome
        outcome.results.merge(results) { new, _ in new }
        let summary = RunSummary(plan: plan, outcome: outcome, provider: provider)
        let (plan, folder, results, stopped) = (self.plan, self.folder, outcome.results, outcome.stop != nil)
        let suite = outcome.suite
        do {
            try await BlockingIO.run { () throws(OutboxError) in
                for (file, text) in SourceAssembler.assemble(plan, results: results) {
                    try AtomicFile.write(text, to: folder.root + "/src/" + file)
                }
                for atom in plan.atoms where results[atom.id]?.status == .blocked {
                    try Self.writeAtom(atom, results[atom.id]!, in: folder)
                }
                try Self.writeSuiteReviews(plan, results, suite: suite, in: folder)
                try AtomicFile.write(summary.markdown, to: folder.root + "/summary.md")
                // summary.json marks the run finished; a stopped run has none, so the next run resumes it.
                if !stopped { try AtomicFile.write(OutboxJSON.encode(summary), to: folder.summaryPath) }
            }
        } catch {
            failedToWrite(error)
        }
        await writeProgress(state: outcome.stop == nil ? .finished : .stopped, ending: RunEnding(outcome.stop))
        let state: RunPage.State =
            switch outcome.stop {
            case nil: .finished
            case let stop?: stop.runStatus == .interrupted ? .interrupted : .stopped
            }
        await page.finish(state, results: results, verdict: RunPage.TreeVerdict(outcome))
        return summary
    }

    /// A result that could not be written stops the plan at once: said as an error now, not at the end.
    private func failedToWrite(_ error: OutboxError) {
        errors.append(error.description)
        guard writeFailure == nil else { return }
        writeFailure = error.description
        stop?.request()
        let message = error.description + "; the plan stops and asks the model for nothing it could not keep"
        logger?.error("\(message)")
    }

    private static func writeAtom(_ atom: Atom, _ result: AtomResult, in folder: RunFolder) throws(OutboxError) {
        let directory = folder.root + "/atoms/" + atom.id
        if let code = result.code {
            try AtomicFile.write(code + "\n", to: directory + "/code." + (atom.language.fileExtensions.first ?? "txt"))
        }
        try AtomicFile.write(OutboxJSON.encode(AtomReport(atom: atom, result: result)), to: directory + "/report.json")
        let review = folder.root + "/review/" + atom.id + ".md"
        if result.status == .passed {
            try? FileManager.default.removeItem(atPath: review)
        } else {
            try AtomicFile.write(ReviewPage.markdown(atom: atom, result: result, folder: folder.path), to: review)
            try writeEditableFile(atom, result, in: folder)
        }
    }

    /// Writes again, from the journal's records, the files of every finished atom that lacks one (`report.json`,
    /// its code, its review page): what a run killed while writing them, before this order of writes, or a person
    /// deleting them left behind. No model call: the journal has the code and the attempts. Returns the atoms mended.
    package static func mendAtomFiles(
        _ plan: Plan, _ results: [String: AtomResult], in folder: RunFolder
    ) throws(OutboxError) -> [String] {
        var mended: [String] = []
        let manager = FileManager.default
        for atom in plan.atoms {
            guard let result = results[atom.id], result.status != .blocked else { continue }
            let directory = folder.root + "/atoms/" + atom.id
            let codeFile = directory + "/code." + (atom.language.fileExtensions.first ?? "txt")
            let complete =
                manager.fileExists(atPath: directory + "/report.json")
                && (result.code == nil || manager.fileExists(atPath: codeFile))
                && (result.status == .passed || manager.fileExists(atPath: folder.root + "/review/" + atom.id + ".md"))
            guard !complete else { continue }
            try writeAtom(atom, result, in: folder)
            mended.append(atom.id)
        }
        return mended
    }

    /// A review page for each atom that passed alone while tests of the plan's suite pinned on it still fail (with
    /// its code to edit and accept); an atom the suite no longer implicates loses such a page.
    private static func writeSuiteReviews(
        _ plan: Plan, _ results: [String: AtomResult], suite: SuiteResult?, in folder: RunFolder
    ) throws(OutboxError) {
        // A suite that could not run says nothing of the atoms: their pages stay as the last run that did left them.
        guard let suite, suite.problem == nil else { return }
        let implicated = SuiteAttribution.implicated(suite)
        for atom in plan.atoms {
            guard let result = results[atom.id], result.status == .passed else { continue }
            let review = folder.root + "/review/" + atom.id + ".md"
            if let tests = implicated[atom.id] {
                try AtomicFile.write(
                    ReviewPage.markdown(atom: atom, result: result, folder: folder.path, suiteFailures: tests),
                    to: review)
                try writeEditableFile(atom, result, in: folder)
            } else {
                try? FileManager.default.removeItem(atPath: review)
            }
        }
    }

    /// `review/<id>.<ext>`: the last attempt's code, for a person to edit and accept. Written while it is absent or
    /// still holds code of the model's; once a person has changed it, it is theirs and is never overwritten (it
    /// stays after the atom passes, too).
    private static func writeEditableFile(_ atom: Atom, _ result: AtomResult, in folder: RunFolder) throws(OutboxError)
    {
        guard let code = result.code ?? result.attempts.last?.code, !code.isEmpty else { return }
        let path = folder.root + "/" + atom.editableReviewFile
        if let data = FileManager.default.contents(atPath: path) {
            let current = String(decoding: data, as: UTF8.self)
            let ours = result.attempts.contains { $0.isModelCall && $0.code + "\n" == current }
            guard ours, current != code + "\n" else { return }
        }
        try AtomicFile.write(code + "\n", to: path)
    }

    private func writeProgress(state: RunProgress.State, ending: RunEnding? = nil) async {
        lastProgress = .now
        progressPending = false
        let counts = StatusCounts(results.values)
        let now = Date()
        // An atom whose result is in but not yet announced counts as done, not as in flight.
        let inFlight = state == .running ? tally.inFlight.filter { results[$0.atom] == nil } : []
        let progress = RunProgress(
            plan: plan.id, state: state, total: plan.atoms.count, passed: counts.passed, failed: counts.failed,
            blocked: counts.blocked, running: inFlight.count,
            pending: max(0, plan.atoms.count - counts.total - inFlight.count),
            inFlight: inFlight.map {
                RunProgress.Atom(atom: $0.atom, attempt: $0.attempt, step: $0.step, since: RunEvent.timestamp($0.since))
            },
            tokensIn: tally.tokensIn, tokensOut: tally.tokensOut,
            elapsedS: (tally.elapsed(at: now) * 10).rounded() / 10,
            estimatedRemainingS: state == .running ? tally.estimatedRemaining(at: now).map { $0.rounded() } : nil,
            startedAt: RunEvent.timestamp(tally.started), updatedAt: RunEvent.timestamp(now),
            ending: ending?.rawValue)
        let path = folder.root + "/progress.json"
        let bytes = Array(OutboxJSON.encode(progress).utf8)
        // Queued before this actor lets anything else in, so the writes happen in the order of their snapshots.
        let result: Result<Void, OutboxError> = await withCheckedContinuation { continuation in
            progressQueue.async {
                // A status to poll, rewritten every few hundred milliseconds: atomic, but not worth a flush.
                continuation.resume(
                    returning: Result { () throws(OutboxError) in
                        try AtomicFile.write(bytes, to: path, durable: false)
                    })
            }
        }
        if case .failure(let error) = result { errors.append(error.description) }
    }

}
