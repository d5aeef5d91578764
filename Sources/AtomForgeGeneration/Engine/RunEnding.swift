/// How a run ended, as a value a script switches on: `summary.json`'s and the JSON result's `ending`, and
/// `plan_finished`'s. The status says what the run came to (passed, failed, stopped, interrupted); this says why.
public enum RunEnding: String, Sendable, Codable, Equatable, CaseIterable {
    /// Every atom was generated to a verdict (passed, failed or blocked).
    case finished
    /// The plan's token budget ran out (`budget.tokens_per_plan`); a larger one continues it.
    case budget
    /// It was asked to stop (SIGTERM, Ctrl-C, a service shutting down); running the plan again continues it.
    case shutdown
    /// The provider did not serve the requests after its retries (down, a key or model it refused).
    case outage
    /// The run's results could not be written (a full disk, permissions).
    case unwritable
    /// The plan or the config was refused before any model call: nothing ran.
    case invalid
    /// Another process was running the plan, and the command was told not to wait (`--no-wait`): nothing ran.
    case busy

    /// The ending of a run that stopped on `stop`, or finished when there was none.
    public init(_ stop: GenerationStop?) {
        switch stop {
        case nil: self = .finished
        case .budget?: self = .budget
        case .cancelled?: self = .shutdown
        case .unavailable?: self = .outage
        case .unwritable?: self = .unwritable
        }
    }
}
