import AtomForgeModel
import AtomForgeSystem
import Foundation

/// One thing that happened in a run, as tools see it: the lines of `run --output-format stream-json`, the JSON log's
/// events, the terminal's progress line and `progress.json` are all made from these. `docs/events.md` describes
/// every field.
///
/// An event says what is already on disk: `atom_finished` comes after the atom's journal line and report were
/// written, `plan_finished` after the summaries.
public struct RunEvent: Sendable, Equatable, Encodable {
    public enum Kind: String, Sendable, Encodable, CaseIterable {
        case planStarted = "plan_started"
        case atomStarted = "atom_started"
        case attemptStarted = "attempt_started"
        case attemptFinished = "attempt_finished"
        case atomFinished = "atom_finished"
        case planFinished = "plan_finished"
    }

    public var event: Kind
    /// The version of the events' shape (`schemas/event.schema.json`): fields are only ever added, and a change that
    /// is not an addition raises it.
    public var schemaVersion = 1
    /// When it happened, to the millisecond.
    public var time: Date
    public var plan: String
    /// The run folder (`plan_started`, `plan_finished`).
    public var folder: String?
    public var atom: String?
    /// The attempt's number (`attempt_started`: the first of the step's candidates; `attempt_finished`); for
    /// `atom_finished`, how many attempts the atom has.
    public var attempt: Int?
    /// The ladder step (from 1) and how many candidates it asks for at once (`attempt_started`).
    public var step: Int?
    public var candidates: Int?
    /// `sample`, `repair` or `escalate` (`attempt_started`, `attempt_finished`).
    public var kind: String?
    /// `attempt_finished`: `passed`, `failed` or `duplicate` (the code of an earlier attempt, not validated again);
    /// `atom_finished`: `passed`, `failed` or `blocked`; `plan_finished`: the run's status (`passed`, `failed`,
    /// `stopped`, `interrupted`).
    public var status: String?
    /// Why it did not pass, in one line (`attempt_finished`, `atom_finished`, `plan_finished`).
    public var reason: String?
    /// `plan_finished`: why the run ended, `finished` or what stopped it (``RunEnding``).
    public var ending: String?
    /// `plan_finished`: what the plan's calls cost in US dollars, when the model's price is known (as `summary.json`
    /// prices it).
    public var costUSD: Double?
    /// The first line of each issue that failed the attempt, in the validators' order.
    public var issues: [String]?
    /// Tokens the call used (`attempt_finished`), the atom's attempts used (`atom_finished`), or all the plan's
    /// attempts, an earlier run's included, as `summary.json` counts them (`plan_finished`).
    public var tokensIn: Int?
    public var tokensOut: Int?
    /// The model call's time (`attempt_finished`) in seconds; the run's (`plan_finished`).
    public var latencyS: Double?
    public var durationS: Double?
    /// `plan_started`: the atoms in the plan.
    public var atoms: Int?
    /// Atoms by status: at `plan_started` those an earlier run finished (kept as they are), at `plan_finished` all.
    public var passed: Int?
    public var failed: Int?
    public var blocked: Int?
    /// `plan_finished`: the exit code `atomforge run` ends with.
    public var exitCode: Int?
    /// `atom_finished` of a passed atom (or one held back by `validation.require`): what its `passed` rests on,
    /// `tests`, `examples`, `agreement`, `loaded` or `parsed`.
    public var evidence: String?
    /// `plan_finished` of a plan with a suite: its tests passed and failed (errors included) on the assembled tree,
    /// its rounds, and why it could not start when it could not.
    public var suitePassed: Int?
    public var suiteFailed: Int?
    public var suiteRounds: Int?
    public var suiteProblem: String?

    public init(_ event: Kind, plan: String, atom: String? = nil, time: Date = Date()) {
        self.event = event
        self.plan = plan
        self.atom = atom
        self.time = time
    }

    /// One line of JSON, snake_case keys, absent fields left out, the time as RFC 3339 with milliseconds.
    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RunEvent.timestamp(date))
        }
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// RFC 3339 in UTC with milliseconds, as every JSON line AtomForge prints has it.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(
            Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(secondsFromGMT: 0)!))
    }
}

/// What validation said of an attempt (`attempt_finished`'s `status`).
public enum AttemptVerdict: String, Sendable {
    case passed, failed
    /// The code of an earlier attempt: not validated again, its verdict taken over.
    case duplicate
}

extension RunEvent {
    /// `atom_finished`'s status as the type it is; nil for other events.
    public var atomStatus: AtomStatus? {
        event == .atomFinished ? status.flatMap(AtomStatus.init(rawValue:)) : nil
    }

    /// `plan_finished`'s status; nil for other events.
    public var runStatus: RunStatus? {
        event == .planFinished ? status.flatMap(RunStatus.init(rawValue:)) : nil
    }

    /// `attempt_finished` for a validated (or duplicate) attempt.
    static func attemptFinished(_ record: AttemptRecord, of atom: String, plan: String) -> RunEvent {
        var event = RunEvent(.attemptFinished, plan: plan, atom: atom)
        event.attempt = record.number
        event.step = record.step
        event.kind = record.kind?.rawValue
        let verdict: AttemptVerdict = record.passed ? .passed : (record.isDuplicate ? .duplicate : .failed)
        event.status = verdict.rawValue
        let failures = record.failures.map(\.message.firstLine)
        if !record.passed {
            event.issues = failures
            event.reason = record.isDuplicate ? "the same code as attempt \(record.duplicateOf ?? 0)" : failures.first
        }
        event.tokensIn = record.tokens.input
        event.tokensOut = record.tokens.output
        event.latencyS = (record.latencyS * 1000).rounded() / 1000
        return event
    }

    /// `atom_finished`, from the result as it was journaled.
    package static func atomFinished(_ result: AtomResult, plan: String) -> RunEvent {
        var event = RunEvent(.atomFinished, plan: plan, atom: result.id)
        event.status = result.status.rawValue
        event.attempt = result.attempts.count
        if result.status != .passed {
            event.reason =
                result.reason?.firstLine
                ?? result.blockedBy.map { "waits on \($0), which did not pass" }
        }
        event.evidence = result.evidence?.level.rawValue
        let tokens = result.tokens
        event.tokensIn = tokens.input
        event.tokensOut = tokens.output
        return event
    }
}
