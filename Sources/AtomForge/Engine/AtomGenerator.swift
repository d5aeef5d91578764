import Logging

/// The attempt loop of one atom: generate, extract, validate; on failure try again with the errors and the previous
/// code, at the next temperature, up to `generation.max_attempts`.
///
/// Transport retries happen inside ``ModelClient`` and never use up an attempt. A reply cut off by `max_tokens` is a
/// failed attempt with that reason, and the next one may use the whole configured ceiling.
public struct AtomGenerator: Sendable {
    public let client: ModelClient
    public let validators: ValidatorChain
    public let generation: GenerationSettings
    public let maxTokensCeiling: Int
    /// False when the provider must not be sent a temperature.
    public let sampling: Bool
    /// Bounds validator runs across the process (the machine's cores), apart from the model calls.
    public let validationSlots: AsyncSemaphore
    let budget: TokenBudget
    let stop: StopSignal
    let logger: Logger
    private let prompts = PromptBuilder()

    public init(
        client: ModelClient, validators: ValidatorChain, generation: GenerationSettings, maxTokensCeiling: Int,
        sampling: Bool, validationSlots: AsyncSemaphore, budget: TokenBudget, stop: StopSignal = StopSignal(),
        logger: Logger
    ) {
        self.client = client
        self.validators = validators
        self.generation = generation
        self.maxTokensCeiling = maxTokensCeiling
        self.sampling = sampling
        self.validationSlots = validationSlots
        self.budget = budget
        self.stop = stop
        self.logger = logger
    }

    public func generate(_ atom: Atom, context: AttemptContext) async throws(GenerationStop) -> AtomResult {
        var attempts: [AttemptRecord] = []
        let dependencyCode = context.allDependencies.map(\.code)
        let dependencyImports = context.allDependencies.flatMap(\.atom.imports)
        for number in 1...generation.maxAttempts {
            if Task.isCancelled || stop.isRequested { throw .cancelled }
            if await budget.isExhausted { throw .budget }
            let previous = attempts.last
            let temperature = sampling ? generation.temperature(forAttempt: number) : nil
            let maxTokens = prompts.maxTokens(
                for: atom, ceiling: maxTokensCeiling, afterTruncation: previous?.truncated == true)
            let request = ModelRequest(
                system: prompts.system(for: atom),
                prompt: prompts.prompt(for: atom, attempt: number, context: context, previous: previous),
                maxTokens: maxTokens, temperature: temperature)
            let reply: ModelReply
            do {
                reply = try await client.complete(request)
            } catch {
                if error.code == .cancelled { throw .cancelled }
                logger.warning("model call failed", metadata: ["atom": "\(atom.id)", "error": "\(error)"])
                return AtomResult(
                    id: atom.id, status: .failed, attempts: attempts, code: attempts.last?.code,
                    reason: "the model could not be reached: \(error)")
            }
            await budget.charge(reply.usage)
            let code = CodeExtractor.extract(from: reply.text, language: atom.language)
            var issues: [ValidationIssue]
            if reply.isTruncated {
                issues = [
                    ValidationIssue(
                        .error, "the reply was cut off at max_tokens (\(maxTokens)) before the code was complete",
                        validator: "reply")
                ]
            } else {
                let subject = ValidationSubject(
                    atom: atom, code: code, dependencyCode: dependencyCode, dependencyImports: dependencyImports)
                do {
                    issues = try await validationSlots.withPermit { await validators.validate(subject) }
                } catch {
                    throw .cancelled
                }
            }
            let passed = !issues.contains { $0.severity.fails }
            attempts.append(
                AttemptRecord(
                    number: number, temperature: temperature, maxTokens: maxTokens, tokens: reply.usage,
                    latencyS: reply.latency.seconds, transportRetries: reply.transportRetries,
                    stopReason: reply.stopReason, truncated: reply.isTruncated, code: code, issues: issues,
                    passed: passed, isolation: reply.isTruncated ? nil : validators.isolation))
            logger.info(
                "attempt \(number) of \(atom.id): \(passed ? "passed" : "failed")",
                metadata: ["tokens": "\(reply.usage.input)+\(reply.usage.output)"])
            if passed {
                return AtomResult(id: atom.id, status: .passed, attempts: attempts, code: code)
            }
        }
        let last = attempts.last
        let summary = last?.failures.first?.message.split(separator: "\n").first.map(String.init) ?? "validation failed"
        return AtomResult(
            id: atom.id, status: .failed, attempts: attempts, code: last?.code,
            reason: "failed \(attempts.count) attempt\(attempts.count == 1 ? "" : "s"); last: \(summary)")
    }
}

extension Duration {
    /// The duration in seconds, as reports state it.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
