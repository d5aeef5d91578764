import Synchronization

/// A request to stop starting new work: set on graceful shutdown (SIGTERM, SIGINT).
///
/// The scheduler starts no new atom once it is set, and an atom in progress makes no new attempt; the calls already
/// in flight finish and are journaled, so the next start resumes where this one stopped.
public final class StopSignal: Sendable {
    private let requested = Atomic<Bool>(false)
    /// A stop of a wider scope (the process's shutdown) that stops this one too.
    private let parent: StopSignal?

    public init(parent: StopSignal? = nil) {
        self.parent = parent
    }

    public func request() {
        requested.store(true, ordering: .relaxed)
    }

    /// Set by this signal's own request or by its parent's.
    public var isRequested: Bool { requested.load(ordering: .relaxed) || parent?.isRequested == true }
}
