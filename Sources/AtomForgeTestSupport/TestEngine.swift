import AtomForge
import Logging

/// The engine put together for a test in one line: a generator over a scripted model and validator, a plan runner
/// with it, the plan written out as atoms.
public enum TestEngine {
    public static let silent = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A generator over `provider` with `validator`, the ladder `steps` (at most `maxAttempts` calls), and a token
    /// budget (`0`: none).
    public static func generator(
        _ provider: any ModelProvider, validator: ScriptedValidator = ScriptedValidator(),
        steps: [LadderStep] = [LadderStep(.sample, temperature: 0.2), LadderStep(.repair, temperature: 0.5)],
        maxAttempts: Int? = nil, budget: Int = 0, stop: StopSignal = StopSignal(), events: RunEvents = RunEvents()
    ) -> AtomGenerator {
        var generation = GenerationSettings()
        generation.ladder = steps
        generation.maxAttempts = maxAttempts ?? steps.reduce(0) { $0 + $1.candidates }
        let client = ModelClient(
            provider: provider, retryPolicy: RetryPolicy(maxRetries: 0), rateLimiter: RateLimiter(), logger: silent)
        return AtomGenerator(
            services: GeneratorServices(
                client: client, validators: ValidatorChain([validator]), validationSlots: AsyncSemaphore(permits: 4),
                logger: silent),
            plan: PlanGeneration(
                planID: "test", generation: generation, maxTokensCeiling: 1024, budget: TokenBudget(limit: budget),
                stop: stop, events: events))
    }

    /// A runner of `generator` with `workers` atoms at once.
    public static func runner(_ generator: AtomGenerator, workers: Int = 4) -> PlanRunner {
        PlanRunner(
            generator: generator, atomSlots: AsyncSemaphore(permits: workers),
            scheduler: Scheduler(maxInFlight: workers))
    }

    /// A Python atom that defines `id`, in `file`, after `dependencies`.
    public static func atom(_ id: String, file: String = "pkg/mod.py", after dependencies: [String] = []) -> Atom {
        Atom(
            id: id, name: id, description: "returns what \(id) returns", file: file, language: .named("python"),
            dependsOn: dependencies, tests: "assert \(id)() == 1")
    }
}
