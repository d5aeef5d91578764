/// What an atom's `passed` rests on, from the weakest to the strongest. A reviewer reads it to know which passed
/// atoms to look at first, and `validation.require` names the least an atom may pass on.
public enum EvidenceLevel: String, Sendable, Codable, Comparable, CaseIterable {
    /// Nothing was run: the code parsed (and, for Swift and TypeScript, type-checked).
    case parsed
    /// The code was run: loaded with its dependencies (Python imported, JavaScript loaded, Swift compiled and run),
    /// and nothing checked what it does.
    case loaded
    /// Several candidates were run on the same inputs and the winner's behaviour was shared by more of them than any
    /// other behaviour.
    case agreement
    /// The examples the plan's description gives (`>>> f(2)` / `4`, `f(2) == 4`, `f(2) -> 4`) held.
    case examples
    /// The plan's own tests for the atom held.
    case tests

    public static func < (lhs: EvidenceLevel, rhs: EvidenceLevel) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Where an atom comes in a list for a reviewer: one that did not pass first (-1), then passed ones from the
    /// weakest evidence up (a result from before evidence was recorded counts as `parsed`).
    public static func reviewRank(passed: Bool, level: EvidenceLevel?) -> Int {
        passed ? allCases.firstIndex(of: level ?? .parsed)! : -1
    }

    /// The levels as `validation.require` accepts them, for error messages.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
