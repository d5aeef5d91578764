import AtomForgeModel

/// Why an atom's generation stopped before it could be called passed or failed: it is left unfinished, so a later
/// run (with a larger budget, after a restart, once the provider answers again) takes it up again.
public enum GenerationStop: Error, Sendable, Equatable {
    /// The plan's token budget ran out.
    case budget
    /// The run was asked to stop (SIGTERM, or the caller's task was cancelled).
    case cancelled
    /// The provider could not be reached, or refused the key or the model, after its transport retries: an outage,
    /// not a verdict on the atom. The text says what the provider answered.
    case unavailable(String)
    /// The run's results could not be written (a full disk, say): nothing more is asked of the model until they
    /// can be. The text names the file and the reason.
    case unwritable(String)

    /// How a run that ended on this stop is named to tools (`plan_finished`, the run page, `--output-format json`):
    /// interrupted when something outside it stopped it (the provider, the disk: it goes on once that is fixed),
    /// stopped when it was asked to (a budget, a shutdown).
    public var runStatus: RunStatus {
        switch self {
        case .unavailable, .unwritable: .interrupted
        case .budget, .cancelled: .stopped
        }
    }
}

/// A stop that came while an atom was being generated, with the attempts it had made by then: they were paid for,
/// so they are journaled and the next run goes on from them instead of asking again.
public struct GenerationInterruption: Error, Sendable {
    public var stop: GenerationStop
    /// Every attempt of the atom so far, earlier runs' included, and the ladder step to go on from.
    public var progress: EarlierAttempts

    public init(_ stop: GenerationStop, progress: EarlierAttempts) {
        self.stop = stop
        self.progress = progress
    }

    public var attempts: [AttemptRecord] { progress.attempts }
}

/// What an atom already has from an earlier run of its folder, and where its ladder goes on.
public struct EarlierAttempts: Sendable, Equatable, Codable {
    public var attempts: [AttemptRecord]
    /// The ladder step to go on from: the one after the last recorded, for an atom whose run was interrupted; 1 for
    /// a failed atom that is retried, which gets a whole new ladder (its attempts number on from the earlier ones).
    public var nextStep: Int
    /// Whether code the earlier attempts validated is taken at their verdict instead of validated again: yes
    /// within one ladder; no for a retry, which may run under other validators.
    public var reusesVerdicts: Bool

    public init(attempts: [AttemptRecord], nextStep: Int, reusesVerdicts: Bool) {
        self.attempts = attempts
        self.nextStep = nextStep
        self.reusesVerdicts = reusesVerdicts
    }

    /// An interrupted atom: the ladder goes on after its last recorded step.
    public static func resuming(_ attempts: [AttemptRecord]) -> EarlierAttempts {
        EarlierAttempts(attempts: attempts, nextStep: (attempts.last?.step ?? 0) + 1, reusesVerdicts: true)
    }

    /// A failed atom tried again: a new ladder.
    public static func retrying(_ attempts: [AttemptRecord]) -> EarlierAttempts {
        EarlierAttempts(attempts: attempts, nextStep: 1, reusesVerdicts: false)
    }
}
