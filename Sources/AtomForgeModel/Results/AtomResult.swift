/// How an atom ended.
public enum AtomStatus: String, Sendable, Codable, Equatable {
    /// Its code passed validation.
    case passed
    /// Every attempt failed validation, or the model could not be reached; a person should look.
    case failed
    /// Not generated, because a dependency failed (or a budget stopped the plan first).
    case blocked
}

/// How many atoms ended in each status.
public struct StatusCounts: Sendable, Equatable {
    public var passed = 0
    public var failed = 0
    public var blocked = 0

    public init(_ results: some Sequence<AtomResult>) {
        for result in results {
            switch result.status {
            case .passed: passed += 1
            case .failed: failed += 1
            case .blocked: blocked += 1
            }
        }
    }

    public var total: Int { passed + failed + blocked }
}

/// One model call that was meant to produce the atom's code, and what validation said about it.
public struct AttemptRecord: Sendable, Codable, Equatable {
    public var number: Int
    /// Nil when sampling parameters are not sent (`provider.sampling: false`).
    public var temperature: Double?
    public var maxTokens: Int
    public var tokens: TokenUsage
    public var latencyS: Double
    /// Transport retries the call needed; they are not attempts.
    public var transportRetries: Int
    public var stopReason: String
    public var truncated: Bool
    /// The code taken from the reply (never the prose around it).
    public var code: String
    public var issues: [ValidationIssue]
    public var passed: Bool
    /// How the validators' runs of this code were contained (sandbox, limits).
    public var isolation: String?
    /// The ladder step (from 1) this call belonged to, and which of its candidates it was (from 1).
    public var step: Int?
    public var candidate: Int?
    /// `sample`, `repair` or `escalate`: what the step did (a `repair` step samples when repair would not pay).
    public var kind: AttemptKind?
    /// True for code a person handed in (`atomforge accept`): not a model call, and not counted as one.
    public var isByPerson: Bool { kind == .person }
    /// Whether a model wrote this code (not a person, not the plan): what counts as a model call.
    public var isModelCall: Bool { kind != .person && kind != .plan }
    /// Who wrote the code, as reports name it: `model`, `person` or `plan`.
    public var writtenBy: String { kind == .person ? "person" : kind == .plan ? "plan" : "model" }
    /// For a repair: the attempt whose code and errors the prompt carried.
    public var repairs: Int?
    /// The model that wrote the code, as its server named it.
    public var model: String?
    /// The sampling seed sent with the request, if the API takes one.
    public var seed: Int?
    /// Set when the code equals an earlier attempt's (after normalising): that attempt's number. It was not
    /// validated again; ``passed`` and ``issues`` are that attempt's.
    public var duplicateOf: Int?
    /// What made the attempt fail, as the ladder routes it (`syntax`, `assertion`…).
    public var failure: FailureKind?
    /// What the model was sent: the system prompt and the user message.
    public var system: String?
    public var prompt: String?
    /// The model's reply as it came, before the code was taken out of it.
    public var reply: String?
    /// For code a person wrote (`kind: person`, through `atomforge accept`): the file it was accepted from.
    public var source: String?
    /// For a method: its class as the code was validated in it (the constructor, the methods it depends on, stubs
    /// for the others), so that a reviewer sees the context it was generated in.
    public var enclosing: String?

    public init(
        number: Int, temperature: Double?, maxTokens: Int, tokens: TokenUsage, latencyS: Double, transportRetries: Int,
        stopReason: String, truncated: Bool, code: String, issues: [ValidationIssue], passed: Bool,
        isolation: String? = nil
    ) {
        self.number = number
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.tokens = tokens
        self.latencyS = latencyS
        self.transportRetries = transportRetries
        self.stopReason = stopReason
        self.truncated = truncated
        self.code = code
        self.issues = issues
        self.passed = passed
        self.isolation = isolation
    }

    /// The issues that failed the attempt.
    public var failures: [ValidationIssue] { issues.filter { $0.severity.fails } }

    /// Whether this attempt's code repeated an earlier attempt's.
    public var isDuplicate: Bool { duplicateOf != nil }
}

/// Everything AtomForge knows about one atom at the end of a run: it is what the journal stores and the reports show.
public struct AtomResult: Sendable, Codable, Equatable {
    public var id: String
    public var status: AtomStatus
    public var attempts: [AttemptRecord]
    /// The passed code, or for a failed atom the last code tried (for review); nil when none was produced.
    public var code: String?
    /// For a blocked atom: the failed atom it waits on, possibly through other blocked atoms.
    public var blockedBy: String?
    /// Why the atom did not pass, in a sentence.
    public var reason: String?
    /// What its `passed` rests on (for an atom held back by `validation.require`, what it would have rested on).
    public var evidence: Evidence?
    /// Model calls made to gather evidence that wrote no code (the inputs proposed for the vote), and their tokens.
    public var evidenceCalls: [EvidenceCall]?

    public init(
        id: String, status: AtomStatus, attempts: [AttemptRecord] = [], code: String? = nil, blockedBy: String? = nil,
        reason: String? = nil
    ) {
        self.id = id
        self.status = status
        self.attempts = attempts
        self.code = code
        self.blockedBy = blockedBy
        self.reason = reason
    }

    public var tokens: TokenUsage {
        attempts.reduce(TokenUsage()) { $0 + $1.tokens } + (evidenceCalls ?? []).reduce(TokenUsage()) { $0 + $1.tokens }
    }

}

/// A model call that gathered evidence rather than code: what it was for, what it cost, what came of it.
public struct EvidenceCall: Sendable, Codable, Equatable {
    /// `inputs`: the inputs proposed for the vote between candidates.
    public var purpose: String
    public var tokens: TokenUsage
    public var latencyS: Double
    public var model: String?
    /// What was taken from the reply: the calls.
    public var taken: [String]
    /// The values the model expected some calls to give (`f(2) == 4`), when it was asked for them.
    public var expected: [String]?
    /// Set when the call failed: why.
    public var error: String?

    public init(
        purpose: String, tokens: TokenUsage, latencyS: Double, model: String? = nil, taken: [String] = [],
        error: String? = nil
    ) {
        self.purpose = purpose
        self.tokens = tokens
        self.latencyS = latencyS
        self.model = model
        self.taken = taken
        self.error = error
    }
}
