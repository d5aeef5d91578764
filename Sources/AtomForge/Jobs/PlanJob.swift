import Foundation
import Logging

/// The parts of the engine that every plan of a process shares: one model client (and with it one rate limiter),
/// the bound on atoms in flight, the bound on validator runs, and the validators.
public struct EngineServices: Sendable {
    public let config: PipelineConfig
    public let client: ModelClient
    /// The stronger model of `escalate` steps, when the config has an `escalation` section.
    public let escalationClient: ModelClient?
    public let workerSlots: AsyncSemaphore
    /// Bounds model requests in flight, a step's candidates included (`execution.max_requests`).
    public let requestSlots: AsyncSemaphore
    public let validationSlots: AsyncSemaphore
    public let validators: ValidatorChain
    /// Takes the unit out of the code of a reply (Python through its parser, in the sandbox).
    public let extractor: UnitExtractor
    public let schedulingMode: Scheduler.Mode
    /// Set on graceful shutdown: no new atom or attempt starts after it.
    public let stop = StopSignal()
    public let logger: Logger

    public init(
        config: PipelineConfig, client: ModelClient, escalationClient: ModelClient? = nil,
        validators: ValidatorChain? = nil, extractor: UnitExtractor? = nil,
        schedulingMode: Scheduler.Mode = .dependency,
        logger: Logger
    ) {
        self.config = config
        self.client = client
        self.escalationClient = escalationClient
        workerSlots = AsyncSemaphore(permits: config.execution.maxWorkers)
        requestSlots = AsyncSemaphore(permits: config.execution.requestSlots)
        self.extractor = extractor ?? UnitExtractor(runner: ToolRunner.standard(config.validation))
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        validationSlots = AsyncSemaphore(
            permits: config.validation.concurrency > 0 ? config.validation.concurrency : cores)
        self.validators = validators ?? .standard(config.validation)
        self.schedulingMode = schedulingMode
        self.logger = logger
    }
}

/// One plan file taken from its path to a finished outbox folder: check, pick the run folder (new or resumed),
/// generate, write the results. `atomforge run` and the inbox both go through here.
public enum PlanJob {
    /// How a job ended, with the exit code of DESIGN §7.
    public struct Outcome: Sendable {
        /// 0 every atom passed, 1 some failed or were blocked, 2 the plan is invalid, 3 a budget stopped it.
        public var exitCode: Int32
        /// The run folder, when the plan got one.
        public var folder: String?
        /// Lines for a person: problems of an invalid plan, or what happened and where the results are.
        public var messages: [String]
    }

    public static func run(planAt path: String, outbox: String, services: EngineServices) async -> Outcome {
        let check = await BlockingIO.run { PlanChecker.check(fileAt: path) }
        guard let plan = check.validPlan else {
            return Outcome(exitCode: 2, folder: nil, messages: check.diagnostics.map { "\(path):\($0)" })
        }
        let text = check.text ?? ""
        let fileExtension = path.hasSuffix(".json") ? "json" : "yaml"
        let folder: RunFolder
        do {
            folder = try RunFolder.prepare(
                for: plan, source: .copy(text: text), fileExtension: fileExtension, outbox: outbox)
        } catch {
            return Outcome(exitCode: 1, folder: nil, messages: ["cannot prepare the outbox: \(error)"])
        }
        return await run(plan, in: folder, services: services)
    }

    /// Runs a checked plan in a prepared folder.
    public static func run(_ plan: Plan, in folder: RunFolder, services: EngineServices) async -> Outcome {
        var logger = services.logger
        logger[metadataKey: "plan"] = "\(plan.id)"
        var messages: [String] = []
        if let note = folder.note {
            messages.append(note)
            logger.notice("\(note)")
        }
        let config = services.config
        let alreadyUsed = folder.restored.values.reduce(0) { $0 + $1.tokens.input + $1.tokens.output }
        let generator = AtomGenerator(
            client: services.client, escalation: services.escalationClient, validators: services.validators,
            extractor: services.extractor, generation: config.generation, maxTokensCeiling: config.provider.maxTokens,
            escalationMaxTokensCeiling: config.escalation?.provider.maxTokens,
            validationSlots: services.validationSlots,
            requestSlots: services.requestSlots,
            budget: TokenBudget(limit: config.budget.tokensPerPlan, alreadyUsed: alreadyUsed), stop: services.stop,
            logger: logger)
        let runner = PlanRunner(
            generator: generator, workerSlots: services.workerSlots,
            scheduler: Scheduler(mode: services.schedulingMode, maxInFlight: config.execution.maxWorkers))
        let recorder = OutboxRecorder(folder: folder, plan: plan)
        logger.info("running plan \(plan.id): \(plan.atoms.count) atoms into \(folder.path)")
        let outcome = await runner.run(plan, restored: folder.restored, recorder: recorder)
        let status = await recorder.finish(outcome, provider: config.provider)
        for error in await recorder.writeErrors { messages.append("could not write: \(error)") }
        let counts = StatusCounts(outcome.results.values)
        let line =
            "plan \(plan.id): \(counts.passed) passed, \(counts.failed) failed, "
            + "\(counts.blocked) blocked of \(plan.atoms.count) in "
            + "\(String(format: "%.1f", outcome.duration.seconds)) s"
        messages.append(line)
        let exitCode: Int32
        switch outcome.stop {
        case .budget?:
            messages.append(
                "stopped: the plan reached budget.tokens_per_plan (\(config.budget.tokensPerPlan)); "
                    + "raise it and run again to continue"
            )
            exitCode = 3
        case .cancelled?:
            messages.append("stopped before the end; run the plan again to continue")
            exitCode = 1
        case nil:
            exitCode = status == "passed" ? 0 : 1
        }
        messages.append("results: \(folder.path)/summary.md, sources in \(folder.path)/src/")
        if exitCode == 1, outcome.stop == nil { messages.append("to review: \(folder.path)/review/") }
        return Outcome(exitCode: exitCode, folder: folder.path, messages: messages)
    }
}
