import AtomForgeModel

/// The check a suite round adds to the atoms a failing test implicates: the candidate put in its place in the tree
/// (the other atoms as they are), and the tests that implicated it run on that tree. A candidate passes only if they
/// pass; their failures are the feedback its next step sees. Every candidate's prompt shows those tests, how they
/// fail (``promptNote(for:)``): a sample that never saw the test would meet it by chance.
public struct SuiteCheck: Validator {
    public let name = "suite"
    let plan: Plan
    /// The tree's atoms as they stand: the candidate replaces its own.
    let results: [String: AtomResult]
    /// Atom id → the failing tests that implicate it.
    let tests: [String: [SuiteResult.Test]]
    let runner: SuiteRunner

    public init(plan: Plan, results: [String: AtomResult], tests: [String: [SuiteResult.Test]], runner: SuiteRunner) {
        self.plan = plan
        self.results = results
        self.tests = tests
        self.runner = runner
    }

    public func applies(to atom: Atom) -> Bool { tests[atom.id] != nil }

    /// The failing tests (their code, up to three) and what the runner said. Not the atom's code as it stands: on
    /// the library benchmark a small model shown it wrote it again (no atom of 28 fixed, against 5 of 27 without).
    public func promptNote(for atom: Atom) -> String? {
        guard let failing = tests[atom.id], !failing.isEmpty else { return nil }
        let tag = atom.language.fenceTags[0]
        var text =
            "The project's own test suite imports the assembled package and runs these tests on it; they fail with "
            + "`\(atom.name)` as it stands. The code must make them pass:"
        for test in failing.prefix(3) {
            text += "\n```\(tag)\n\(test.source ?? "# \(test.name)")\n```\n"
            if let message = test.message, !message.isEmpty {
                text += "It fails with:\n```\n\(message.prefix(800))\n```"
            }
        }
        if failing.count > 3 { text += "\n(and \(failing.count - 3) more tests)" }
        return text
    }

    public func validate(_ subject: ValidationSubject) async -> [ValidationIssue] {
        guard let ids = tests[subject.atom.id]?.map(\.name) else { return [] }
        var results = self.results
        var own = results[subject.atom.id] ?? AtomResult(id: subject.atom.id, status: .passed, attempts: [], code: nil)
        own.status = .passed
        own.code = subject.code
        results[subject.atom.id] = own
        let tree = SourceAssembler.assemble(plan, results: results)
        guard let result = await runner.run(plan.suite, tree: tree, only: ids) else {
            return [ValidationIssue(.critical, "the suite's tests gave no answer in the sandbox", validator: name)]
        }
        if let problem = result.problem {
            return [
                ValidationIssue(.error, "the suite's tests could not run with this code: \(problem)", validator: name)
            ]
        }
        // Each test that implicated the atom must run and pass: skipped or missing is no pass.
        return ids.compactMap { id in
            guard let test = result.tests.first(where: { $0.name == id }) else {
                return ValidationIssue(
                    .error, "the plan's suite test \(id) did not run with this code", validator: name)
            }
            guard test.outcome != .passed else { return nil }
            return ValidationIssue(
                .error,
                "the plan's suite test \(test.name) \(test.outcome.rawValue)" + (test.message.map { ":\n\($0)" } ?? ""),
                validator: name)
        }
    }
}
