import AtomForgeGeneration

extension RunEnding {
    /// The exit code of a job that ended this way (docs/outbox.md): 0 every atom passed, 1 some failed or were
    /// blocked (or the job was stopped, or another process held the run), 2 the plan or config is invalid, 3 a budget
    /// stopped it, 4 the provider or the disk failed it (kept, unfinished, to go on with later). The one place an
    /// ending becomes a number: the commands, the `plan_finished` event and an accept file's result all say this one.
    public func exitCode(passed: Bool) -> Int32 {
        switch self {
        case .finished: passed ? 0 : 1
        case .shutdown, .busy: 1
        case .invalid: 2
        case .budget: 3
        case .outage, .unwritable: 4
        }
    }

    /// Whether something outside the run stopped it (the provider, the disk): the daemon keeps such a run and tries
    /// it again later, where a run that ended any other way is done with.
    public var isOutage: Bool { self == .outage || self == .unwritable }
}
