import AtomForgeSystem

/// How AtomForge finds evidence that an atom's code is right beyond the plan's tests (docs/generation.md,
/// "Evidence"): the examples its description gives, and agreement between candidates run on the same inputs.
public struct EvidenceSettings: Sendable, Equatable {
    /// Read examples from descriptions (`f(2) == 4`, `>>> f(2)` / `4`) and run them as checks.
    public var examples = true
    public var agreement = AgreementSettings()

    public init() {}
}

/// When and how candidates are compared by behaviour.
public struct AgreementSettings: Sendable, Equatable {
    /// Passing candidates to compare before the vote (duplicates count); 0 or 1 turns agreement off. An atom with
    /// no tests of its own keeps sampling after its first pass until it has this many, within `max_attempts`.
    public var candidates = 3
    /// The most passing candidates drawn while the vote has no majority.
    public var maxCandidates = 5
    /// Ask the model, in one call of its own, for inputs to run the candidates on (besides the description's
    /// examples and the inputs derived from them). The call counts against `generation.max_attempts`.
    public var proposeInputs = true
    /// Ask the model, in that same call, for the value each input should give: between groups of as many votes, the
    /// group meeting the most of them (each weighed by the share of candidates that meet it) wins. Off by default:
    /// on the quality benchmark (signature only) it changed nothing measurable and made the proposal call slower.
    public var expectations = false
    /// The most inputs one candidate is run on.
    public var maxInputs = 24
    /// Also compare candidates of atoms that have tests of their own (thin tests let wrong code pass): costs calls
    /// where the tests already pass.
    public var withTests = false
    /// Also compare candidates of atoms whose description gives examples. Off by default: on the quality benchmark
    /// (one example per atom) the vote on top of the example cost 2.6 calls per atom and changed nothing measurable.
    public var withExamples = false

    public init() {}

    /// Whether candidates are compared at all.
    public var isOn: Bool { candidates >= 2 }
}

extension EvidenceSettings: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case examples, agreement
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = EvidenceSettings()
        examples = try container.decode(.examples, or: defaults.examples)
        agreement = try container.decode(.agreement, or: defaults.agreement)
    }
}

extension AgreementSettings: Decodable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case candidates
        case maxCandidates = "max_candidates"
        case proposeInputs = "propose_inputs"
        case expectations
        case maxInputs = "max_inputs"
        case withTests = "with_tests"
        case withExamples = "with_examples"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = AgreementSettings()
        candidates = try container.decode(.candidates, or: defaults.candidates)
        maxCandidates = try container.decode(.maxCandidates, or: max(defaults.maxCandidates, candidates))
        proposeInputs = try container.decode(.proposeInputs, or: defaults.proposeInputs)
        expectations = try container.decode(.expectations, or: defaults.expectations)
        maxInputs = try container.decode(.maxInputs, or: defaults.maxInputs)
        withTests = try container.decode(.withTests, or: defaults.withTests)
        withExamples = try container.decode(.withExamples, or: defaults.withExamples)
    }
}
