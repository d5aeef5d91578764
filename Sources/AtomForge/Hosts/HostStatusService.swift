import AtomForgeSystem
import Logging
import ServiceLifecycle

/// Keeps this daemon's ``HostStatus`` file fresh while it runs, and removes it once the daemon has stopped. Listed
/// first in the service group, it is shut down last: the file says `stopping` while plans finish their calls (and
/// is removed when the shutdown's grace is over and the group cancels everything, this service too).
public struct HostStatusService: Service {
    let status: HostStatus
    let logger: Logger

    public init(status: HostStatus, logger: Logger) {
        self.status = status
        self.logger = logger
    }

    public func run() async {
        let (status, logger) = (self.status, self.logger)
        // A write at each interval and at each change of state, one at a time.
        let (ticks, tick) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    while !Task.isCancelled {
                        tick.yield()
                        try? await Task.sleep(for: status.interval)
                    }
                    tick.finish()
                }
                group.addTask {
                    for await _ in status.changes { tick.yield() }
                }
                var failing = false
                for await _ in ticks {
                    do {
                        try await BlockingIO.run { () throws(OutboxError) in try status.write() }
                        failing = false
                    } catch {
                        // Once per spell of failures: the outbox may be away for a while (a network file system).
                        if !failing { logger.warning("cannot write the host status \(status.path): \(error)") }
                        failing = true
                    }
                }
                group.cancelAll()
            }
        }
        await BlockingIO.run { status.remove() }
    }
}
