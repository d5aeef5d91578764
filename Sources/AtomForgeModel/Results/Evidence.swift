/// What a passed atom's code was shown to do before it was accepted: the strongest ``level`` and every part of it,
/// so that a report says not only `passed` but on what.
public struct Evidence: Sendable, Codable, Equatable {
    public var level: EvidenceLevel
    /// Whether the plan's own tests ran and held.
    public var tests: Bool
    /// How many checks read from the description ran and held.
    public var examples: Int
    /// The vote between candidates, when one was held.
    public var agreement: AgreementSummary?
    /// The attempt whose code was accepted.
    public var attempt: Int?

    public init(level: EvidenceLevel, tests: Bool = false, examples: Int = 0, agreement: AgreementSummary? = nil) {
        self.level = level
        self.tests = tests
        self.examples = examples
        self.agreement = agreement
    }

    /// What passed checks of `atom` rest on: its tests if they ran, else the examples that ran, else a vote that
    /// holds, else the run itself; `ran` says whether the code was run at all.
    public static func of(
        _ atom: Atom, ran: Bool, examples: Int, agreement: AgreementSummary? = nil, attempt: Int? = nil
    ) -> Evidence {
        let hasTests = atom.hasTests
        let level: EvidenceLevel =
            if ran && hasTests {
                .tests
            } else if ran && examples > 0 {
                .examples
            } else if agreement?.holds == true {
                .agreement
            } else if ran {
                .loaded
            } else {
                .parsed
            }
        var evidence = Evidence(
            level: level, tests: ran && hasTests, examples: ran ? examples : 0, agreement: agreement)
        evidence.attempt = attempt
        return evidence
    }

    /// One line for a person: `1 example from the description; 3 of 3 candidates agree on 15 inputs`.
    public var summary: String {
        var parts: [String] = []
        switch level {
        case .tests: parts.append("the plan's tests")
        case .examples: parts.append("\(examples) example\(examples == 1 ? "" : "s") from the description")
        case .agreement, .loaded: parts.append("the code ran")
        case .parsed: parts.append("the code parsed (nothing ran)")
        }
        if let agreement {
            parts.append(
                "\(agreement.group) of \(agreement.candidates) candidates agree on \(agreement.inputs) input"
                    + (agreement.inputs == 1 ? "" : "s"))
        }
        return parts.joined(separator: "; ")
    }
}

/// The outcome of running several candidates on the same inputs (``AgreementVote``).
public struct AgreementSummary: Sendable, Codable, Equatable {
    /// Votes cast: passing attempts, duplicates included (a model writing the same code twice is a second vote for
    /// it), an attempt of the stronger `escalation` model counting twice.
    public var candidates: Int
    /// Inputs every candidate was run on.
    public var inputs: Int
    /// Votes for the winning group (its candidates; an escalated attempt counts twice).
    public var group: Int
    /// Groups of different behaviour.
    public var groups: Int
    /// Of the inputs, those proposed by the model in a call of their own.
    public var proposedInputs: Int
    /// The attempt numbers in each group, the winner's first; for the review page.
    public var members: [[Int]]
    /// A few inputs on which the groups differ, with what each group returned; for the review page.
    public var disagreements: [Disagreement]

    /// Distinct pieces of code in the winning group (its duplicates not counted).
    public var distinct: Int

    /// The votes of each group, in the order of ``members`` (an escalated attempt's count twice).
    public var weights: [Int]?
    /// Expected values the model wrote for inputs that count (nil when it wrote none), and how many of them the
    /// winning group meets.
    public var expectations: Int?
    public var expectationsMet: Int?

    /// Whether the vote is evidence: two or more different pieces of code share the winning behaviour on at least
    /// one input that counts, and more votes went to it than to any other. Three copies of one reply are one
    /// program, however often the model wrote it: they win a vote, but compare nothing.
    public var holds: Bool {
        let others = (weights ?? members.map(\.count)).dropFirst()
        return inputs > 0 && distinct >= 2 && others.allSatisfy { $0 < group }
    }

    /// Whether more than half of the votes share the winning behaviour: sampling stops there.
    public var hasMajority: Bool { group * 2 > candidates }

    public init(
        candidates: Int, inputs: Int, group: Int, groups: Int, proposedInputs: Int = 0, members: [[Int]] = [],
        disagreements: [Disagreement] = [], distinct: Int = 1
    ) {
        self.distinct = distinct
        self.candidates = candidates
        self.inputs = inputs
        self.group = group
        self.groups = groups
        self.proposedInputs = proposedInputs
        self.members = members
        self.disagreements = disagreements
    }

    /// One input on which candidates behaved differently.
    public struct Disagreement: Sendable, Codable, Equatable {
        public var input: String
        /// What each group returned, in the order of ``AgreementSummary/members``.
        public var outputs: [String]

        public init(input: String, outputs: [String]) {
            self.input = input
            self.outputs = outputs
        }
    }
}
