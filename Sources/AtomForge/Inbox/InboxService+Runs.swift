import AtomForgeGeneration
import AtomForgeOutbox
import AtomForgeSystem
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// The runs this daemon handles, and the interrupted ones it resumes: at start, and when a sweep finds one that
/// no process holds.
extension InboxService {
    /// Runs `body` with `folder` marked as this process's, so that a sweep leaves it alone.
    func handlingRun(_ folder: String, _ body: () async -> Void) async {
        handling.withLock { $0[folder, default: 0] += 1 }
        await body()
        unmark(folder)
    }

    /// Marks `folder` as this process's if nothing here handles it yet; false if something does.
    func mark(_ folder: String) -> Bool {
        handling.withLock { handling in
            guard handling[folder, default: 0] == 0 else { return false }
            handling[folder] = 1
            return true
        }
    }

    func unmark(_ folder: String) {
        handling.withLock { handling in
            let left = handling[folder, default: 1] - 1
            handling[folder] = left > 0 ? left : nil
        }
    }

    /// Whether the run in `folder` was cut short by its process's end (`kill -9`, a dead host): its
    /// `progress.json` still says `running`, or there is none. A run that stopped by itself says `stopped`.
    static func wasCutShort(_ folder: String) -> Bool {
        switch RunProgress.recordedState(inFolder: folder) {
        case .none, .known(.running): true
        case .known, .unknown: false
        }
    }

    /// Resumes an interrupted run found in the outbox at start or by a sweep (`sweeping`: one that another process
    /// holds is not worth a line in the log).
    func resume(_ folder: String, sweeping: Bool = false) async {
        await handlingRun(folder) {
            if case .ran(let outcome) = await resumeOnce(folder, sweeping: sweeping) {
                await keepTrying(folder, after: outcome)
            }
        }
    }

    /// What trying an interrupted run again came to.
    enum Resumption {
        case ran(PlanJob.Outcome)
        /// Another process is running it.
        case busy
        /// It is finished (or holds no valid plan): nothing to resume.
        case notInterrupted
    }

    /// Runs an interrupted run's plan once more, in its own folder.
    /// `sweeping`: found by a sweep, so one that another process holds is not worth a line, one taken over is.
    func resumeOnce(_ folder: String, sweeping: Bool = false) async -> Resumption {
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

    /// Run folders in the outbox with a plan and no summary: runs that a crash or a shutdown interrupted.
    func unfinishedRuns() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []
        return names.sorted().filter { !$0.hasPrefix("_") && !$0.hasPrefix(".") }.map { outbox + "/" + $0 }.filter {
            folder in
            !RunFolder.isFinished(at: folder) && RunFolder.holdsPlan(at: folder)
        }
    }
}
