import AtomForgeGeneration
import AtomForgeOutbox
import AtomForgeSystem
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The daemon's main service: watches the inbox, takes each plan dropped there, and runs the plans concurrently
/// on the shared engine (one worker bound, one rate limiter for all of them).
///
/// At start it resumes the unfinished runs in the outbox, then takes the files already in the inbox. It learns of
/// new plans by inotify, by rescanning the inbox where inotify is blind, or both (``InboxWatch``), and sweeps the
/// outbox every `paths.sweep_interval_s` for unfinished runs that no process holds (a dead host's, or one killed
/// with `kill -9`), which it resumes: a run's lock makes each taken once across daemons. On graceful
/// shutdown (SIGTERM, SIGINT) it stops taking files, lets the model calls in flight finish (no new atom or attempt
/// starts), and returns once every plan has journaled what it finished. How long they may take is the service
/// group's to say (`maximumGracefulShutdownDuration`): when it is over, the group cancels this service, and the
/// calls still in flight with it; a plan cut short is resumed at the next start.
public final class InboxService: Service {
    public let inbox: String
    public let outbox: String
    public let services: EngineServices
    /// The first wait before a plan is tried again when the provider could not be reached; each further try waits
    /// twice as long, up to ``longestOutageDelay``.
    public let outageDelay: Duration
    public static let longestOutageDelay = Duration.seconds(300)
    let logger: Logger
    /// Hears the daemon's turning points: the inbox is watched (it is ready), a shutdown began.
    let onPhase: @Sendable (Phase) -> Void
    let makeEvents: @Sendable (String) throws -> (events: AsyncStream<InboxEvent>, stop: @Sendable () -> Void)
    let chosenWatch: InboxWatch?
    /// The time between two sweeps of the outbox; nil: only at start.
    public let sweepInterval: Duration?
    /// Inbox files being taken (read and claimed, not run), so that a rescan does not start on one twice; true
    /// when another event came for it meanwhile: it is taken once more when the take ends.
    let taking = Mutex<[String: Bool]>([:])
    /// Run folders this process runs or waits on (an outage), counted, which a sweep leaves to it.
    let handling = Mutex<[String: Int]>([:])
    /// What was last said of a file left in the inbox, so that each rescan does not say it again.
    let leftInInbox = Mutex<[String: String]>([:])

    public init(
        inbox: String, outbox: String, services: EngineServices,
        outageDelay: Duration = .seconds(5), logger: Logger, onPhase: @escaping @Sendable (Phase) -> Void = { _ in },
        watch: InboxWatch? = nil,
        events: (@Sendable (String) throws -> (events: AsyncStream<InboxEvent>, stop: @Sendable () -> Void))? = nil
    ) {
        self.onPhase = onPhase
        self.chosenWatch = watch
        let sweep = services.config.paths.sweepIntervalSeconds
        self.sweepInterval = sweep > 0 ? .seconds(sweep) : nil
        self.inbox = inbox
        self.outbox = outbox
        self.services = services
        self.outageDelay = outageDelay
        self.logger = logger
        self.makeEvents =
            events ?? { directory in
                let watcher = try InotifyWatcher(directory: directory)
                return (watcher.events(), { watcher.stop() })
            }
    }

    public func run() async throws {
        for folder in [inbox, outbox] {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw InboxError("cannot create \(folder): \(error.localizedDescription)")
            }
        }
        let watch = chosenWatch ?? InboxWatch.choose(for: inbox, settings: services.config.paths)
        let (events, stopEvents) = try mergedEvents(watch)
        defer { stopEvents() }  // also when the group is cancelled rather than shut down
        logger.info("watching \(inbox) (\(watch): \(watch.reason)); results go to \(outbox)")
        if let kind = FileSystemKind.of(outbox), let warning = OutboxSharing.warning(outbox: outbox, kind: kind) {
            logger.warning("\(warning)")
        }
        onPhase(.watching)
        // The service group's grace is over when this task is cancelled during a shutdown.
        let (logger, stop) = (self.logger, services.stop)
        await withTaskCancellationHandler {
            await watching(events, stopEvents: stopEvents, running: RunningCount())
        } onCancel: {
            if stop.isRequested {
                logger.warning("the shutdown's grace period is over: cancelling the calls still in flight")
            }
        }
        logger.info("stopped")
    }

    /// Takes what the events bring until a graceful shutdown ends them, then waits for the plans under way.
    private func watching(
        _ events: AsyncStream<InboxEvent>, stopEvents: @escaping @Sendable () -> Void, running: RunningCount
    ) async {
        let (onPhase, stop) = (self.onPhase, services.stop)
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                func start(_ work: @escaping @Sendable () async -> Void) {
                    running.value.add(1, ordering: .relaxed)
                    group.addTask {
                        await work()
                        // The last plan done, and no other for a second: what the burst freed goes back to the
                        // system (not between the plans of a burst, where it would only be taken again).
                        if running.value.subtract(1, ordering: .relaxed).newValue == 0, !Task.isShuttingDownGracefully {
                            try? await Task.sleep(for: .seconds(1))
                            if !Task.isCancelled, running.value.load(ordering: .relaxed) == 0 {
                                await BlockingIO.run { FreedMemory.giveBack() }
                            }
                        }
                    }
                }
                for folder in unfinishedRuns() {
                    start { await self.resume(folder) }
                }
                for (file, run) in pendingAccepts() {
                    start { await self.acceptPending(file, run: run) }
                }
                func take(_ name: String, rescan: Bool) {
                    guard claimName(name) else { return }
                    start {
                        // The name is free again once the file is claimed or left: the plan's run does not hold
                        // it, and an event that came during the take means one more take after it (unless another
                        // take has the name by then: it sees the file as it is).
                        var rescan = rescan
                        while true {
                            var again = false
                            await self.take(name, rescan: rescan) {
                                again = self.taking.withLock { $0.removeValue(forKey: name) } == true
                            }
                            guard again, self.claimName(name) else { break }
                            rescan = false
                        }
                    }
                }
                for await event in events {
                    switch event {
                    case .file(let name):
                        if InboxFiles.isCandidate(name) { take(name, rescan: false) }
                    case .undecodableName(let bytes):
                        if bytes.first != UInt8(ascii: ".") { start { await self.refuse(bytes) } }
                    case .rescan(let reason):
                        let polled = reason == .poll
                        if reason.isNotable { logger.notice("rescanning the inbox: \(reason)") }
                        let listing = await BlockingIO.run { [inbox] in InboxFiles.scan(inbox) }
                        for name in listing.names { take(name, rescan: polled) }
                        for bytes in listing.undecodable { start { await self.refuse(bytes) } }
                    case .sweep:
                        // Files left in the inbox are looked at again: an empty one that stayed empty is rejected.
                        for name in self.leftInInbox.withLock({ Array($0.keys) }) { take(name, rescan: true) }
                        // Runs a process was cut short in (its progress still says running): one that stopped
                        // by itself (a budget, a shutdown, an outage) is resumed at a start, or by its own retries.
                        let candidates = await BlockingIO.run { self.unfinishedRuns().filter(Self.wasCutShort) }
                        for folder in candidates where mark(folder) {
                            start {
                                await self.resume(folder, sweeping: true)
                                self.unmark(folder)
                            }
                        }
                    }
                }
                // Shutdown: the group ends when the plans have finished their calls in flight. When the service
                // group's grace is over, it cancels this task and, with it, the calls still in flight.
                let left = running.value.load(ordering: .relaxed)
                if left > 0 { logger.notice("stopping: \(left) plan(s) finishing their calls in flight") }
            }
        } onGracefulShutdown: {
            onPhase(.stopping(plans: running.value.load(ordering: .relaxed)))
            stop.request()
            stopEvents()
        }
    }

    /// A turning point of the daemon, for the service manager.
    public enum Phase: Sendable, Equatable {
        /// The inbox is watched: plans dropped from now on are taken.
        case watching
        /// A shutdown began, with this many plans (or fixes) finishing their calls in flight.
        case stopping(plans: Int)
    }
}

/// How many plan tasks are running; shared with the tasks themselves.
final class RunningCount: Sendable {
    let value = Atomic<Int>(0)
}
