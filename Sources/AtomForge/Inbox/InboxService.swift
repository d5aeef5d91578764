import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The daemon's main service: watches the inbox, takes each plan dropped there, and runs the plans concurrently
/// on the shared engine (one worker bound, one rate limiter for all of them).
///
/// At start it resumes the unfinished runs in the outbox, then takes the files already in the inbox. On graceful
/// shutdown (SIGTERM, SIGINT) it stops taking files, lets the model calls in flight finish within `gracePeriod`
/// (no new atom or attempt starts), and returns once every plan has journaled what it finished; a plan cut short
/// is resumed at the next start.
public final class InboxService: Service {
    public let inbox: String
    public let outbox: String
    public let services: EngineServices
    public let gracePeriod: Duration
    private let logger: Logger
    private let makeEvents: @Sendable (String) throws -> (events: AsyncStream<InboxEvent>, stop: @Sendable () -> Void)

    public init(
        inbox: String, outbox: String, services: EngineServices, gracePeriod: Duration = .seconds(30),
        logger: Logger,
        events: (@Sendable (String) throws -> (events: AsyncStream<InboxEvent>, stop: @Sendable () -> Void))? = nil
    ) {
        self.inbox = inbox
        self.outbox = outbox
        self.services = services
        self.gracePeriod = gracePeriod
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
        let (events, stopEvents) = try makeEvents(inbox)
        logger.info("watching \(inbox); results go to \(outbox)")
        let stop = services.stop
        let gracePeriod = self.gracePeriod
        let running = RunningCount()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                func start(_ work: @escaping @Sendable () async -> Void) {
                    running.value.add(1, ordering: .relaxed)
                    group.addTask {
                        await work()
                        running.value.subtract(1, ordering: .relaxed)
                    }
                }
                for folder in unfinishedRuns() {
                    start { await self.resume(folder) }
                }
                for await event in events {
                    switch event {
                    case .file(let name):
                        if InboxFiles.isCandidate(name) { start { await self.take(name) } }
                    case .rescan(let reason):
                        if reason != "start" { logger.notice("rescanning the inbox: \(reason)") }
                        for name in InboxFiles.scan(inbox) { start { await self.take(name) } }
                    }
                }
                // Shutdown: the plans finish their calls in flight; when the grace period ends, what is left is
                // cancelled (and resumed at the next start).
                let left = running.value.load(ordering: .relaxed)
                if left > 0 {
                    logger.notice(
                        "stopping: waiting up to \(gracePeriod) for \(left) plan(s) to finish calls in flight")
                }
                let deadline = ContinuousClock.now + gracePeriod
                while running.value.load(ordering: .relaxed) > 0 {
                    if ContinuousClock.now >= deadline {
                        logger.warning("grace period over: cancelling the calls still in flight")
                        group.cancelAll()
                        break
                    }
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
        } onGracefulShutdown: {
            stop.request()
            stopEvents()
        }
        logger.info("stopped")
    }

    /// Takes one inbox file and, when it is a plan, runs it.
    private func take(_ name: String) async {
        var logger = logger
        logger[metadataKey: "file"] = "\(name)"
        let (path, outbox) = (inbox + "/" + name, self.outbox)
        switch await BlockingIO.run({ PlanIntake.take(path, outbox: outbox) }) {
        case .gone:
            break
        case .empty:
            logger.notice("left the empty file in the inbox; it is taken once it is written and closed")
        case .failed(let reason):
            logger.error("cannot take the plan, leaving it in the inbox: \(reason)")
        case .rejected(let path, let problems):
            logger.warning("rejected: \(problems.first ?? "invalid plan") — see \(path).error.txt")
        case .claimed(let plan, let folder):
            logger.info("claimed plan \(plan.id) into \(folder.path)")
            let outcome = await PlanJob.run(plan, in: folder, services: services)
            for message in outcome.messages { logger.info("\(message)") }
        }
    }

    /// Resumes an interrupted run found in the outbox at start.
    private func resume(_ folder: String) async {
        guard
            let planFile = ["yaml", "json"].map({ "\(folder)/plan.\($0)" }).first(
                where: FileManager.default.fileExists),
            let text = try? String(contentsOfFile: planFile, encoding: .utf8),
            let plan = PlanChecker.check(text: text, fallbackID: PlanChecker.planID(fromFileName: planFile)).validPlan,
            URL(fileURLWithPath: folder).lastPathComponent.hasPrefix(plan.id)
        else { return }
        let runFolder: RunFolder
        do {
            let (outbox, fileExtension) = (self.outbox, planFile.hasSuffix(".json") ? "json" : "yaml")
            runFolder = try await BlockingIO.run { () throws(OutboxError) in
                try RunFolder.prepare(
                    for: plan, source: .copy(text: text), fileExtension: fileExtension, outbox: outbox)
            }
        } catch {
            logger.error("cannot resume \(folder): \(error)")
            return
        }
        guard runFolder.path == folder else {
            runFolder.discardIfEmpty()
            return
        }
        let outcome = await PlanJob.run(plan, in: runFolder, services: services)
        for message in outcome.messages { logger.info("\(message)") }
    }

    /// Run folders in the outbox with a plan and no summary: runs that a crash or a shutdown interrupted.
    private func unfinishedRuns() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []
        return names.sorted().filter { !$0.hasPrefix("_") && !$0.hasPrefix(".") }.map { outbox + "/" + $0 }.filter {
            folder in
            !FileManager.default.fileExists(atPath: folder + "/summary.json")
                && RunFolder.earlierPlanText(in: folder) != nil
        }
    }
}

/// How many plan tasks are running; shared with the tasks themselves.
private final class RunningCount: Sendable {
    let value = Atomic<Int>(0)
}
