extension PlanJob {
    /// The plan's suite on the tree its results assemble to; a suite that cannot run here (no python3, tests off)
    /// is a problem of the suite, said so, never a pass.
    static func runSuite(
        _ plan: Plan, results: [String: AtomResult], services: EngineServices
    ) async -> SuiteResult? {
        guard let runner = services.suiteRunner else {
            return SuiteResult(
                tests: [], problem: "not run: it needs python3 and pytest, and validation.run_tests on")
        }
        let tree = SourceAssembler.assemble(plan, results: results)
        return await runner.run(plan.suite, tree: tree)
            ?? SuiteResult(tests: [], problem: "the sandbox gave no answer when the suite was run")
    }
}
