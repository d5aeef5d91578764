import AtomForgeModel

extension FailureKind {
    /// What failed an attempt: the kind its first failing issue was given by the validator that found it. The ladder
    /// repairs only the kinds a step's `repair_on` lists (syntax, name, import and type errors and cut-off replies by
    /// default), because a model shown a wrong answer to a failed assertion mostly returns the same answer.
    public static func classify(_ issues: [ValidationIssue], truncated: Bool) -> FailureKind? {
        if truncated { return .truncated }
        guard let issue = issues.first(where: { $0.severity.fails }) else { return nil }
        return issue.kind ?? .other
    }
}
