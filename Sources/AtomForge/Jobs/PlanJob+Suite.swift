import AtomForgeGeneration
import AtomForgeModel
import AtomForgeOutbox
import Logging

extension PlanJob {
    /// The plan's suite on the tree its results assemble to; a suite that cannot run here (tests off, its runner not
    /// installed) is a problem of the suite, said so, never a pass.
    static func runSuite(
        _ plan: Plan, results: [String: AtomResult], services: EngineServices
    ) async -> SuiteResult? {
        guard let runner = services.suiteRunner else {
            return SuiteResult(
                tests: [], problem: "not run: it needs validation.run_tests on")
        }
        let tree = SourceAssembler.assemble(plan, results: results)
        return await runner.run(plan.suite, tree: tree)
            ?? SuiteResult(tests: [], problem: "the suite gave no answer in the sandbox")
    }

    /// Up to `suite.rounds` rounds: the failing tests are pinned on atoms (``SuiteAttribution``); each implicated
    /// atom that had passed goes through a new ladder (its attempts kept) whose candidates must also pass those tests
    /// on the tree (``SuiteCheck``), with their failures as feedback. A candidate that does replaces the atom's code;
    /// an atom no candidate fixes keeps the code that passed alone, its new attempts kept in its report. The whole
    /// suite runs again after each round; a round after which fewer tests pass is undone (the atoms get their code
    /// back, the attempts stay in their reports), so no round leaves the tree worse than it found it. The rounds end
    /// when the suite passes, when no failure can be pinned on an atom, when a round fixes nothing, or when a round
    /// is cut short (the budget, a shutdown: the plan's stop, as for any other call).
    static func suiteRounds(
        _ plan: Plan, outcome: inout PlanOutcome, services: EngineServices, recorder: OutboxRecorder,
        logger: Logger, runnerWith: (ValidatorChain) -> PlanRunner
    ) async {
        await rounds(
            plan, outcome: &outcome, services: services, recorder: recorder, logger: logger, runnerWith: runnerWith)
        // The suite as it ends is pinned on atoms too, what a reviewer reads; not after a round cut short, whose
        // atoms may hold code the suite never ran (its pins, from the tree it ran on, stay).
        if outcome.stop == nil, let suite = outcome.suite, suite.problem == nil {
            outcome.suite = SuiteAttribution.attribute(
                suite, plan: plan,
                layout: SourceAssembler.layout(plan, results: outcome.results))
        }
    }

    private static func rounds(
        _ plan: Plan, outcome: inout PlanOutcome, services: EngineServices, recorder: OutboxRecorder,
        logger: Logger, runnerWith: (ValidatorChain) -> PlanRunner
    ) async {
        guard let suiteRunner = services.suiteRunner else { return }
        let atoms = Dictionary(plan.atoms.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var round = 0
        while let suite = outcome.suite, suite.problem == nil {
            let attributed = SuiteAttribution.attribute(
                suite, plan: plan,
                layout: SourceAssembler.layout(plan, results: outcome.results))
            outcome.suite = attributed
            guard !suite.passes, round < services.config.suite.rounds else { return }
            let before = outcome.results
            // Code the plan provides and a person's accepted code are not generated again.
            let implicated = SuiteAttribution.implicated(attributed).filter { id, _ in
                before[id]?.status == .passed && atoms[id]?.providedCode == nil
                    && before[id]?.attempts.last?.isModelCall != false
            }
            guard !implicated.isEmpty else { return }
            round += 1
            logger.notice(
                "the plan's suite, round \(round): \(implicated.keys.sorted().joined(separator: ", ")) again")
            var validators = services.validators
            validators.validators.append(
                SuiteCheck(
                    plan: plan, results: before,
                    tests: implicated,
                    runner: suiteRunner))
            let again = await runnerWith(validators).run(
                plan, restored: before.filter { implicated[$0.key] == nil },
                earlier: Dictionary(
                    uniqueKeysWithValues: implicated.keys.map {
                        ($0, EarlierAttempts.retrying(before[$0]?.attempts ?? []))
                    }),
                recorder: recorder)
            var fixed: [String] = []
            for id in implicated.keys.sorted() {
                guard let atom = atoms[id], let previous = before[id] else { continue }
                if let result = again.results[id], result.status == .passed {
                    outcome.results[id] = result
                    fixed.append(id)
                } else {
                    outcome.results[id] = kept(previous, after: again.results[id])
                    await recorder.record(outcome.results[id]!, of: atom)
                }
            }
            if let stop = again.stop {
                // Cut short: the plan stops as it would in any other call; the next run goes on from here.
                outcome.stop = stop
                return
            }
            let after = await runSuite(plan, results: outcome.results, services: services)
            if let after, after.problem == nil, after.passed >= suite.passed {
                outcome.suite = after
            } else {
                // Fewer tests pass (or none can start): the round is undone.
                for id in fixed {
                    guard let atom = atoms[id], let previous = before[id] else { continue }
                    outcome.results[id] = kept(previous, after: outcome.results[id])
                    await recorder.record(outcome.results[id]!, of: atom)
                }
                logger.notice("the plan's suite, round \(round): fewer tests passed after it; undone")
                outcome.suiteRounds.append(
                    SuiteRound(round: round, implicated: implicated.keys.sorted(), fixed: [], after: suite))
                return
            }
            outcome.suiteRounds.append(
                SuiteRound(round: round, implicated: implicated.keys.sorted(), fixed: fixed, after: outcome.suite))
            if fixed.isEmpty { return }
        }
    }

    /// An atom's result before a round with every attempt paid for since: the round's attempts when it made some
    /// (an atom the round blocked, or cut short, made none).
    static func kept(_ previous: AtomResult, after round: AtomResult?) -> AtomResult {
        var kept = previous
        if let round, round.attempts.count > previous.attempts.count { kept.attempts = round.attempts }
        return kept
    }
}
