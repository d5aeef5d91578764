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
    private let logger: Logger
    /// Hears the daemon's turning points: the inbox is watched (it is ready), a shutdown began.
    private let onPhase: @Sendable (Phase) -> Void
    private let makeEvents: @Sendable (String) throws -> (events: AsyncStream<InboxEvent>, stop: @Sendable () -> Void)
    private let chosenWatch: InboxWatch?
    /// The time between two sweeps of the outbox; nil: only at start.
    public let sweepInterval: Duration?
    /// Inbox files being taken (read and claimed, not run), so that a rescan does not start on one twice; true
    /// when another event came for it meanwhile: it is taken once more when the take ends.
    private let taking = Mutex<[String: Bool]>([:])
    /// Run folders this process runs or waits on (an outage), counted, which a sweep leaves to it.
    private let handling = Mutex<[String: Int]>([:])
    /// What was last said of a file left in the inbox, so that each rescan does not say it again.
    private let leftInInbox = Mutex<[String: String]>([:])

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

    /// Moves an entry whose name is not UTF-8 to `_rejected/`, saying why.
    private func refuse(_ nameBytes: [UInt8]) async {
        let (inbox, outbox) = (self.inbox, self.outbox)
        var logger = logger
        logger[metadataKey: "file"] = "\(PlanIntake.escapedName(nameBytes))"
        switch await BlockingIO.run({ PlanIntake.rejectUndecodable(nameBytes, inbox: inbox, outbox: outbox) }) {
        case .rejected(let path, let problems):
            logger.warning("rejected: \(problems.first ?? "a name that is not UTF-8") — see \(path).error.txt")
        case .failed(let reason):
            logger.error("cannot move the file out of the inbox: \(reason)")
        default:
            break
        }
    }

    /// Takes one inbox file and, when it is a plan, runs it. A plan whose run is busy in another process (or this
    /// one) is taken when that run ends.
    /// `taken`: called once the file is claimed or left in the inbox, before the plan runs.
    private func take(_ name: String, rescan: Bool, taken: () -> Void) async {
        var logger = logger
        logger[metadataKey: "file"] = "\(name)"
        let (path, outbox, emptyGrace) = (inbox + "/" + name, self.outbox, services.config.paths.emptyGraceSeconds)
        var intake = await BlockingIO.run({ PlanIntake.take(path, outbox: outbox, emptyGrace: emptyGrace) })
        if case .busy(let reason) = intake {
            logger.notice("\(reason); the file stays in the inbox and is taken when that run ends")
        }
        while case .busy = intake {
            guard await pause(for: .milliseconds(500)) else {
                taken()
                return
            }
            intake = await BlockingIO.run({ PlanIntake.take(path, outbox: outbox, emptyGrace: emptyGrace) })
        }
        taken()
        switch intake {
        case .empty, .failed: break
        default: _ = leftInInbox.withLock { $0.removeValue(forKey: name) }
        }
        switch intake {
        case .busy:
            break
        case .gone:
            break
        case .empty:
            let text = "left the empty file in the inbox; it is taken once it is written and closed"
            if isNews(text, about: name, rescan: rescan) { logger.notice("\(text)") }
        case .failed(let reason):
            let text = "cannot take the plan, leaving it in the inbox: \(reason)"
            if isNews(text, about: name, rescan: rescan) { logger.error("\(text)") }
        case .rejected(let path, let problems):
            logger.warning("rejected: \(problems.first ?? "invalid plan") — see \(path).error.txt")
        case .accept(let file, let run, let path):
            logger.info("taken: a person's code for atom \(file.atom) of \(run), kept as \(path)")
            await accept(file, run: run, path: path)
        case .claimed(let plan, let folder):
            logger.info("claimed plan \(plan.id) into \(folder.path)")
            await handlingRun(folder.path) {
                let outcome = await PlanJob.run(plan, in: folder, services: services)
                for message in outcome.messages { logger.info("\(message)") }
                folder.release()  // the next try takes the lock again
                await keepTrying(folder.path, after: outcome)
            }
        }
    }

    /// Marks the inbox file `name` as being taken; false when a take has it already (which then takes it once more).
    private func claimName(_ name: String) -> Bool {
        taking.withLock { taking in
            guard taking[name] == nil else {
                taking[name] = true
                return false
            }
            taking[name] = false
            return true
        }
    }

    /// Whether `text` about the file `name` left in the inbox is worth saying: always after an event, after a rescan
    /// only when it is not what was last said of it.
    private func isNews(_ text: String, about name: String, rescan: Bool) -> Bool {
        leftInInbox.withLock { said in
            defer { said[name] = text }
            return !rescan || said[name] != text
        }
    }

    /// Runs `body` with `folder` marked as this process's, so that a sweep leaves it alone.
    private func handlingRun(_ folder: String, _ body: () async -> Void) async {
        handling.withLock { $0[folder, default: 0] += 1 }
        await body()
        unmark(folder)
    }

    /// Marks `folder` as this process's if nothing here handles it yet; false if something does.
    private func mark(_ folder: String) -> Bool {
        handling.withLock { handling in
            guard handling[folder, default: 0] == 0 else { return false }
            handling[folder] = 1
            return true
        }
    }

    private func unmark(_ folder: String) {
        handling.withLock { handling in
            let left = handling[folder, default: 1] - 1
            handling[folder] = left > 0 ? left : nil
        }
    }

    /// Whether the run in `folder` was cut short by its process's end (`kill -9`, a dead host): its
    /// `progress.json` still says `running`, or there is none. A run that stopped by itself says `stopped`.
    static func wasCutShort(_ folder: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: folder + "/progress.json") else { return true }
        let state = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["state"] as? String
        return state == nil || state == "running"
    }

    /// The events of `watch`: inotify's (through `makeEvents`) or a start rescan, the rescans at its interval, and
    /// the sweeps of the outbox; and what ends them.
    private func mergedEvents(_ watch: InboxWatch) throws -> (AsyncStream<InboxEvent>, @Sendable () -> Void) {
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

    /// A person's code from the inbox, checked and recorded as `atomforge accept` does; what came of it is written
    /// beside the file.
    private func accept(_ file: AcceptFile, run: String, path: String) async {
        var lines: [String]
        var outage: String?
        var result = AcceptResult(
            atom: file.atom, accepted: false, exitCode: Int(RunEnding.invalid.exitCode(passed: false)))
        do {
            let stop = services.stop
            let logger = self.logger
            let opened = try await PlanClaim.claim(
                .runFolder(run), outbox: outbox,
                options: RunFolder.Options(
                    whenRunning: .wait, onWait: { logger.notice("\($0)") }, shouldStop: { stop.isRequested })
            ).get()
            let outcome = await AcceptJob.accept(
                atom: file.atom, code: file.code.trimmingCharacters(in: .newlines), from: path, plan: opened.plan,
                in: opened.folder, services: services)
            opened.folder.release()
            lines = outcome.messages
            outage = outcome.outage
            (result.accepted, result.exitCode) = (outcome.accepted, Int(outcome.exitCode))
        } catch {
            lines = ["not accepted: \(error)"]
        }
        result.messages = lines
        for line in lines { logger.info("\(line)") }
        do {
            let text = lines.joined(separator: "\n") + "\n"
            let json = OutboxJSON.encode(result)
            // Through the run folder held open: never through a link put where it was.
            try await BlockingIO.run { () throws(OutboxError) in
                let held = try OutboxFolder.open(run)
                try withExtendedLifetime(held) { () throws(OutboxError) in
                    let name = held.root + "/" + path.dropFirst(run.count + 1)
                    // The same for a script, written first: the text marks the fix as handled.
                    try AtomicFile.write(json, to: name + ".result.json")
                    try AtomicFile.write(text, to: name + ".result.txt")
                }
            }
        } catch {
            logger.error("cannot write \(path).result.txt: \(error)")
        }
        if let outage {
            await keepTrying(run, after: PlanJob.Outcome(ending: .outage, folder: run, messages: [], outage: outage))
        }
    }

    /// While the provider cannot be reached, the run in `folder` is kept and tried again after a growing delay,
    /// each try logged, until the provider answers or the daemon stops (the run is then resumed at the next start).
    private func keepTrying(_ folder: String, after first: PlanJob.Outcome?) async {
        var outcome = first
        var delay = outageDelay
        var tries = 1
        while let last = outcome, last.ending.isOutage {
            let (reason, wait) = (last.outage ?? "no answer", Self.format(delay))
            let text = "\(reason); \(folder) is kept unfinished and tried again in \(wait) (try \(tries + 1))"
            logger.warning("\(text)")
            guard await pause(for: delay) else { return }
            tries += 1
            delay = min(delay * 2, Self.longestOutageDelay)
            switch await resumeOnce(folder) {
            case .ran(let next): outcome = next
            // Another process has the run now (a person's `retry`, say): look again after the next delay.
            case .busy: continue
            case .notInterrupted: return
            }
        }
    }

    /// Sleeps for `duration` unless the daemon stops first; false if it does.
    private func pause(for duration: Duration) async -> Bool {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            if services.stop.isRequested || Task.isCancelled { return false }
            try? await Task.sleep(for: min(.milliseconds(100), deadline - ContinuousClock.now))
        }
        return !services.stop.isRequested
    }

    private static func format(_ delay: Duration) -> String {
        String(format: delay < .seconds(10) ? "%.1f s" : "%.0f s", delay.seconds)
    }

    /// Resumes an interrupted run found in the outbox at start or by a sweep (`sweeping`: one that another process
    /// holds is not worth a line in the log).
    private func resume(_ folder: String, sweeping: Bool = false) async {
        await handlingRun(folder) {
            if case .ran(let outcome) = await resumeOnce(folder, sweeping: sweeping) {
                await keepTrying(folder, after: outcome)
            }
        }
    }

    /// What trying an interrupted run again came to.
    private enum Resumption {
        case ran(PlanJob.Outcome)
        /// Another process is running it.
        case busy
        /// It is finished (or holds no valid plan): nothing to resume.
        case notInterrupted
    }

    /// Runs an interrupted run's plan once more, in its own folder.
    /// `sweeping`: found by a sweep, so one that another process holds is not worth a line, one taken over is.
    private func resumeOnce(_ folder: String, sweeping: Bool = false) async -> Resumption {
        guard !RunFolder.isFinished(at: folder) else { return .notInterrupted }
        let opened: PlanClaim.Claimed
        switch await PlanClaim.claim(.runFolder(folder), outbox: outbox) {
        case .success(let claimed):
            opened = claimed
        case .failure(let failure):
            if sweeping && failure.isBusy {
                logger.debug("not resuming \(folder): \(failure)")
            } else {
                logger.notice("not resuming \(folder) now: \(failure)")
            }
            return failure.isBusy ? .busy : .notInterrupted
        }
        // Under the lock: another process may have finished it in the meantime.
        guard !opened.folder.isFinished else {
            opened.folder.release()
            return .notInterrupted
        }
        if sweeping { logger.notice("taking over the unfinished run \(folder): no process holds it") }
        let outcome = await PlanJob.run(opened.plan, in: opened.folder, services: services)
        opened.folder.release()
        for message in outcome.messages { logger.info("\(message)") }
        return .ran(outcome)
    }

    /// Fixes moved into a run's `accepted/` that have no result beside them: a stop or a crash came between the
    /// move and the check. They are checked now.
    private func pendingAccepts() -> [(file: String, run: String)] {
        let fileManager = FileManager.default
        let runs = ((try? fileManager.contentsOfDirectory(atPath: outbox)) ?? []).filter {
            !$0.hasPrefix("_") && !$0.hasPrefix(".")
        }
        return runs.sorted().flatMap { run -> [(file: String, run: String)] in
            let folder = outbox + "/" + run + "/accepted"
            let names = (try? fileManager.contentsOfDirectory(atPath: folder)) ?? []
            return names.sorted().filter { AcceptFile.matches($0) && !names.contains($0 + ".result.txt") }.map {
                (folder + "/" + $0, outbox + "/" + run)
            }
        }
    }

    private func acceptPending(_ path: String, run: String) async {
        switch AcceptFile.read(path) {
        case .success(let file):
            logger.info("checking the fix \(path), taken before the last stop")
            await accept(file, run: run, path: path)
        case .failure(let error):
            logger.warning("cannot read \(path): \(error)")
        }
    }

    /// Run folders in the outbox with a plan and no summary: runs that a crash or a shutdown interrupted.
    private func unfinishedRuns() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []
        return names.sorted().filter { !$0.hasPrefix("_") && !$0.hasPrefix(".") }.map { outbox + "/" + $0 }.filter {
            folder in
            !RunFolder.isFinished(at: folder) && RunFolder.holdsPlan(at: folder)
        }
    }
}

/// How many plan tasks are running; shared with the tasks themselves.
private final class RunningCount: Sendable {
    let value = Atomic<Int>(0)
}
