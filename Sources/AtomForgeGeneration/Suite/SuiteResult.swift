/// What a plan's suite came to: each test's outcome, as the test runner reported it (pytest's own reports, not its
/// printed text), or why the suite could not start at all.
public struct SuiteResult: Sendable, Equatable, Codable {
    /// One test: its id (`suite/test_tools.py::test_norm`), its outcome, and for a failure the end of what the
    /// runner said.
    public struct Test: Sendable, Equatable, Codable {
        /// A test's outcome, as the suite drivers report it and `summary.json` writes it.
        public enum Outcome: String, Sendable, Codable {
            case passed, failed, skipped
            /// Failed outside its body: in its set-up or tear-down, or its file's process ended while it ran.
            case error
        }

        public var name: String
        public var outcome: Outcome
        public var message: String?
        /// The atoms the failure is pinned on (``SuiteAttribution``).
        public var atoms: [String]?
        /// Where the exception went through the tree, innermost last; not written out.
        public var frames: [SourceTreeCheck.Place]?
        /// The line of the test the failure came from; not written out.
        public var line: String?
        /// The failing test function's code (its first 40 lines), shown to the model in a round; not written out.
        public var source: String?

        enum CodingKeys: String, CodingKey {
            case name, outcome, message, atoms
        }

        /// Whether the test failed or errored (a skipped one did neither).
        public var isFailure: Bool { outcome == .failed || outcome == .error }

        public init(name: String, outcome: Outcome, message: String? = nil) {
            self.name = name
            self.outcome = outcome
            self.message = message
        }
    }

    public var passed: Int
    public var failed: Int
    public var errored: Int
    public var skipped: Int
    public var tests: [Test]
    /// Set when the suite could not start (a test file that does not import, no tests found, no runner): a problem
    /// of the plan's suite, not a test that failed.
    public var problem: String?

    public init(tests: [Test], problem: String? = nil) {
        self.tests = tests
        self.problem = problem
        passed = tests.filter { $0.outcome == .passed }.count
        failed = tests.filter { $0.outcome == .failed }.count
        errored = tests.filter { $0.outcome == .error }.count
        skipped = tests.filter { $0.outcome == .skipped }.count
    }

    /// The tests that failed or errored, in the order run.
    public var failing: [Test] { tests.filter(\.isFailure) }

    /// Whether the suite ran and none of its tests failed or errored.
    public var passes: Bool { problem == nil && failed == 0 && errored == 0 && passed > 0 }

    /// One line for a person: `12 passed, 2 failed, 1 error` or why it could not start.
    public var line: String {
        if let problem { return "could not start: \(problem)" }
        var parts = ["\(passed) passed", "\(failed) failed"]
        if errored > 0 { parts.append("\(errored) errored") }
        if skipped > 0 { parts.append("\(skipped) skipped") }
        return parts.joined(separator: ", ")
    }
}
