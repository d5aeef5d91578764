/// One finding about an attempt's code. Only ``Severity/critical`` and ``Severity/error`` fail the attempt;
/// warnings and notes are kept in the report for a person.
public struct ValidationIssue: Sendable, Equatable, Codable {
    public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
        case info, warning, error, critical

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }

        /// Whether an issue of this severity fails the attempt.
        public var fails: Bool { self >= .error }
    }

    public var severity: Severity
    public var message: String
    /// Which validator found it (`python-syntax`, `structure`, `command:ruff`…).
    public var validator: String
    /// What kind of failure it is, said by the validator that found it (the ladder routes on it): nil for a finding
    /// that fails nothing, and for one that says nothing of the code (a tool that could not run), which is `other`.
    public var kind: FailureKind?

    public init(_ severity: Severity, _ message: String, validator: String, kind: FailureKind? = nil) {
        self.severity = severity
        self.message = message
        self.validator = validator
        self.kind = kind
    }
}
