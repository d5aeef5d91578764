import AtomForgeGeneration
import AtomForgeOutbox
import AtomForgeSystem
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Taking files from the inbox: one take at a time per name, a plan claimed and run, anything else moved to
/// `_rejected/`, and what is said of a file left in the inbox said once.
extension InboxService {
    /// Moves an entry whose name is not UTF-8 to `_rejected/`, saying why.
    func refuse(_ nameBytes: [UInt8]) async {
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
    func take(_ name: String, rescan: Bool, taken: () -> Void) async {
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
    func claimName(_ name: String) -> Bool {
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
    func isNews(_ text: String, about name: String, rescan: Bool) -> Bool {
        leftInInbox.withLock { said in
            defer { said[name] = text }
            return !rescan || said[name] != text
        }
    }
}
