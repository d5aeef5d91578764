import AtomForgeGeneration
import AtomForgeOutbox
import AtomForgeSystem
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Where the inbox's events come from: inotify, the rescans, the sweeps, merged into one stream.
extension InboxService {
    /// The events of `watch`: inotify's (through `makeEvents`) or a start rescan, the rescans at its interval, and
    /// the sweeps of the outbox; and what ends them.
    func mergedEvents(_ watch: InboxWatch) throws -> (AsyncStream<InboxEvent>, @Sendable () -> Void) {
        let (events, continuation) = AsyncStream.makeStream(of: InboxEvent.self, bufferingPolicy: .unbounded)
        var tasks: [Task<Void, Never>] = []
        var stops: [@Sendable () -> Void] = []
        if watch.inotify {
            let (source, stop) = try makeEvents(inbox)
            stops.append(stop)
            tasks.append(
                Task {
                    for await event in source { continuation.yield(event) }
                    continuation.finish()  // the watch ended: so does the daemon, as before
                })
        } else {
            continuation.yield(.rescan(.start))
        }
        for (interval, event) in [
            (watch.pollInterval, InboxEvent.rescan(.poll)), (sweepInterval, .sweep),
        ] {
            guard let interval else { continue }
            tasks.append(
                Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        if !Task.isCancelled { continuation.yield(event) }
                    }
                })
        }
        let (running, stopSources) = (tasks, stops)
        return (
            events,
            {
                for stop in stopSources { stop() }
                for task in running { task.cancel() }
                continuation.finish()
            }
        )
    }
}
