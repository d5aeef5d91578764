/// How a run of a plan ended, as `summary.json`, `plan_finished` and `--output-format json` name it.
public enum RunStatus: String, Sendable, Codable, Equatable {
    /// Every atom passed.
    case passed
    /// It finished, and some atoms failed or were blocked: they are for review.
    case failed
    /// It was asked to stop before the end (a budget, a shutdown); running the plan again continues it.
    case stopped
    /// Something outside it stopped it (the provider, a disk it could not write); it goes on once that is fixed.
    case interrupted
}
