import Testing

@testable import AtomForge

@Suite("the vote between candidates")
struct AgreementVoteTests {
    let inputs = ["f(1)", "f(2)", "f([])"]

    func voter(_ numbers: [Int], _ outputs: [String]?) -> AgreementVote.Voter {
        AgreementVote.Voter(numbers: numbers, behaviour: outputs.map { Behaviour(inputs: inputs, outputs: $0) })
    }

    @Test("of three candidates, the two that agree win")
    func twoAgree() throws {
        let (winner, summary) = try #require(
            AgreementVote.decide([
                voter([1], ["1", "4", "raise ValueError"]), voter([2], ["2", "4", "raise ValueError"]),
                voter([3], ["2", "4", "raise ValueError"]),
            ]))
        #expect(winner == 2)
        #expect(summary.group == 2 && summary.candidates == 3 && summary.groups == 2)
        #expect(summary.members == [[2, 3], [1]])
        #expect(summary.holds)
        #expect(summary.disagreements == [.init(input: "f(1)", outputs: ["2", "1"])])
    }

    @Test("a candidate that raises where the others return loses")
    func crashLoses() throws {
        let (winner, summary) = try #require(
            AgreementVote.decide([
                voter([1], ["raise TypeError", "4", "0"]), voter([2], ["1", "4", "0"]), voter([3], ["1", "4", "0"]),
            ]))
        #expect(winner == 2)
        #expect(summary.inputs == 3)
    }

    @Test("an input most candidates raise on does not count")
    func invalidInputsIgnored() throws {
        let (winner, summary) = try #require(
            AgreementVote.decide([
                voter([1], ["1", "4", "raise IndexError"]), voter([2], ["1", "4", "raise ValueError"]),
                voter([3], ["1", "4", "None"]),
            ]))
        #expect(winner == 1)
        #expect(summary.inputs == 2)
        #expect(summary.group == 3 && summary.groups == 1)
    }

    @Test("a tie goes to the group with the lowest attempt number, whatever the order given")
    func tie() throws {
        let a = voter([4], ["1", "1", "1"])
        let b = voter([2], ["2", "2", "2"])
        #expect(try #require(AgreementVote.decide([a, b])).winner == 2)
        #expect(try #require(AgreementVote.decide([b, a])).winner == 2)
        #expect(try #require(AgreementVote.decide([a, b])).summary.holds == false)
    }

    @Test("duplicates are votes; a group that times out ranks last; an unprobed candidate never wins over a probed one")
    func weights() throws {
        let (winner, summary) = try #require(
            AgreementVote.decide([
                voter([1, 5], ["timeout", "4", "0"]), voter([2], ["1", "4", "0"]), voter([3], ["2", "4", "0"]),
                voter([4], ["3", "4", "0"]), voter([7], nil),
            ]))
        #expect(winner == 2)
        #expect(summary.candidates == 6)
        #expect(summary.members.suffix(2) == [[1, 5], [7]])
        // Duplicates weigh: two attempts of one code outvote one of another.
        let weighted = try #require(
            AgreementVote.decide([voter([1], ["1", "1", "1"]), voter([2, 3], ["2", "2", "2"])]))
        #expect(weighted.winner == 2)
        // Two copies of one reply are one program: they win the vote, but are no agreement between programs.
        #expect(!weighted.summary.holds && weighted.summary.distinct == 1 && weighted.summary.hasMajority)
    }

    @Test("no inputs is no evidence, however many agree")
    func noInputs() throws {
        let empty = AgreementVote.Voter(numbers: [1], behaviour: Behaviour(inputs: [], outputs: []))
        let summary = try #require(AgreementVote.decide([empty, empty])).summary
        #expect(!summary.holds)
    }

    @Test("only candidates run on the same inputs are compared; an input skipped for one counts for no one")
    func sameInputs() throws {
        let other = AgreementVote.Voter(numbers: [3], behaviour: Behaviour(inputs: ["g(1)"], outputs: ["5"]))
        let (winner, summary) = try #require(
            AgreementVote.decide([
                voter([1], ["1", "skipped", "0"]), voter([2], ["1", "9", "0"]), other,
            ]))
        #expect(winner == 1)
        #expect(summary.inputs == 2)
        #expect(summary.members == [[1, 2], [3]])
        #expect(summary.holds)
    }

    @Test("an answer of the stronger model weighs two: it outvotes one sample, and ties with two")
    func escalatedWeight() throws {
        let strong = AgreementVote.Voter(
            numbers: [4], behaviour: Behaviour(inputs: inputs, outputs: ["2", "2", "2"]), weight: 2)
        let outvoted = try #require(AgreementVote.decide([voter([1], ["1", "1", "1"]), strong]))
        #expect(outvoted.winner == 4 && outvoted.summary.group == 2 && outvoted.summary.candidates == 3)
        let tied = try #require(
            AgreementVote.decide([voter([1], ["1", "1", "1"]), voter([2], ["1", "1", "1"]), strong]))
        #expect(tied.winner == 1)
        #expect(!tied.summary.holds, "two votes each: no group has more")
    }

    func expecting(_ numbers: [Int], _ outputs: [String], _ expected: [String?]) -> AgreementVote.Voter {
        AgreementVote.Voter(
            numbers: numbers, behaviour: Behaviour(inputs: inputs, outputs: outputs, expected: expected))
    }

    @Test("the model's expected values tip a vote between groups of like size")
    func expectationsTip() throws {
        let expected: [String?] = ["2", nil, "0"]
        let (winner, summary) = try #require(
            AgreementVote.decide([
                expecting([1], ["1", "4", "0"], expected), expecting([2], ["2", "4", "0"], expected),
            ]))
        #expect(winner == 2)
        #expect(summary.expectations == 2 && summary.expectationsMet == 2)
        // Without them, the lowest attempt wins the same tie.
        #expect(
            try #require(AgreementVote.decide([voter([1], ["1", "4", "0"]), voter([2], ["2", "4", "0"])])).winner == 1)
    }

    @Test(
        "expected values never decide alone: one met by no candidate weighs nothing, one lone candidate meets does not win"
    )
    func expectationsNeverDecideAlone() throws {
        let (winner, summary) = try #require(
            AgreementVote.decide([
                expecting([1], ["1", "4", "0"], ["1", "9", nil]), expecting([2], ["2", "4", "0"], ["1", "9", nil]),
                expecting([3], ["2", "4", "0"], ["1", "9", nil]),
            ]))
        #expect(winner == 2)
        #expect(summary.expectations == 2 && summary.expectationsMet == 0)
        #expect(summary.holds)
        // However many expectations a lone candidate meets, two that agree outvote it.
        let many: [String?] = ["1", "4", "0"]
        let outvoted = try #require(
            AgreementVote.decide([
                expecting([1], ["1", "4", "0"], many), expecting([2], ["2", "5", "1"], many),
                expecting([3], ["2", "5", "1"], many),
            ]))
        #expect(outvoted.winner == 2 && outvoted.summary.hasMajority)
        let plain = try #require(AgreementVote.decide([voter([1], ["1", "4", "0"]), voter([2], ["1", "4", "0"])]))
        #expect(plain.summary.expectations == nil)
    }
}
