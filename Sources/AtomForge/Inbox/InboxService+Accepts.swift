import AtomForgeGeneration
import AtomForgeOutbox
import AtomForgeSystem
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// A person's code handed in through the inbox, checked as `atomforge accept` checks it.
extension InboxService {
    /// A person's code from the inbox, checked and recorded as `atomforge accept` does; what came of it is written
    /// beside the file.
    func accept(_ file: AcceptFile, run: String, path: String) async {
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

    /// Fixes moved into a run's `accepted/` that have no result beside them: a stop or a crash came between the
    /// move and the check. They are checked now.
    func pendingAccepts() -> [(file: String, run: String)] {
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

    func acceptPending(_ path: String, run: String) async {
        switch AcceptFile.read(path) {
        case .success(let file):
            logger.info("checking the fix \(path), taken before the last stop")
            await accept(file, run: run, path: path)
        case .failure(let error):
            logger.warning("cannot read \(path): \(error)")
        }
    }
}
