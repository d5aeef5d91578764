import AtomForgeGeneration
import AtomForgeModel
import AtomForgeOutbox
import AtomForgeSystem
import Foundation
import Logging

/// The parts of the engine that every plan of a process shares: one model client (and with it one rate limiter),
/// the bounds on atoms in flight, model requests and validator runs, and the validators.
///
/// Model slots and validation slots are apart: an atom whose reply is being checked holds a validation slot, not a
/// model one, and the atoms in flight are as many as both kinds of slot together, so that the model's
/// `execution.max_workers` slots take the next request while the last reply is validated.
public struct EngineServices: Sendable {
    public let config: PipelineConfig
    public let client: ModelClient
    /// The stronger model of `escalate` steps, when the config has an `escalation` section.
    public let escalationClient: ModelClient?
    /// Atoms in flight at once across every plan: one for each model slot and each validation slot.
    public let atomsInFlight: Int
    public let atomSlots: AsyncSemaphore
    /// Bounds model requests in flight, a step's candidates included (`execution.max_requests`, by default
    /// `execution.max_workers`).
    public let requestSlots: AsyncSemaphore
    public let validationSlots: AsyncSemaphore
    public let validators: ValidatorChain
    /// Runs candidates on inputs for the vote between them (Python, JavaScript, TypeScript); nil where no python3 is
    /// installed.
    public let probe: BehaviourProbe?
    /// Loads the assembled tree at the end of a plan (each language whose tools are installed); nil where none is,
    /// or where `validation.run_tests` is off.
    public let treeCheck: SourceTreeCheck?
    /// Runs a plan's own suite against the assembled tree; nil where no python3 is installed or tests are off.
    public let suiteRunner: SuiteRunner?
    /// Takes the unit out of the code of a reply (Python through its parser, in the sandbox).
    public let extractor: UnitExtractor
    /// Set on graceful shutdown: no new atom or attempt starts after it.
    public let stop = StopSignal()
    public let logger: Logger
    /// Hear every plan's events (a terminal's progress line, `--output-format stream-json`); the log hears them
    /// too, always.
    public var observers: [any RunObserver] = []

    /// What every plan's generator shares, with `validators` (the plan's chain, or a suite round's) and `logger`.
    public func generatorServices(validators: ValidatorChain? = nil, logger: Logger? = nil) -> GeneratorServices {
        GeneratorServices(
            client: client, escalation: escalationClient, validators: validators ?? self.validators,
            extractor: extractor, validationSlots: validationSlots, requestSlots: requestSlots, probe: probe,
            logger: logger ?? self.logger)
    }

    public init(
        config: PipelineConfig, client: ModelClient, escalationClient: ModelClient? = nil,
        validators: ValidatorChain? = nil, extractor: UnitExtractor? = nil,
        logger: Logger
    ) {
        self.config = config
        self.client = client
        self.escalationClient = escalationClient
        requestSlots = AsyncSemaphore(permits: config.execution.requestSlots)
        self.extractor = extractor ?? UnitExtractor(runner: ToolRunner.standard(config.validation))
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let validationRuns = config.validation.concurrency > 0 ? config.validation.concurrency : cores
        validationSlots = AsyncSemaphore(permits: validationRuns)
        atomsInFlight = config.execution.maxWorkers + validationRuns
        atomSlots = AsyncSemaphore(permits: atomsInFlight)
        self.validators = validators ?? .standard(config.validation)
        let python = Toolchain.find("python3") != nil && config.validation.runTests
        // Their one line of JSON holds every input's output: more than a test run's report.
        var reporting = ToolRunner.standard(config.validation)
        reporting.outputLimit = 256 << 10
        probe = python ? BehaviourProbe(runner: reporting, maxInputs: config.evidence.agreement.maxInputs) : nil
        let installed = Toolchain.installedTestRunners
        treeCheck =
            config.validation.runTests && !installed.isEmpty
            ? SourceTreeCheck(runner: reporting, available: installed) : nil
        var suiteRun = reporting
        suiteRun.timeout = .seconds(config.suite.timeoutSeconds)
        // A line per test as it starts, then every test's outcome in one line: a large suite's report is large.
        suiteRun.outputLimit = 8 << 20
        suiteRunner =
            config.validation.runTests
            ? SuiteRunner(runner: suiteRun, testTimeout: .seconds(config.suite.testTimeoutSeconds)) : nil
        self.logger = logger
    }

    /// A runner of one plan's `generator` within the process's bound on atoms in flight.
    public func planRunner(_ generator: AtomGenerator) -> PlanRunner {
        PlanRunner(generator: generator, atomSlots: atomSlots, scheduler: Scheduler(maxInFlight: atomsInFlight))
    }
}

/// A claimed plan (``PlanClaim``) taken to a finished outbox folder: generate what is left, write the results, say
/// how it ended. `atomforge run`, `retry`, `accept` and the inbox all go through here.
public enum PlanJob {
    /// How a job ended: its ending and whether every atom passed, from which its exit code follows.
    public struct Outcome: Sendable {
        /// Why the job ended (``RunEnding/finished`` when every atom got its verdict).
        public var ending: RunEnding
        /// Whether every atom passed (and the plan's suite, when it has one).
        public var passed: Bool
        /// The exit code docs/outbox.md documents for it (``RunEnding/exitCode(passed:)``).
        public var exitCode: Int32 { ending.exitCode(passed: passed) }
        /// The run folder, when the plan got one.
        public var folder: String?
        /// Lines for a person: problems of an invalid plan, or what happened and where the results are.
        public var messages: [String]
        /// Set when the run was interrupted by something outside it (the provider, a full disk): why, as a phrase.
        public var outage: String?
        /// The run's summary as `summary.json` has it (snake_case JSON), also for a run that stopped early and so
        /// wrote none: what `--output-format json` prints for every ending.
        public var summary: String?

        public init(
            ending: RunEnding, passed: Bool = false, folder: String?, messages: [String], outage: String? = nil,
            summary: String? = nil
        ) {
            self.ending = ending
            self.passed = passed
            self.folder = folder
            self.messages = messages
            self.outage = outage
            self.summary = summary
        }
    }

    /// Which of the failed atoms of the folder's earlier run are generated again. Blocked and unfinished atoms
    /// always are; passed ones never.
    public enum Retry: Sendable, Equatable {
        /// None: they stay failed, and the run goes on where it stopped (a resumed run, or after `accept`).
        case keep
        /// Every failed atom, each with a new ladder (`retry`, or a finished run's plan run again).
        case all
        /// These failed atoms only (`retry --atoms`).
        case only(Set<String>)

        /// What a run in `folder` retries when not told: a finished run's failures, none of an interrupted one's.
        static func defaultFor(_ folder: RunFolder) -> Retry {
            folder.start == .continued ? .all : .keep
        }
    }

    /// Whether running `plan` in `folder` would generate anything: when not, no model server needs to start.
    public static func hasWork(_ plan: Plan, in folder: RunFolder, retry: Retry? = nil) -> Bool {
        // A plan with a suite always may: the suite runs again, and its rounds call the model.
        !plan.suite.isEmpty
            || !allPassed(plan, carriedOver(from: folder.earlier, retry: retry ?? .defaultFor(folder)).restored)
    }

    private static func allPassed(_ plan: Plan, _ restored: [String: AtomResult]) -> Bool {
        plan.atoms.allSatisfy { restored[$0.id]?.status == .passed }
    }

    /// Runs a checked plan in a prepared folder. `retry` says which failed atoms of an earlier run are generated
    /// again; by default those of a finished run that is continued, none of an interrupted one that is resumed.
    public static func run(
        _ plan: Plan, in folder: RunFolder, services: EngineServices, retry: Retry? = nil
    ) async -> Outcome {
        var logger = services.logger
        logger[metadataKey: "plan"] = "\(plan.id)"
        var messages: [String] = []
        let retry = retry ?? .defaultFor(folder)
        // Read under the folder's lock, now: `accept` may have added to it since the folder was opened.
        let journal = await BlockingIO.run { folder.journal.readState() }
        let (restored, earlier) = carriedOver(from: journal, retry: retry)
        // An atom the journal has finished but whose files are missing is written again from the journal's record.
        do {
            let mended = try await BlockingIO.run { () throws(OutboxError) -> [String] in
                try OutboxRecorder.mendAtomFiles(plan, journal.results, in: folder)
            }
            if !mended.isEmpty {
                logger.notice("wrote again from the journal the missing files of \(mended.joined(separator: ", "))")
            }
        } catch {
            return Outcome(
                ending: .unwritable, folder: folder.path, messages: ["could not write an atom's files again: \(error)"])
        }
        // A finished run whose atoms all passed: nothing to do, and its files stay as they are. (With `.keep`, as
        // after `accept`, the summaries and src/ are written again.)
        if folder.start == .continued, retry != .keep, allPassed(plan, restored), plan.suite.isEmpty {
            messages.append(
                "plan \(plan.id): every atom (\(plan.atoms.count)) passed already in \(folder.path); "
                    + "nothing to generate (`atomforge run` of the plan with --fresh starts over in a new folder)")
            return Outcome(ending: .finished, passed: true, folder: folder.path, messages: messages)
        }
        if let note = folder.note {
            messages.append(note)
            logger.notice("\(note)")
        }
        // The folder remembers the config, the model and the version of each job: `retry` and `accept` go on with
        // them from anywhere. A record that cannot be written costs that convenience, not the run.
        let config = services.config
        do {
            try await BlockingIO.run { () throws(OutboxError) in try RunRecord.note(config, in: folder) }
        } catch {
            logger.warning("could not write \(folder.path)/\(RunRecord.fileName): \(error)")
        }
        // The retried failures are journaled as unfinished first, each with its new ladder, so that if this run is
        // cut short before it reaches one, the next run still retries it rather than restoring the failure.
        let retried = earlier.filter { journal.results[$0.key]?.status == .failed }
        do {
            try await BlockingIO.run { () throws(OutboxError) in
                if folder.start == .continued { try folder.reopen() }
                for (id, progress) in retried.sorted(by: { $0.key < $1.key }) {
                    try folder.journal.appendUnfinished(id, progress)
                }
            }
        } catch {
            let reason = "the results could not be written (\(error))"
            return Outcome(
                ending: .unwritable, folder: folder.path, messages: messages + ["interrupted: \(reason)"],
                outage: reason)
        }
        let alreadyUsed =
            restored.values.reduce(0) { $0 + $1.tokens.input + $1.tokens.output }
            + earlier.values.reduce(0) { total, atom in
                total + atom.attempts.reduce(0) { $0 + $1.tokens.input + $1.tokens.output }
            }
        // This plan's own stop: the process's shutdown, or a result of this plan that could not be written.
        let planStop = StopSignal(parent: services.stop)
        let outward = RunEvents([EventLog(logger: logger)] + services.observers)
        let recorder = OutboxRecorder(
            folder: folder, plan: plan, restored: restored, earlier: earlier, model: config.provider.model,
            stop: planStop, logger: logger, events: outward)
        let earlierUsage =
            restored.values.reduce(TokenUsage()) { $0 + $1.tokens }
            + earlier.values.reduce(TokenUsage()) { total, atom in atom.attempts.reduce(total) { $0 + $1.tokens } }
        let budget = TokenBudget(
            limit: config.budget.tokensPerPlan, alreadyUsed: alreadyUsed, costLimit: config.budget.costPerPlan,
            alreadyCost: config.provider.cost(of: earlierUsage) ?? 0, pricing: config.provider,
            maxOutput: config.provider.maxTokens)
        // One budget for the plan's atoms and its suite's rounds alike.
        let generation = PlanGeneration(
            planID: plan.id, generation: config.generation, maxTokensCeiling: config.provider.maxTokens,
            escalationMaxTokensCeiling: config.escalation?.provider.maxTokens, evidence: config.evidence,
            require: config.validation.require, budget: budget, stop: planStop, events: outward.adding([recorder]))
        let generatorWith = { (validators: ValidatorChain) in
            AtomGenerator(
                services: services.generatorServices(validators: validators, logger: logger), plan: generation)
        }
        let runner = services.planRunner(generatorWith(services.validators))
        await recorder.begin()
        var outcome = await runner.run(plan, restored: restored, earlier: earlier, recorder: recorder)
        // The assembled tree must import: what does not is pinned on the atom that raises it, or reported.
        if outcome.stop == nil, let treeCheck = services.treeCheck {
            let settled = await SourceTreeSettling.settle(plan, results: outcome.results, check: treeCheck) {
                await recorder.record($0, of: $1)
            }
            outcome.results = settled.results
            outcome.treeProblems = settled.problems
            for problem in settled.problems { logger.warning("\(problem)") }
            if settled.unchecked {
                logger.warning("part of src/ was not checked: a sandboxed load of the tree gave no answer")
            }
        }
        // The plan's own suite judges the assembled tree, and sends the atoms its failures implicate round again.
        if outcome.stop == nil, !plan.suite.isEmpty {
            outcome.suite = await Self.runSuite(plan, results: outcome.results, services: services)
            await Self.suiteRounds(
                plan, outcome: &outcome, services: services, recorder: recorder, logger: logger
            ) { validators in services.planRunner(generatorWith(validators)) }
            if let suite = outcome.suite {
                if suite.passes {
                    logger.info("the plan's suite: \(suite.line)")
                } else {
                    logger.warning("the plan's suite: \(suite.line)")
                }
            }
        }
        // A result that could not be written stopped the plan (its stop signal): that is why it stopped.
        if let failure = await recorder.writeFailure {
            outcome.stop = .unwritable(failure)
            for id in await recorder.unsaved { outcome.results[id] = nil }
        }
        let summary = await recorder.finishing(outcome, provider: config.provider)
        let status = summary.status
        // The sources or summaries could not be written: the run is not finished, whatever its atoms came to.
        if outcome.stop == nil, let failure = await recorder.writeFailure { outcome.stop = .unwritable(failure) }
        for error in await recorder.writeErrors { messages.append("could not write: \(error)") }
        let counts = StatusCounts(outcome.results.values)
        var line =
            "plan \(plan.id): \(counts.passed) passed, \(counts.failed) failed, "
            + "\(counts.blocked) blocked of \(plan.atoms.count) in "
            + "\(String(format: "%.1f", outcome.duration.seconds)) s"
        let unfinished = plan.atoms.count - counts.total
        if unfinished > 0 { line += " (\(unfinished) unfinished)" }
        if let cost = summary.costUsd { line += String(format: ", $%.4f", cost) }
        messages.append(line)
        var outage: String?
        switch outcome.stop {
        case .budget?:
            let cap = await budget.exhaustedCap ?? "budget.tokens_per_plan (\(config.budget.tokensPerPlan))"
            messages.append("stopped: the plan reached \(cap); raise it and run again to continue")
        case .cancelled?:
            messages.append("stopped before the end; run the plan again to continue")
        case .unavailable(let reason)?:
            messages.append(
                "interrupted: the provider did not serve the requests (\(reason)); the \(unfinished) unfinished "
                    + "atoms and their attempts so far are kept. Once it answers (a key or model it refused: fix the "
                    + "config), run the plan again, or `atomforge retry \(ShellWord.quote(folder.path))`, to go on "
                    + "from here"
            )
            outage = "the provider did not serve the requests (\(reason))"
        case .unwritable(let reason)?:
            messages.append(
                "interrupted: the run's results could not be written (\(reason)); what was written is kept, and "
                    + "the model was asked for nothing more. Free space (or fix the permissions), then run the plan "
                    + "again, or `atomforge retry \(ShellWord.quote(folder.path))`, to go on from here")
            outage = "the results could not be written (\(reason))"
        case nil: break
        }
        let ending = RunEnding(outcome.stop)
        let passed = status == .passed
        let exitCode = ending.exitCode(passed: passed)
        // Each stop said one line above: why the run stopped, for `plan_finished`.
        let stopReason = outcome.stop == nil ? nil : messages.last
        let written = await recorder.writeErrors.isEmpty
        if written {
            messages.append(
                "results: \(folder.path)/summary.md, sources in \(folder.path)/src/, "
                    + "the run page \(folder.path)/index.html")
        }
        if ending == .finished, !passed {
            messages.append(
                "to review: \(folder.path)/review/ — `atomforge retry \(ShellWord.quote(folder.path))` generates "
                    + "the failed atoms "
                    + "again")
        }
        var finished = RunEvent(.planFinished, plan: plan.id)
        finished.folder = folder.path
        finished.status = status.rawValue
        finished.ending = summary.ending.rawValue
        finished.costUSD = summary.costUsd
        finished.reason = stopReason
        (finished.passed, finished.failed, finished.blocked) = (counts.passed, counts.failed, counts.blocked)
        let tokens = outcome.results.values.reduce(TokenUsage()) { $0 + $1.tokens }
        (finished.tokensIn, finished.tokensOut) = (tokens.input, tokens.output)
        finished.durationS = (outcome.duration.seconds * 1000).rounded() / 1000
        finished.exitCode = Int(exitCode)
        if let suite = outcome.suite {
            (finished.suitePassed, finished.suiteFailed) = (suite.passed, suite.failed + suite.errored)
            finished.suiteRounds = outcome.suiteRounds.count
            finished.suiteProblem = suite.problem
        }
        await outward.emit(finished)
        return Outcome(
            ending: ending, passed: passed, folder: folder.path, messages: messages, outage: outage,
            summary: OutboxJSON.encode(summary, pretty: false))
    }

    /// From an earlier run's journal: the results kept as they are, and the atoms that go on from attempts they
    /// already have (interrupted ones where they stopped, retried failures with a new ladder).
    static func carriedOver(
        from journal: Journal.State, retry: Retry
    ) -> (restored: [String: AtomResult], earlier: [String: EarlierAttempts]) {
        var restored: [String: AtomResult] = [:]
        var earlier: [String: EarlierAttempts] = [:]
        for (id, result) in journal.results {
            switch result.status {
            case .passed:
                restored[id] = result
            case .blocked:
                break
            case .failed:
                let again =
                    switch retry {
                    case .keep: false
                    case .all: true
                    case .only(let ids): ids.contains(id)
                    }
                if again {
                    earlier[id] = .retrying(result.attempts)
                } else {
                    restored[id] = result
                }
            }
        }
        for (id, progress) in journal.unfinished { earlier[id] = progress }
        return (restored, earlier)
    }
}
