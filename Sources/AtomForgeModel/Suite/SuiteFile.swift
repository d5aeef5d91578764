import AtomForgeSystem

/// One test file of a plan's own test suite (`suite:` in the plan): the acceptance tests a team already has, run
/// against the assembled `src/` tree once the atoms are done.
public struct SuiteFile: Sendable, Equatable {
    /// The languages whose suites can be run: Python with pytest, JavaScript with `node --test` (TypeScript too,
    /// compiled by `tsc` first), Swift as test functions compiled with the tree. A plan's suite in another is refused
    /// by `check`, where the plan is read.
    public static let runners: Set<Language.TestRunner> = [.python, .javascript, .typescript, .swift]

    /// Its path in the suite's folder (`test_tools.py`, or `tests/test_tools.py` for a file read from a path).
    public var name: String
    public var code: String
    public var language: Language
    /// For a file the plan names by path (relative to the plan file's folder): that path, read by ``PlanChecker``.
    public var path: String?
    /// Where the plan names it, for messages.
    public var location: SourceLocation?

    public init(name: String, code: String, language: Language) {
        self.name = name
        self.code = code
        self.language = language
    }
}
