import AtomForgeGeneration
import AtomForgeModel
import AtomForgeSystem
import Foundation

/// `summary.json`: the totals other tools read (its keys are a contract), and `summary.md`, the same for a person.
package struct RunSummary: Encodable, Sendable {
    /// `summary.json`'s `counts`: the statuses, and the atoms a stopped run did not finish.
    struct Counts: Encodable, Sendable {
        var passed: Int
        var failed: Int
        var blocked: Int
        var unfinished: Int
    }

    struct AtomLine: Encodable, Sendable {
        var id: String
        var status: String
        var attempts: Int
        var file: String
        /// Why it did not pass, in a line: the failure, or the atom it waits on.
        var error: String?
        /// What a passed atom rests on: `tests`, `examples`, `agreement`, `loaded` or `parsed`.
        var evidence: EvidenceLevel?
        /// How many of the plan's suite tests that fail are pinned on the atom (it has a review page then).
        var suiteFailures: Int?
    }

    /// The version of this file's shape: keys are only ever added, and a change that is not an addition raises it.
    var schemaVersion = 1
    var plan: String
    /// `passed` when every atom passed; `failed` when some did not; `stopped` or `interrupted` when the run ended
    /// before every atom had a verdict (`ending` says why).
    package var status: RunStatus
    /// Why the run ended: `finished`, or what stopped it (``RunEnding``).
    package var ending: RunEnding
    /// The same as a phrase, for a run that stopped early: `budget`, `stopped`, `provider unavailable`, `outbox not
    /// writable` (kept for tools that read it before `ending` was added).
    var stopReason: String?
    /// For a run that stopped early: what stopped it and what to do, as the command says it.
    var reason: String?
    var provider: String
    var model: String
    var counts: Counts
    /// Model calls that produced code, over all atoms.
    var attempts: Int
    /// Atoms by the number of attempts they took: `{"1": 7, "2": 1}`.
    var attemptsHistogram: [String: Int]
    /// Model calls by what their ladder step did: `{"sample": 12, "repair": 3, "escalate": 1}`.
    var attemptsByKind: [String: Int]
    /// Attempts whose code equalled an earlier attempt's of the same atom (not validated again), and their share
    /// of all attempts.
    var duplicates: Int
    var duplicateRate: Double
    var tokens: TokenUsage
    /// Passed atoms by what their `passed` rests on: `{"tests": 3, "examples": 1, "loaded": 2}`.
    package var evidence: [String: Int]
    /// Model calls that gathered evidence without writing code (inputs proposed for the vote between candidates).
    var evidenceCalls: Int

    /// US dollars, when the model's price is known (``ProviderSettings/price``).
    package var costUsd: Double?
    /// Which prices the cost is at: `configured`, or `list prices of <date>` (the built-in table).
    var costPrices: String?
    var durationS: Double
    /// Files of `src/` that do not import, for a reason no atom was made to answer for; absent when there are none.
    package var srcProblems: [String]?
    /// The plan's own suite on the assembled tree (`suite:` in the plan); absent when it has none.
    var suite: SuiteResult?
    /// Its rounds: the atoms each sent through their ladder again, those it fixed, the suite after it.
    var suiteRounds: [SuiteRound]?
    /// When this run started (a continued or resumed run: when it was taken up again).
    var startedAt: String
    var finishedAt: String
    var atoms: [AtomLine]

    package init(plan: Plan, outcome: PlanOutcome, provider: ProviderSettings) {
        self.plan = plan.id
        self.provider = provider.kind.rawValue
        model = provider.model
        var histogram: [String: Int] = [:]
        var tokens = TokenUsage()
        var attempts = 0
        var byKind: [String: Int] = [:]
        var duplicates = 0
        var evidence: [String: Int] = [:]
        var evidenceCalls = 0
        var lines: [AtomLine] = []
        let suiteImplicated = outcome.suite.map(SuiteAttribution.implicated) ?? [:]
        for atom in plan.atoms {
            let result = outcome.results[atom.id]
            // Model calls: a person's accepted code is not one.
            let tried = result?.attempts.filter { $0.isModelCall }.count ?? 0
            attempts += tried
            if tried > 0 { histogram["\(tried)", default: 0] += 1 }
            for attempt in result?.attempts ?? [] where attempt.isModelCall {
                byKind[(attempt.kind ?? .sample).rawValue, default: 0] += 1
                if attempt.isDuplicate { duplicates += 1 }
            }
            tokens += result?.tokens ?? TokenUsage()
            evidenceCalls += result?.evidenceCalls?.count ?? 0
            let level = result?.status == .passed ? result?.evidence?.level : nil
            if let level { evidence[level.rawValue, default: 0] += 1 }
            lines.append(
                AtomLine(
                    id: atom.id, status: result?.status.rawValue ?? "unfinished", attempts: tried, file: atom.file,
                    error: result.flatMap(Self.error(of:)), evidence: level,
                    suiteFailures: result?.status == .passed ? suiteImplicated[atom.id]?.count : nil))
        }
        let finished = StatusCounts(plan.atoms.compactMap { outcome.results[$0.id] })
        counts = Counts(
            passed: finished.passed, failed: finished.failed, blocked: finished.blocked,
            unfinished: plan.atoms.count - finished.total)
        self.attempts = attempts
        attemptsHistogram = histogram
        attemptsByKind = byKind
        self.duplicates = duplicates
        duplicateRate = attempts == 0 ? 0 : (Double(duplicates) / Double(attempts) * 1000).rounded() / 1000
        self.tokens = tokens
        self.evidence = evidence
        self.evidenceCalls = evidenceCalls
        if let cost = provider.cost(of: tokens) {
            costUsd = (cost * 10_000).rounded() / 10_000
            let configured = provider.inputPricePerMillion > 0 || provider.outputPricePerMillion > 0
            costPrices = configured ? "configured" : "list prices of \(ModelPrice.tableDate)"
        }
        atoms = lines
        durationS = (outcome.duration.seconds * 1000).rounded() / 1000
        srcProblems = outcome.treeProblems.isEmpty ? nil : outcome.treeProblems
        suite = outcome.suite
        suiteRounds = outcome.suiteRounds.isEmpty ? nil : outcome.suiteRounds
        status =
            outcome.stop?.runStatus
            ?? (counts.passed == plan.atoms.count && outcome.treeProblems.isEmpty && (outcome.suite?.passes ?? true)
                ? .passed : .failed)
        ending = RunEnding(outcome.stop)
        reason = outcome.stop.map(Self.reason(of:))
        stopReason = outcome.stop.map {
            switch $0 {
            case .budget: "budget"
            case .cancelled: "stopped"
            case .unavailable: "provider unavailable"
            case .unwritable: "outbox not writable"
            }
        }
        let now = Date()
        startedAt = ISO8601DateFormatter().string(from: now.addingTimeInterval(-outcome.duration.seconds))
        finishedAt = ISO8601DateFormatter().string(from: now)
    }

    /// What stopped a run, and what to do about it, in a sentence.
    static func reason(of stop: GenerationStop) -> String {
        switch stop {
        case .budget:
            "the plan reached its budget (budget.tokens_per_plan or cost_per_plan); raise it and run the plan again "
                + "to continue"
        case .cancelled: "it was asked to stop; run the plan again to continue"
        case .unavailable(let why):
            "the provider did not serve the requests (\(why)); once it answers, run the plan again to go on"
        case .unwritable(let why):
            "the results could not be written (\(why)); free space or fix the permissions, then run the plan again"
        }
    }

    /// The line a person reads first about an atom that did not pass.
    static func error(of result: AtomResult) -> String? {
        switch result.status {
        case .passed: return nil
        case .blocked: return result.blockedBy.map { "blocked by \($0)" } ?? result.reason
        case .failed:
            let last = result.attempts.last { !$0.isDuplicate }
            let line = last?.failures.first?.message.firstLine ?? result.reason ?? "failed"
            return line.count > 160 ? String(line.prefix(157)) + "..." : line
        }
    }

    /// What a level tells a reviewer, in a phrase.
    static func meaning(of level: EvidenceLevel) -> String {
        switch level {
        case .tests: "the plan's tests passed"
        case .examples: "the examples in its description held"
        case .agreement: "most candidates run on the same inputs behaved alike; check the behaviour"
        case .loaded: "it ran without error, but nothing checked what it does; review it"
        case .parsed: "it parsed, and nothing ran it; review it"
        }
    }

    package var markdown: String {
        var text = "# Plan \(plan): \(status.rawValue)\n\n"
        if stopReason != nil {
            text += "The run \(status.rawValue) before every atom was finished (\(ending.rawValue))"
            text += reason.map { ": \($0)" } ?? "; running the plan again continues it."
            text += "\n\n"
        }
        text += "| passed | failed | blocked | unfinished | attempts | tokens in | tokens out | time |\n"
        text += "|---|---|---|---|---|---|---|---|\n"
        text += "| \(counts.passed) | \(counts.failed) | \(counts.blocked) | \(counts.unfinished) | \(attempts) | "
        text += "\(tokens.input) | \(tokens.output) | \(String(format: "%.1f", durationS)) s |\n\n"
        if let srcProblems {
            text += "The generated tree does not load:\n\n" + srcProblems.map { "- \($0)\n" }.joined() + "\n"
        }
        if let suite { text += Self.suiteSection(suite, rounds: suiteRounds ?? []) }
        text += "Model: \(model) (\(provider)). Started \(startedAt), finished \(finishedAt)."
        if duplicates > 0 {
            text += " \(duplicates) attempt\(duplicates == 1 ? "" : "s") repeated earlier code (not validated again)."
        }
        if tokens.cacheRead > 0 || tokens.cacheWrite > 0 {
            text += " Prompt cache: \(tokens.cacheRead) input tokens read, \(tokens.cacheWrite) written."
        }
        if let costUsd {
            text += String(format: " Cost: $%.4f", costUsd)
            if costPrices != "configured" {
                text +=
                    " at \(costPrices ?? "list prices"); set provider.input_price_per_million and"
                    + " output_price_per_million for yours"
            }
            text += "."
        }
        text += "\n\n## Attempts per atom\n\n"
        for key in attemptsHistogram.keys.sorted(by: { Int($0)! < Int($1)! }) {
            text += "- \(key): \(attemptsHistogram[key]!) atom\(attemptsHistogram[key]! == 1 ? "" : "s")\n"
        }
        if !evidence.isEmpty {
            text += "\n## What each passed atom rests on\n\n"
            for level in EvidenceLevel.allCases.reversed() {
                guard let count = evidence[level.rawValue] else { continue }
                text += "- \(level.rawValue): \(count) atom\(count == 1 ? "" : "s") — \(Self.meaning(of: level))\n"
            }
            if evidenceCalls > 0 {
                text += "\n\(evidenceCalls) model call\(evidenceCalls == 1 ? "" : "s") proposed inputs for the vote "
                text += "between candidates (not counted as attempts).\n"
            }
        }
        text += "\n## Atoms\n\n| atom | status | evidence | attempts | file | error |\n|---|---|---|---|---|---|\n"
        // The weakest evidence first among the passed: what a reviewer should read before the rest.
        let rank = { (line: AtomLine) in
            EvidenceLevel.reviewRank(passed: line.status == AtomStatus.passed.rawValue, level: line.evidence)
        }
        let ordered = atoms.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }
            .map(\.element)
        for atom in ordered {
            // Failed and blocked atoms have a review page; an unfinished one has none yet (the next run goes on).
            var status =
                switch atom.status {
                case AtomStatus.passed.rawValue: atom.status
                case AtomStatus.failed.rawValue, AtomStatus.blocked.rawValue:
                    "**\(atom.status)** ([review](review/\(atom.id).md))"
                default: "**\(atom.status)**"
                }
            if let failing = atom.suiteFailures {
                status += ", **the suite fails on it** (\(failing) test\(failing == 1 ? "" : "s"); "
                status += "[review](review/\(atom.id).md))"
            }
            let error = (atom.error ?? "").replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(
                of: "`", with: "'")
            text += "| \(atom.id) | \(status) | \(atom.evidence?.rawValue ?? "") | \(atom.attempts) | `\(atom.file)` | "
            text += "\(error) |\n"
        }
        return text
    }
}

extension RunSummary {
    /// The suite's part of `summary.md`: its line, then each test that did not pass with what the runner said.
    static func suiteSection(_ suite: SuiteResult, rounds: [SuiteRound]) -> String {
        var text = "The plan's suite on `src/`: \(suite.line).\n\n"
        for round in rounds { text += "- \(round.line)\n" }
        if !rounds.isEmpty { text += "\n" }
        let failing = suite.failing
        for test in failing.prefix(20) {
            text += "- `\(test.name)` \(test.outcome.rawValue)"
            if let atoms = test.atoms { text += " (implicates \(atoms.map { "`\($0)`" }.joined(separator: ", ")))" }
            if let message = test.message, !message.isEmpty {
                text += ":\n\n```\n\(message)\n```\n"
            }
            text += "\n"
        }
        if failing.count > 20 { text += "- … and \(failing.count - 20) more\n\n" }
        return text
    }
}
