/// One test file of a plan's own test suite (`suite:` in the plan): the acceptance tests a team already has, run
/// against the assembled `src/` tree once the atoms are done.
public struct SuiteFile: Sendable, Equatable {
    /// Its file name in the suite's folder (`test_tools.py`).
    public var name: String
    public var code: String
    public var language: Language

    public init(name: String, code: String, language: Language) {
        self.name = name
        self.code = code
        self.language = language
    }
}
