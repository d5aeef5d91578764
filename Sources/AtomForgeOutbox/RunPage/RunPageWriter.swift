import AtomForgeModel
import AtomForgeSystem

/// Keeps a run's `index.html` up to date while the run goes on, without rewriting a large plan's page (megabytes)
/// for every atom.
///
/// A change schedules a write at most once per `interval`; with no change the page is still rewritten every
/// `heartbeat`, so that a page whose run died (a crash, `kill -9`) can tell by its age that nobody is writing it
/// any more. Writes happen one after the other, in order, so the last page written is always the newest; once the
/// run has finished, no scheduled write can replace the final page.
package actor RunPageWriter {
    private var page: RunPage
    private let path: String
    private let interval: Duration
    private let heartbeat: Duration
    private var lastWrite = ContinuousClock.now - .seconds(3600)
    /// The write waiting for its time, and that time.
    private var pending: (task: Task<Void, Never>, due: ContinuousClock.Instant)?
    /// The write in progress or last done: each write waits for the one before it.
    private var writing: Task<String?, Never>?
    private var finished = false
    /// Writes that failed (a full disk, say), as messages.
    package private(set) var errors: [String] = []

    package init(page: RunPage, path: String, interval: Duration = .seconds(2), heartbeat: Duration = .seconds(30)) {
        self.page = page
        self.path = path
        self.interval = interval
        self.heartbeat = heartbeat
    }

    /// Writes the page now, as the run starts.
    package func begin() async {
        await write(.running)
    }

    package func record(_ result: AtomResult) {
        page.record(result)
        schedule(after: interval)
    }

    func recordUnfinished(_ attempts: [AttemptRecord], of id: String) {
        page.recordUnfinished(attempts, of: id)
        schedule(after: interval)
    }

    /// The final page: what the run came to, written after any write still in progress.
    package func finish(_ state: RunPage.State, results: [String: AtomResult], verdict: RunPage.TreeVerdict? = nil)
        async
    {
        finished = true
        pending?.task.cancel()
        pending = nil
        for result in results.values where page.results[result.id] != result { page.record(result) }
        if let verdict { page.verdict = verdict }
        await write(state)
    }

    private func schedule(after delay: Duration) {
        guard !finished else { return }
        let due = max(lastWrite + delay, .now)
        if let pending, pending.due <= due { return }
        pending?.task.cancel()
        pending = (
            Task {
                try? await Task.sleep(until: due)
                await self.writeScheduled(due)
            }, due
        )
    }

    private func writeScheduled(_ due: ContinuousClock.Instant) async {
        // Replaced by a sooner write, or the run has finished.
        guard !finished, pending?.due == due else { return }
        pending = nil
        await write(.running)
    }

    private func write(_ state: RunPage.State) async {
        lastWrite = .now
        let pieces = page.pieces(state: state)
        let (path, previous) = (self.path, writing)
        let task = Task<String?, Never> {
            _ = await previous?.value
            do throws(OutboxError) {
                try await BlockingIO.run { () throws(OutboxError) in try AtomicFile.write(pieces: pieces, to: path) }
                return nil
            } catch {
                return error.description
            }
        }
        writing = task
        if let error = await task.value { errors.append(error) }
        if state == .running { schedule(after: heartbeat) }
    }
}
