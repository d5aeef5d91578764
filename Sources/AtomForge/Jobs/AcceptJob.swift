import AtomForgeGeneration
import AtomForgeModel
import AtomForgeOutbox
import AtomForgeSystem
import Foundation

/// A person's code for an atom of a run, through the same validators as the model's: if it passes, the atom is
/// `passed` as a person's work (in place of the code it had, passed or not) and the atoms it blocked are generated at
/// once; if not, the atom stays as it was and the errors are shown (and added to its review page). The person's file
/// is only ever read.
public enum AcceptJob {
    public struct Outcome: Sendable {
        /// How it ended: `invalid` when there was nothing to accept, `finished` when the code was checked (and, once
        /// accepted, the run's own ending after the atoms it blocked were generated).
        public var ending: RunEnding
        /// Whether the code was accepted and every atom of the run passed.
        public var passed = false
        public var messages: [String]
        /// Whether the code passed and the atom is now a person's.
        public var accepted: Bool
        /// Set when the provider could not be reached for the atoms that follow.
        public var outage: String?
        /// The run's summary after it (``PlanJob/Outcome/summary``), once the code was accepted.
        public var summary: String?

        /// 0 accepted (and every atom passed), 1 refused or some atoms still fail, 2 nothing to accept, 3/4 as `run`.
        public var exitCode: Int32 { ending.exitCode(passed: passed) }
    }

    /// Validates `code` (read from `file`) as atom `id` of the run in `folder`, and records it if it passes.
    public static func accept(
        atom id: String, code: String, from file: String, plan: Plan, in folder: RunFolder, services: EngineServices
    ) async -> Outcome {
        guard let index = plan.atoms.firstIndex(where: { $0.id == id }) else {
            return Outcome(ending: .invalid, messages: [plan.unknownAtom(id)], accepted: false)
        }
        let atom = plan.atoms[index]
        let journal = await BlockingIO.run { folder.journal.readState() }
        let earlier = journal.results[id]
        // A passed atom takes a person's code too (one the plan's suite still fails on has a review page asking for
        // it); the code it already has is nothing to accept.
        if earlier?.status == .passed, let current = earlier?.code,
            current.trimmingWhitespace() == code.trimmingWhitespace()
        {
            return Outcome(
                ending: .invalid,
                messages: ["atom \(id) has passed already in \(folder.path) with this code; nothing to accept"],
                accepted: false)
        }
        let graph = DependencyGraph(plan.atoms)
        let passed = journal.results.filter { $0.value.status == .passed }.compactMapValues(\.code)
        let context = await PassedCode(passed, atoms: plan.atoms, graph: graph).context(for: index)
        let missing = atom.requires.filter { passed[$0] == nil }
        guard missing.isEmpty else {
            return Outcome(
                ending: .invalid,
                messages: [
                    "atom \(id) depends on \(missing.joined(separator: ", ")), which "
                        + (missing.count == 1 ? "has" : "have") + " not passed: accept or retry "
                        + (missing.count == 1 ? "it" : "them") + " first"
                ], accepted: false)
        }
        // A person's method is validated in its class, like the model's.
        let unit = context.classScope.map { $0.method(outOf: code, for: atom) } ?? code
        // The description's examples hold a person's code to what they hold the model's.
        let examples =
            services.config.evidence.examples && services.validators.runs(atom)
            ? await AtomGenerator.examples(
                of: atom, runner: services.probe?.runner, slots: services.validationSlots) : []
        let subject = ValidationSubject(
            atom: atom, code: unit, dependencyCode: context.allDependencies.map(\.code),
            dependencyImports: AtomGenerator.dependencyImports(context),
            enclosing: AtomGenerator.enclosing(unit, of: atom, in: context.classScope),
            checks: DescriptionExample.tests(examples, language: atom.language), knownNames: plan.atoms.map(\.name))
        let issues: [ValidationIssue]
        do {
            issues = try await services.validationSlots.withPermit { await services.validators.validate(subject) }
        } catch {
            return Outcome(ending: .shutdown, messages: ["stopped before the code was checked"], accepted: false)
        }
        var attempts = earlier?.attempts ?? journal.unfinished[id]?.attempts ?? []
        var record = AttemptRecord(
            number: (attempts.map(\.number).max() ?? 0) + 1, temperature: nil, maxTokens: 0, tokens: TokenUsage(),
            latencyS: 0,
            transportRetries: 0, stopReason: "person", truncated: false, code: unit, issues: issues,
            passed: !issues.contains { $0.severity.fails }, isolation: services.validators.isolation)
        record.kind = .person
        record.source = file
        record.enclosing = subject.enclosing?.text
        guard record.passed else {
            record.failure = FailureKind.classify(issues, truncated: false)
            let failures = record.failures.map { "- \($0.message)" }
            let note = ReviewPage.refusal(record, at: ISO8601DateFormatter().string(from: Date()))
            let review = folder.root + "/review/" + id + ".md"
            let appended = await BlockingIO.run { () -> Bool in
                guard let handle = FileHandle(forWritingAtPath: review) else { return false }
                defer { try? handle.close() }
                guard (try? handle.seekToEnd()) != nil else { return false }
                return (try? handle.write(contentsOf: Data(note.utf8))) != nil
            }
            return Outcome(
                ending: .finished,
                messages: ["not accepted: \(file) fails atom \(id)'s validation:"] + failures + [
                    "atom \(id) stays \(earlier?.status.rawValue ?? "unfinished")"
                        + (appended ? "; the errors are on its review page, review/\(id).md" : "")
                ], accepted: false)
        }
        attempts.append(record)
        var result = AtomResult(
            id: id, status: .passed, attempts: attempts, code: unit, reason: "accepted from \(file), a person's code")
        result.evidence = Evidence.of(
            atom, ran: services.validators.runs(atom), examples: examples.count, attempt: record.number)
        // Heard like any atom's result: the log, the progress display and stream-json say it passed.
        let recorder = OutboxRecorder(
            folder: folder, plan: plan, events: RunEvents([EventLog(logger: services.logger)] + services.observers))
        await recorder.record(result, of: atom)
        if let error = await recorder.writeErrors.first {
            return Outcome(
                ending: .unwritable, messages: ["could not record the accepted code: \(error)"], accepted: false)
        }
        let accepted = "accepted: atom \(id) passed with the code in \(file), recorded as a person's"
        // The atoms it blocked, generated now; the other failures stay as they are until a retry.
        let job = await PlanJob.run(plan, in: folder, services: services, retry: .keep)
        return Outcome(
            ending: job.ending, passed: job.passed, messages: [accepted] + job.messages, accepted: true,
            outage: job.outage, summary: job.summary)
    }

    /// Whether accepting atom `id` leaves atoms to generate (so the model server is needed).
    public static func leavesWork(accepting id: String, plan: Plan, journal: Journal.State) -> Bool {
        // A plan's suite runs again after the accepted code, and its rounds may call the model.
        !plan.suite.isEmpty || plan.atoms.contains { $0.id != id && journal.results[$0.id] == nil }
    }
}
