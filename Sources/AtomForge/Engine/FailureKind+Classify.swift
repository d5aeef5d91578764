extension FailureKind {
    /// What failed an attempt, read from its issues: the first failing issue decides. The ladder repairs only the
    /// kinds a step's `repair_on` lists (syntax, name, import and type errors and cut-off replies by default),
    /// because a model shown a wrong answer to a failed assertion mostly returns the same answer.
    public static func classify(_ issues: [ValidationIssue], truncated: Bool) -> FailureKind? {
        if truncated { return .truncated }
        guard let issue = issues.first(where: { $0.severity.fails }) else { return nil }
        if issue.validator == CodeSizeLimit.validator { return .tooLong }
        let message = issue.message
        // A check that could not run (a missing tool) says nothing about the code: no repair for it.
        if issue.severity == .critical && issue.validator != "structure" { return .other }
        if issue.validator.hasSuffix("-syntax") {
            return message.contains("did not finish within") ? .timeout : .syntax
        }
        // The structure check's error is a missing definition: the code names the unit differently.
        if issue.validator == "structure" { return message.hasPrefix("the code does not define") ? .name : .other }
        guard issue.validator == "tests" else { return .other }
        var first = message.prefix { $0 != "\n" }
        // Tests run one by one (test functions, TestCase methods) report "N of M tests failed:" and then each as
        // "- name: …": the first of them decides.
        if (try? /\d+ of \d+ tests failed:/.wholeMatch(in: first)) != nil,
            let line = message.split(separator: "\n").dropFirst().first, let colon = line.firstRange(of: ": ")
        {
            first = line[colon.upperBound...]
        }
        if first.hasPrefix("test failed at") || first.contains("Assertion failed") { return .assertion }
        if first.hasPrefix("NameError") || first.hasPrefix("UnboundLocalError") || first.hasPrefix("ReferenceError") {
            return .name
        }
        if first.hasPrefix("ImportError") || first.hasPrefix("ModuleNotFoundError") { return .import }
        if first.hasPrefix("TypeError") { return .type }
        if first.hasPrefix("SyntaxError") || first.hasPrefix("IndentationError") { return .syntax }
        if first.hasPrefix("the tests did not finish") { return .timeout }
        if first.hasPrefix("the program ended") || first.hasPrefix("the program called sys.exit") { return .exited }
        if message.contains(": error: ") {
            return message.contains("cannot find") && message.contains("in scope") ? .name : .compile
        }
        return .exception
    }
}
