import AtomForge

/// Hears a run's results in memory, in the order they came: what a test asserts on instead of an outbox.
public actor MemoryRecorder: RunRecorder {
    public private(set) var results: [String: AtomResult] = [:]
    /// Atom ids in the order their results came.
    public private(set) var order: [String] = []
    /// Atoms a stop cut short, with their attempts.
    public private(set) var unfinished: [String: EarlierAttempts] = [:]

    public init() {}

    public func record(_ result: AtomResult, of atom: Atom) async {
        results[atom.id] = result
        order.append(atom.id)
    }

    public func recordUnfinished(_ progress: EarlierAttempts, of atom: Atom) async {
        unfinished[atom.id] = progress
    }
}

/// Keeps nothing: for runs whose results only the outcome needs to carry (the benchmark's).
public struct DiscardingRecorder: RunRecorder {
    public init() {}

    public func record(_ result: AtomResult, of atom: Atom) async {}
}
