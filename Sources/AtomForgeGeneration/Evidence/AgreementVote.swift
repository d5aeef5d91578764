import AtomForgeModel

/// Chooses among candidates that all passed their checks by what they do: candidates are grouped by their outputs
/// on the same inputs, and the group most candidates fall in wins (MBR-exec); between groups of as many votes, the
/// model's own expected values (where it wrote any) decide, as in CodeT's dual agreement
/// (``expectations(_:inputs:support:)``).
///
/// Only inputs most candidates accept count: an input on which most of them raise is taken to be outside what the
/// atom is for (a derived empty list, a proposal of the wrong type), where differing is no fault. On the inputs
/// that count, raising is behaviour like any value, so a candidate that crashes where the others return is in a
/// group of its own; one that runs out of time there ranks below every group that does not. Ties go to the group
/// holding the lowest attempt number, so the same replies always give the same winner.
public enum AgreementVote {
    /// One distinct piece of code and what it did.
    public struct Voter: Sendable, Equatable {
        /// The attempts that wrote this code, the original first: each is one vote.
        public var numbers: [Int]
        /// Nil when the probe could not run it.
        public var behaviour: Behaviour?
        /// Its votes: one for each attempt, two for one by the stronger `escalation` model.
        public var weight: Int

        public init(numbers: [Int], behaviour: Behaviour?, weight: Int? = nil) {
            self.numbers = numbers
            self.behaviour = behaviour
            self.weight = weight ?? numbers.count
        }
    }

    /// The winning attempt number and the vote's summary; nil when there are no voters.
    public static func decide(_ voters: [Voter], proposedInputs: Int = 0) -> (winner: Int, summary: AgreementSummary)? {
        guard !voters.isEmpty else { return nil }
        let run = voters.filter { $0.behaviour.map { !$0.outputs.isEmpty } ?? false }
        let inputs = run.first?.behaviour?.inputs ?? []
        // Only candidates run on the very same inputs are compared (outputs are matched by position).
        let probed = run.filter { $0.behaviour?.inputs == inputs }
        let support = probed.reduce(0) { $0 + $1.weight }
        // The inputs that count: most votes got a value (not an exception, not a timeout) there, and no candidate's
        // run was cut before it (skipped: it says nothing about anyone).
        let counted = inputs.indices.filter { index in
            if probed.contains(where: { $0.behaviour?.outputs[safe: index] == "skipped" }) { return false }
            let returned = probed.filter { voter in
                guard let output = voter.behaviour?.outputs[safe: index] else { return false }
                return !Self.failed(output)
            }.reduce(0) { $0 + $1.weight }
            return returned * 2 > support
        }
        var groups: [(key: String, voters: [Voter])] = []
        for voter in voters {
            let key: String
            if let behaviour = voter.behaviour, !behaviour.outputs.isEmpty, behaviour.inputs == inputs,
                !inputs.isEmpty
            {
                key = counted.map { behaviour.outputs[$0] }.joined(separator: "\u{1}")
            } else {
                // Not run, or on other inputs: alone, and never ahead of a group that was run.
                key = "\u{0}unprobed \(voter.numbers[0])"
            }
            if let index = groups.firstIndex(where: { $0.key == key }) {
                groups[index].voters.append(voter)
            } else {
                groups.append((key, [voter]))
            }
        }
        let expectations = Self.expectations(probed, inputs: counted, support: support)
        /// The expectations a group's behaviour meets (the same for all its voters: they agree on these inputs).
        func met(_ group: (key: String, voters: [Voter])) -> [Expectation] {
            guard !group.key.hasPrefix("\u{0}"), let outputs = group.voters[0].behaviour?.outputs else { return [] }
            return expectations.filter { outputs[$0.input] == $0.value }
        }
        // Votes first; between groups of as many votes, the weight of the expectations each meets (in thousandths, so
        // that the same expectations always weigh the same); then the lowest attempt.
        func rank(_ group: (key: String, voters: [Voter])) -> (Int, Int, Int, Int, Int) {
            let probedGroup = group.key.hasPrefix("\u{0}") ? 0 : 1
            let timesOut = group.key.split(separator: "\u{1}").contains("timeout") ? 0 : 1
            let votes = group.voters.reduce(0) { $0 + $1.weight }
            let expected = met(group).reduce(0) { $0 + $1.weight }
            let lowest = group.voters.flatMap(\.numbers).min() ?? Int.max
            return (probedGroup, timesOut, votes, expected, -lowest)
        }
        let ordered = groups.sorted { rank($0) > rank($1) }
        let members = ordered.map { $0.voters.flatMap(\.numbers).sorted() }
        let weights = ordered.map { $0.voters.reduce(0) { $0 + $1.weight } }
        let winner = members[0][0]
        var disagreements: [AgreementSummary.Disagreement] = []
        let shown = ordered.filter { !$0.key.hasPrefix("\u{0}") }
        if shown.count > 1 {
            for index in counted where disagreements.count < 3 {
                let outputs = shown.map { $0.voters[0].behaviour!.outputs[index] }
                if Set(outputs).count > 1 {
                    disagreements.append(.init(input: inputs[index], outputs: outputs))
                }
            }
        }
        var summary = AgreementSummary(
            candidates: voters.reduce(0) { $0 + $1.weight }, inputs: counted.count, group: weights[0],
            groups: ordered.count, proposedInputs: proposedInputs, members: members, disagreements: disagreements,
            distinct: ordered[0].key.hasPrefix("\u{0}") ? 1 : ordered[0].voters.count)
        summary.weights = weights
        if !expectations.isEmpty {
            summary.expectations = expectations.count
            summary.expectationsMet = met(ordered[0]).count
        }
        return (winner, summary)
    }

    /// A value the model expected one input to give, and how much it weighs: the share of the votes whose
    /// candidates give it, in thousandths.
    struct Expectation {
        var input: Int
        var value: String
        var weight: Int
    }

    /// The model's expected values on the inputs that count, each weighed by the share of the votes that meet it
    /// (CodeT's dual agreement, softened): an expectation no candidate meets weighs nothing, one they all meet weighs
    /// the same for every group. They only order groups of as many votes (a three-way split of three samples, say),
    /// so they never overturn a vote and never decide without a candidate that agrees with them: a small model's
    /// expected values are often wrong.
    static func expectations(_ probed: [Voter], inputs counted: [Int], support: Int) -> [Expectation] {
        guard support > 0, let expected = probed.first?.behaviour?.expected else { return [] }
        return counted.compactMap { index in
            guard let value = expected[safe: index] ?? nil else { return nil }
            let meeting = probed.filter { $0.behaviour?.outputs[safe: index] == value }.reduce(0) { $0 + $1.weight }
            return Expectation(input: index, value: value, weight: meeting * 1000 / support)
        }
    }

    /// Whether an output is no value: an exception, a timeout, an input that could not be read.
    static func failed(_ output: String) -> Bool {
        output.hasPrefix("raise ") || output == "timeout" || output == "unreadable" || output == "skipped"
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
