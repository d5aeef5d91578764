/// One round of a plan's suite: the atoms its failing tests implicated, which of them a new ladder fixed (a candidate
/// that passed those tests on the tree), and what the whole suite came to after the round.
public struct SuiteRound: Sendable, Equatable, Codable {
    public var round: Int
    public var implicated: [String]
    public var fixed: [String]
    public var passed: Int
    public var failed: Int
    public var errored: Int

    public init(round: Int, implicated: [String], fixed: [String], after suite: SuiteResult?) {
        self.round = round
        self.implicated = implicated
        self.fixed = fixed
        passed = suite?.passed ?? 0
        failed = suite?.failed ?? 0
        errored = suite?.errored ?? 0
    }

    /// One line for a person: `round 1: norm, count again; fixed norm; then 3 passed, 1 failed`.
    public var line: String {
        var text = "round \(round): \(implicated.joined(separator: ", ")) again; "
        text += fixed.isEmpty ? "none fixed" : "fixed \(fixed.joined(separator: ", "))"
        text += "; then \(passed) passed, \(failed) failed"
        return errored > 0 ? text + ", \(errored) errored" : text
    }
}
