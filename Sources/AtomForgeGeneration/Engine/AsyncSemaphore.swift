import HeapModule

/// A counting semaphore for async code: waiting suspends the task, never a thread.
///
/// Bounds the atoms in flight across every plan of the process, the model requests in flight and the validator runs.
/// Waiters are served highest priority first and, between equals, first come, first served: the engine passes an
/// atom's chain of dependents ahead, so that the critical path keeps the order the scheduler started it in while it
/// queues for a model slot or a validation slot. A cancelled waiter leaves the queue.
public actor AsyncSemaphore {
    private struct Waiter: Comparable {
        var priority: Int
        var id: UInt64

        /// Ordered so that the maximum is served next: a higher priority, or an earlier arrival.
        static func < (a: Waiter, b: Waiter) -> Bool {
            a.priority != b.priority ? a.priority < b.priority : a.id > b.id
        }
    }

    private var available: Int
    private var queue = Heap<Waiter>()
    private var continuations: [UInt64: CheckedContinuation<Void, any Error>] = [:]
    private var nextID: UInt64 = 0

    /// Tasks waiting for a permit now.
    public var waiting: Int { continuations.count }

    public init(permits: Int) {
        precondition(permits > 0, "a semaphore needs at least one permit")
        available = permits
    }

    /// Takes a permit, waiting for one if none is free, behind waiters of a higher `priority`. Throws
    /// `CancellationError` if cancelled while waiting.
    public func acquire(priority: Int = 0) async throws {
        if available > 0 {
            available -= 1
            return
        }
        nextID += 1
        let id = nextID
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    queue.insert(Waiter(priority: priority, id: id))
                    continuations[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Returns a permit, handing it straight to the next waiter if there is one.
    public func release() {
        // A cancelled waiter's entry stays in the heap (a heap cannot remove from the middle): skipped here.
        while let next = queue.popMax() {
            if let continuation = continuations.removeValue(forKey: next.id) {
                continuation.resume()
                return
            }
        }
        available += 1
    }

    /// Runs `body` holding a permit.
    public func withPermit<T: Sendable>(
        priority: Int = 0, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        try await acquire(priority: priority)
        defer { release() }
        return try await body()
    }

    private func cancelWaiter(_ id: UInt64) {
        continuations.removeValue(forKey: id)?.resume(throwing: CancellationError())
    }
}
