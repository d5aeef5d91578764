import AtomForgeModel
import AtomForgeSystem
import Logging

/// The generation ladder of one atom: step by step (``GenerationSettings/plannedSteps``), ask for one or more
/// candidates at once, take the code out of each reply, validate it, and stop at the first step where one passes.
///
/// What each step asks for is decided by what failed before it, not by its number alone: a `sample` is an
/// independent answer to the original prompt with a seed of its own; a `repair` carries the failed code and its
/// errors only when the failure is one repair fixes (``LadderStep/repairOn``), and is a sample otherwise; an
/// `escalate` step does the same with the stronger `escalation` model. A candidate whose code equals one already
/// validated is not validated again: it is recorded as a duplicate, and every duplicate raises the temperature of
/// the steps after it, since the model is repeating itself.
///
/// Transport retries happen inside ``ModelClient`` and never use up an attempt. A reply cut off by `max_tokens` is a
/// failed attempt with that reason, and the next step may use the whole configured ceiling.
public struct AtomGenerator: Sendable {
    public let client: ModelClient
    /// Where `escalate` steps go; nil when none is configured (such steps then use ``client``).
    public let escalation: ModelClient?
    public let validators: ValidatorChain
    public let extractor: UnitExtractor
    public let generation: GenerationSettings
    public let maxTokensCeiling: Int
    /// The ceiling of `escalate` steps (`escalation.provider.max_tokens`); nil means ``maxTokensCeiling``.
    public let escalationMaxTokensCeiling: Int?
    /// Bounds validator runs across the process (the machine's cores), apart from the model calls.
    public let validationSlots: AsyncSemaphore
    /// Bounds model requests in flight across the process (`execution.max_requests`), candidates included.
    public let requestSlots: AsyncSemaphore
    let budget: TokenBudget
    let stop: StopSignal
    let logger: Logger
    /// Hears each atom and attempt start and each attempt end (``RunEvent``), for the plan `planID`.
    let events: RunEvents
    let planID: String
    let prompts: PromptBuilder
    /// Where evidence beyond the plan's tests comes from (`evidence:`).
    let evidence: EvidenceSettings
    /// Runs candidates on inputs for the vote between them; nil: no vote (and no examples parsed beforehand).
    let probe: BehaviourProbe?
    /// The least evidence an atom passes on (`validation.require`).
    let require: EvidenceLevel

    /// How much each duplicate raises the temperature of the steps after it, and the ceiling it stops at.
    package static let diversityStep = 0.1
    static let temperatureCeiling = 1.2

    /// A generator for one plan (`plan`) over what the process's plans share (`services`).
    public init(services: GeneratorServices, plan: PlanGeneration) {
        client = services.client
        escalation = services.escalation
        validators = services.validators
        extractor = services.extractor
        validationSlots = services.validationSlots
        requestSlots = services.requestSlots
        probe = services.probe
        logger = services.logger
        planID = plan.planID
        generation = plan.generation
        prompts = PromptBuilder(systemPrompt: plan.generation.systemPrompt)
        maxTokensCeiling = plan.maxTokensCeiling
        escalationMaxTokensCeiling = plan.escalationMaxTokensCeiling
        evidence = plan.evidence
        require = plan.require
        budget = plan.budget
        stop = plan.stop
        events = plan.events
    }

    /// Generates `atom`, going on from `earlier` attempts when it has some: their numbers are not used again, their
    /// code is not validated again, and an interrupted ladder resumes at the step after the last one recorded. A stop
    /// (budget, shutdown, an outage) is thrown with every attempt made so far, so none that was paid for is lost.
    /// `checkpoint` hears the attempts and the next step after each step that leaves the ladder going: what a run
    /// killed outright goes on from.
    public func generate(
        _ atom: Atom, context: AttemptContext, continuing earlier: EarlierAttempts? = nil,
        checkpoint: (@Sendable (EarlierAttempts) async -> Void)? = nil
    ) async throws(GenerationInterruption) -> AtomResult {
        if let provided = atom.providedCode {
            return try await validateProvided(provided, of: atom, context: context)
        }
        var attempts = earlier?.attempts ?? []
        /// Normalised code → the attempt that was validated with it.
        var validated: [String: AttemptRecord] = [:]
        // A resumed ladder trusts its own verdicts; a retried atom (perhaps under other validators) checks again.
        for attempt in attempts where !attempt.isDuplicate && earlier?.reusesVerdicts == true {
            validated[Self.key(of: attempt.code, truncated: attempt.truncated, language: atom.language)] = attempt
        }
        var diversity = 0.0
        let firstStep = max(1, earlier?.nextStep ?? 1)
        let reusesVerdicts = earlier?.reusesVerdicts ?? true
        /// A stop, with what the next run goes on from: the attempts so far and the step to ask next.
        func interruption(_ stop: GenerationStop, next: Int) -> GenerationInterruption {
            GenerationInterruption(
                stop, progress: EarlierAttempts(attempts: attempts, nextStep: next, reusesVerdicts: reusesVerdicts))
        }
        var started = RunEvent(.atomStarted, plan: planID, atom: atom.id)
        started.attempt = (attempts.map(\.number).max() ?? 0) + 1
        await events.emit(started)
        let plan = await evidencePlan(for: atom)
        let work = AtomWork(
            atom: atom, scope: context.classScope,
            sizeLimit: CodeSizeLimit(for: atom, ceiling: generation.maxCodeBytes),
            provided: atom.kind == .method ? [] : context.allDependencies.map(\.atom.name),
            dependencyCode: context.allDependencies.map(\.code), dependencyImports: Self.dependencyImports(context),
            planNames: context.planNames, checks: plan.checks, priority: context.priority)
        var votes = VoteState()
        /// Model calls this ladder may make, evidence calls included: what its steps from the first one run plan (a
        /// retry's new ladder is not charged with the earlier run's calls).
        let callCap = generation.plannedSteps.enumerated().filter { $0.offset + 1 >= firstStep }.reduce(0) {
            $0 + $1.element.candidates
        }
        let callsBefore = attempts.filter(\.isModelCall).count
        /// The attempts whose verdicts count: a retried atom's earlier ones are checked again only by being
        /// generated again, so only this ladder's own passes count for it.
        let countedFrom = reusesVerdicts ? 0 : attempts.count
        var passing: [AttemptRecord] { attempts[countedFrom...].filter(\.passed) }
        /// Calls this ladder may still make, the proposal of inputs for the vote included.
        var room: Int { callCap - (attempts.filter(\.isModelCall).count - callsBefore) - votes.calls.count }
        steps: for (offset, step) in generation.plannedSteps.enumerated() where offset + 1 >= firstStep {
            let stepNumber = offset + 1
            let comparing = plan.compares && !passing.isEmpty
            // A stop with a candidate that passed ends in the vote among what passed (it needs no model call).
            if Task.isCancelled || stop.isRequested {
                if comparing { break steps }
                throw interruption(.cancelled, next: stepNumber)
            }
            if await budget.isExhausted {
                if comparing { break steps }
                throw interruption(.budget, next: stepNumber)
            }
            // Once a candidate passed and inputs are still to be asked for, one call is kept for that.
            let reserved = comparing && votes.seeds == nil && evidence.agreement.proposeInputs ? 1 : 0
            if room - reserved <= 0 { break }
            let candidates = min(step.candidates, room - reserved)
            let previousStep = attempts.filter { $0.step == attempts.last?.step && $0.step != nil }
            // Votes are fresh samples: nothing to repair. They come from the atom's own model, unless a vote found
            // no majority: weak evidence is when an `escalate` step asks the stronger model (its answer weighs two).
            let repairing = comparing ? nil : Self.repairTarget(for: step, after: attempts)
            let escalating = step.kind == .escalate && (!comparing || votes.undecided)
            let kind: AttemptKind = escalating ? .escalate : (repairing == nil ? .sample : .repair)
            let stepRequest = stepRequest(
                for: atom, step: step, number: stepNumber, context: context, repairing: repairing,
                escalating: escalating, diversity: diversity, afterTruncation: previousStep.contains { $0.truncated })
            let facts = StepFacts(
                number: stepNumber, kind: kind, repairs: repairing?.number, request: stepRequest.request)
            // Numbered after the highest so far: a candidate that got no reply leaves a gap, never a repeat (a number
            // names its seed).
            let ran = await runStep(
                facts, candidates: candidates, firstNumber: (attempts.map(\.number).max() ?? 0) + 1,
                stepRequest: stepRequest, work: work, validated: &validated, diversity: &diversity)
            let (stepAttempts, unreachable, cancelled) = (ran.attempts, ran.unreachable, ran.cancelled)
            attempts += stepAttempts
            if cancelled {
                if plan.compares && !passing.isEmpty { break steps }
                throw interruption(.cancelled, next: stepAttempts.isEmpty ? stepNumber : stepNumber + 1)
            }
            // Paid for: kept before the next step is asked (a step that passed without a vote ends the ladder now).
            // Only a ladder whose verdicts carry over: a retried atom's ladder, or a suite round's (whose atom had
            // passed), is journaled as it starts and, killed, starts again rather than lose what it stood on.
            if let checkpoint, reusesVerdicts, !stepAttempts.isEmpty, passing.isEmpty || plan.compares {
                await checkpoint(
                    EarlierAttempts(attempts: attempts, nextStep: stepNumber + 1, reusesVerdicts: reusesVerdicts))
            }
            if let first = passing.first {
                guard plan.compares else {
                    let winner = stepAttempts.first(where: \.passed) ?? first
                    return passedResult(
                        atom, attempts: attempts, winner: winner,
                        evidence: evidence(for: atom, plan: plan, agreement: nil, attempt: winner.number),
                        calls: votes.calls)
                }
                // Compared by behaviour: sample on until enough candidates pass, then stop at a majority, or at once
                // when there is nothing to compare them on (no inputs, or no candidate could be run).
                if passing.count >= evidence.agreement.candidates {
                    let decision = await vote(
                        among: passing, of: atom, context: context, plan: plan, state: &votes, mayPropose: room > 0)
                    if let decision,
                        decision.summary.hasMajority || decision.summary.inputs == 0
                            || passing.count >= evidence.agreement.maxCandidates
                    {
                        return passedResult(
                            atom, attempts: attempts, winner: decision.winner,
                            evidence: evidence(
                                for: atom, plan: plan, agreement: decision.summary, attempt: decision.winner.number),
                            calls: votes.calls)
                    }
                }
                // No reply at all in this step (the provider is away): the vote goes on with what passed.
                if stepAttempts.isEmpty, unreachable != nil { break }
                continue
            }
            // Only when no candidate of the step got a reply: a failed call beside a reply that failed validation
            // leaves the ladder going.
            if stepAttempts.isEmpty, let unreachable {
                if unreachable.isOutage {
                    // The step got no reply: it is asked again.
                    throw interruption(.unavailable(unreachable.description), next: stepNumber)
                }
                return AtomResult(
                    id: atom.id, status: .failed, attempts: attempts, code: attempts.last?.code,
                    reason: "the model could not be reached: \(unreachable)")
            }
        }
        // The ladder ran out (or a stop came) with candidates passing but the vote not yet taken or without a
        // majority. A proposal of inputs is made only within the calls the ladder had, and never after a stop.
        if let first = passing.first {
            let mayPropose = room > 0 && !stop.isRequested && !Task.isCancelled
            let decision =
                plan.compares
                ? await vote(
                    among: passing, of: atom, context: context, plan: plan, state: &votes, mayPropose: mayPropose)
                : nil
            let winner = decision?.winner ?? first
            return passedResult(
                atom, attempts: attempts, winner: winner,
                evidence: evidence(for: atom, plan: plan, agreement: decision?.summary, attempt: winner.number),
                calls: votes.calls)
        }
        let last = attempts.last { !$0.isDuplicate } ?? attempts.last
        let summary = last?.failures.first?.message.firstLine ?? "validation failed"
        var failed = AtomResult(
            id: atom.id, status: .failed, attempts: attempts, code: last?.code,
            reason: "failed \(attempts.count) attempt\(attempts.count == 1 ? "" : "s"); last: \(summary)")
        failed.evidenceCalls = votes.calls.isEmpty ? nil : votes.calls
        return failed
    }

    /// The import lines a program holding the atom's dependencies needs: theirs and, for a method, its class's and
    /// its sibling methods'.
    package static func dependencyImports(_ context: AttemptContext) -> [String] {
        var imports = context.allDependencies.flatMap(\.atom.imports)
        if let scope = context.classScope {
            imports += scope.type.imports + scope.methods.filter { $0.code != nil }.flatMap(\.atom.imports)
        }
        return imports
    }

    /// A method's class around its code, as it is validated; nil for any other atom.
    package static func enclosing(_ code: String, of atom: Atom, in scope: ClassScope?) -> EnclosingCode? {
        guard atom.kind == .method, let program = scope?.program(placing: code, for: atom) else { return nil }
        return EnclosingCode(text: program.text, unit: program.unit, unitOffset: program.offset)
    }

    /// Code the plan provides: validated once like a model's code (a method in its class), recorded as an attempt
    /// of kind `plan` that is no model call. Code that fails is a failed atom, its dependents blocked.
    private func validateProvided(
        _ code: String, of atom: Atom, context: AttemptContext
    ) async throws(GenerationInterruption) -> AtomResult {
        // A provided class that already stubs the methods planned apart is reduced like a model's, so that each is
        // in the class once.
        let unit =
            context.classScope.map { $0.droppingPlannedMethods(from: $0.method(outOf: code, for: atom), for: atom) }
            ?? code
        let subject = ValidationSubject(
            atom: atom, code: unit, dependencyCode: context.allDependencies.map(\.code),
            dependencyImports: Self.dependencyImports(context),
            enclosing: Self.enclosing(unit, of: atom, in: context.classScope), knownNames: context.planNames)
        var started = RunEvent(.atomStarted, plan: planID, atom: atom.id)
        started.attempt = 1
        await events.emit(started)
        let issues: [ValidationIssue]
        do {
            issues = try await validationSlots.withPermit { await validators.validate(subject) }
        } catch {
            // A stop before the check: nothing is recorded, the next run checks it.
            throw GenerationInterruption(
                .cancelled, progress: EarlierAttempts(attempts: [], nextStep: 1, reusesVerdicts: true))
        }
        var record = AttemptRecord(
            number: 1, temperature: nil, maxTokens: 0, tokens: TokenUsage(), latencyS: 0, transportRetries: 0,
            stopReason: "provided", truncated: false, code: unit, issues: issues, passed: false,
            isolation: validators.isolation)
        record.kind = .plan
        record.step = 1
        record.enclosing = subject.enclosing?.text
        record.passed = !record.issues.contains { $0.severity.fails }
        record.failure = record.passed ? nil : FailureKind.classify(record.issues, truncated: false)
        await events.emit(.attemptFinished(record, of: atom.id, plan: planID))
        if record.passed {
            var result = AtomResult(id: atom.id, status: .passed, attempts: [record], code: unit)
            result.evidence = evidence(for: atom, plan: EvidencePlan(), agreement: nil, attempt: record.number)
            return result
        }
        let summary = record.failures.first?.message.firstLine ?? "validation failed"
        return AtomResult(
            id: atom.id, status: .failed, attempts: [record], code: unit,
            reason: "the code the plan provides does not pass its checks: \(summary)")
    }

    /// One model call within the bound on requests in flight.
    static func call(
        _ model: ModelClient, _ request: ModelRequest, slots: AsyncSemaphore, priority: Int
    ) async -> Result<ModelReply, ProviderError> {
        do {
            try await slots.acquire(priority: priority)
        } catch {
            return .failure(ProviderError(.cancelled, "cancelled while waiting for a request slot"))
        }
        let result: Result<ModelReply, ProviderError>
        do {
            let reply = try await model.complete(request)
            result = .success(reply)
        } catch {
            result = .failure(error)
        }
        await slots.release()
        return result
    }

    /// The failed attempt a `repair` or `escalate` step carries: of the latest step's attempts that were validated,
    /// the first whose failure is one the step repairs. Nil means the step draws a fresh sample.
    static func repairTarget(for step: LadderStep, after attempts: [AttemptRecord]) -> AttemptRecord? {
        guard step.kind != .sample else { return nil }
        let originals = attempts.filter { !$0.isDuplicate && !$0.passed }
        guard let latest = originals.last?.step else { return nil }
        return originals.first { $0.step == latest && $0.failure.map(step.repairOn.contains) == true }
    }

    /// The seed of attempt `number` of an atom: its own for every request, and the same on every run of the plan.
    package static func seed(atom: String, attempt number: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(atom)#\(number)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int(hash & 0x7fff_ffff)
    }

    /// What duplicates are told apart by: the normalised code, and whether the reply was cut off.
    static func key(of code: String, truncated: Bool, language: Language) -> String {
        normalized(code, language: language) + (truncated ? "\0cut" : "")
    }

    /// The code as duplicates are told apart: without blank lines, trailing spaces and comment lines.
    package static func normalized(_ code: String, language: Language) -> String {
        code.split(separator: "\n").compactMap { line -> String? in
            let trimmed = String(line).trimmingWhitespace()
            return trimmed.isEmpty || trimmed.hasPrefix(language.lineComment)
                ? nil : String(line.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
        }.joined(separator: "\n")
    }
}
