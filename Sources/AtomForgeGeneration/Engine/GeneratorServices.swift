import AtomForgeModel
import Logging

/// What the generators of every plan in a process share: the models, the validators, what parses a reply into the
/// atom's unit, the slots that bound model calls and validator runs across plans, and the probe the vote runs
/// candidates with. Built once from the configuration (the jobs' ``EngineServices``), or by a test with fakes.
public struct GeneratorServices: Sendable {
    public var client: ModelClient
    /// Where `escalate` steps go; nil when none is configured (such steps then use ``client``).
    public var escalation: ModelClient?
    public var validators: ValidatorChain
    public var extractor: UnitExtractor
    /// Bounds validator runs across the process (the machine's cores), apart from the model calls.
    public var validationSlots: AsyncSemaphore
    /// Bounds model requests in flight across the process (`execution.max_requests`), candidates included.
    public var requestSlots: AsyncSemaphore
    /// Runs candidates on inputs for the vote between them; nil: no vote (and no examples parsed beforehand).
    public var probe: BehaviourProbe?
    public var logger: Logger

    public init(
        client: ModelClient, escalation: ModelClient? = nil, validators: ValidatorChain,
        extractor: UnitExtractor = UnitExtractor(runner: nil), validationSlots: AsyncSemaphore,
        requestSlots: AsyncSemaphore = AsyncSemaphore(permits: 64), probe: BehaviourProbe? = nil, logger: Logger
    ) {
        self.client = client
        self.escalation = escalation
        self.validators = validators
        self.extractor = extractor
        self.validationSlots = validationSlots
        self.requestSlots = requestSlots
        self.probe = probe
        self.logger = logger
    }
}

/// What one plan's generator works under: the plan's ladder and token ceilings, the evidence it asks for, its
/// budget and stop, and who hears its events.
public struct PlanGeneration: Sendable {
    public var planID: String
    public var generation: GenerationSettings
    public var maxTokensCeiling: Int
    /// The ceiling of `escalate` steps (`escalation.provider.max_tokens`); nil means ``maxTokensCeiling``.
    public var escalationMaxTokensCeiling: Int?
    /// Where evidence beyond the plan's tests comes from (`evidence:`).
    public var evidence: EvidenceSettings
    /// The least evidence an atom passes on (`validation.require`).
    public var require: EvidenceLevel
    public var budget: TokenBudget
    public var stop: StopSignal
    /// Hears each atom and attempt start and each attempt end (``RunEvent``).
    public var events: RunEvents

    public init(
        planID: String = "", generation: GenerationSettings, maxTokensCeiling: Int,
        escalationMaxTokensCeiling: Int? = nil, evidence: EvidenceSettings = EvidenceSettings(),
        require: EvidenceLevel = .parsed, budget: TokenBudget, stop: StopSignal = StopSignal(),
        events: RunEvents = RunEvents()
    ) {
        self.planID = planID
        self.generation = generation
        self.maxTokensCeiling = maxTokensCeiling
        self.escalationMaxTokensCeiling = escalationMaxTokensCeiling
        self.evidence = evidence
        self.require = require
        self.budget = budget
        self.stop = stop
        self.events = events
    }
}
