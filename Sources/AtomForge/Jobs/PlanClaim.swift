import AtomForgeModel
import AtomForgeOutbox
import AtomForgeSystem
import Foundation
import SystemPackage

/// The one path from a plan's origin to a locked run folder: read the plan once, check it, pick its folder (new,
/// resumed or continued, by ``FolderChoice``), put the plan in, and hand back the plan, its text and its format.
/// `atomforge run`, the inbox, `retry`, `accept` and the daemon's resumption of an interrupted run all start here;
/// ``PlanJob/run(_:in:services:retry:)`` takes it from there.
///
/// It blocks (the files, and a wait for another process's lock sleep a thread): the `async` form runs it off
/// Swift's cooperative pool.
public enum PlanClaim {
    /// A checked plan in the run folder this process now holds.
    public struct Claimed: Sendable {
        public var plan: Plan
        /// The plan's text, as read once and as the folder keeps it.
        public var text: String
        public var format: PlanFormat
        public var folder: RunFolder
    }

    public static func claim(
        _ origin: PlanOrigin, outbox: String, options: RunFolder.Options = RunFolder.Options()
    ) async -> Result<Claimed, ClaimFailure> {
        await BlockingIO.run { claimBlocking(origin, outbox: outbox, options: options) }
    }

    /// ``claim(_:outbox:options:)`` on the calling thread, for callers already off the cooperative pool (the inbox
    /// intake).
    static func claimBlocking(
        _ origin: PlanOrigin, outbox: String, options: RunFolder.Options
    ) -> Result<Claimed, ClaimFailure> {
        switch origin {
        case .file(let path):
            let check = PlanChecker.check(fileAt: path)
            return claim(check, file: path, format: PlanFormat(fileName: path), placing: .copy, outbox: outbox, options)
        case .inbox(let file):
            let name = URL(fileURLWithPath: file.path).lastPathComponent
            // No suite files by path: the inbox takes every entry as a plan, so no test file can wait beside one.
            let check = PlanChecker.check(
                contents: file.contents.bytes, fallbackID: PlanChecker.planID(fromFileName: name))
            return claim(
                check, file: name, format: PlanFormat(fileName: name), placing: .move(file), outbox: outbox, options)
        case .runFolder(let path):
            return Result { () throws(ClaimFailure) in try open(path, options: options) }
        }
    }

    /// The folder for a plan given as a value, with its text copied in (benchmarks, which make plans in memory).
    public static func folder(
        for plan: Plan, text: String, format: PlanFormat = .yaml, outbox: String
    ) throws(OutboxError) -> RunFolder {
        try folder(for: plan, text: text, format: format, placing: .copy, outbox: outbox, options: RunFolder.Options())
    }

    /// How the plan file gets into its folder.
    enum Placing {
        /// Its text is written there: the user keeps the original.
        case copy
        /// The inbox file is renamed there.
        case move(InboxFile)
    }

    private static func claim(
        _ check: PlanCheck, file: String, format: PlanFormat, placing: Placing, outbox: String,
        _ options: RunFolder.Options
    ) -> Result<Claimed, ClaimFailure> {
        guard let plan = check.validPlan, let text = check.text else { return .failure(.invalid(check, file: file)) }
        do {
            let folder = try folder(
                for: plan, text: text, format: format, placing: placing, outbox: outbox, options: options)
            try keepSuiteFiles(of: plan, in: folder.root)
            // A run that goes on keeps its folder's plan file, whichever format the new copy came in.
            let kept = folder.start == .new ? format : RunFolder.planFormat(in: folder.root) ?? format
            return .success(Claimed(plan: plan, text: text, format: kept, folder: folder))
        } catch {
            return .failure(.folder(error))
        }
    }

    /// Picks, locks and fills the folder for `plan`. Each candidate's plan text is read once under its lock (and,
    /// while another process holds it, once more to tell whether that process runs the same plan).
    private static func folder(
        for plan: Plan, text: String, format: PlanFormat, placing: Placing, outbox: String, options: RunFolder.Options
    ) throws(OutboxError) -> RunFolder {
        do {
            try FileManager.default.createDirectory(atPath: outbox, withIntermediateDirectories: true)
        } catch {
            throw OutboxError("cannot create the outbox \(outbox): \(error.localizedDescription)")
        }
        var note: String?
        for suffix in 1...10_000 {
            let path = outbox + "/" + plan.id + (suffix == 1 ? "" : "-\(suffix)")
            let created: Bool
            do {
                created = try PathOperations.makeFolderIfMissing(path)
            } catch {
                throw OutboxError("cannot create \(path): \(error.description)")
            }
            // Held open from here on, and every file of it reached through `root`: never through a link.
            let folder = try OutboxFolder.open(path)
            // Open until this try ends, at least: `root` names its descriptor.
            defer { withExtendedLifetime(folder) {} }
            let root = folder.root
            var held = try FolderLock.take(in: folder)
            if held == nil {
                let isInboxClaim = if case .move = placing { true } else { false }
                let sameRun = FolderChoice.isSameRun(
                    created: created, fresh: options.fresh, samePlan: RunFolder.planFile(in: root)?.text == text,
                    emptyClaim: isEmptyClaim(root), claimingInboxFile: isInboxClaim)
                if sameRun {
                    let busy = "plan \(plan.id) is being run by another process in \(path)"
                    switch options.whenRunning {
                    case .wait:
                        options.onWait?("waiting: \(busy); it goes on with what that run leaves (--no-wait refuses)")
                        held = try FolderLock.wait(in: folder, shouldStop: options.shouldStop)
                    case .refuse:
                        throw OutboxError(busy + "; run it again when that has ended", busy: true)
                    }
                } else {
                    held = awaitRacingClaim(of: placing, in: folder)
                }
            }
            guard let lock = held else {
                if case .move(let file) = placing, !FileManager.default.fileExists(atPath: file.path) {
                    throw OutboxError("the plan \(file.path) was claimed by another process")
                }
                note = note ?? "\(path) is being run by another process"
                continue
            }
            // Under the lock, once: the holder may have been writing it.
            let earlierPlan = RunFolder.planFile(in: root)
            let choice = FolderChoice.choose(
                created: created || isEmptyClaim(root), fresh: options.fresh, samePlan: earlierPlan?.text == text,
                finished: RunFolder.isFinished(at: root), path: path)
            switch choice {
            case .fill:
                do {
                    try place(placing, text: text, at: root + "/plan." + format.fileExtension)
                } catch {
                    lock.release()
                    folder.removeEntry(named: ".lock")
                    try? PathOperations.removeEmptyFolder(path)
                    throw error
                }
                return RunFolder(
                    folder: folder, earlier: Journal.State(), start: .new, note: note, lock: lock)
            case .goOn(let start):
                // The folder holds this text already: a copy is not written again; an inbox file still leaves the
                // inbox, over the folder's plan file of the same text.
                if case .move = placing, let earlierPlan {
                    do {
                        try place(placing, text: text, at: root + "/plan." + earlierPlan.format.fileExtension)
                    } catch {
                        lock.release()
                        throw error
                    }
                }
                let earlier = Journal(path: root + "/journal.jsonl").readState()
                let passed = earlier.results.values.filter { $0.status == .passed }.count
                let said =
                    start == .continued
                    ? "continuing the finished run in \(path): its \(passed) passed atoms are kept, the others are "
                        + "generated again (--fresh starts over in a new folder)"
                    : "resuming the interrupted run in \(path): \(earlier.results.count) atoms already finished "
                        + "(\(passed) passed) are not generated again"
                return RunFolder(
                    folder: folder, earlier: earlier, start: start,
                    note: [note, said].compactMap { $0 }.joined(separator: "; "), lock: lock)
            case .next(let why):
                lock.release()
                note = note ?? why
            }
        }
        throw OutboxError("no free run folder for plan \(plan.id) in \(outbox)")
    }

    /// The suite files `plan` names by path, copied under the run folder's `suite/`, where a resumed run, `retry`
    /// and `accept` read them: the run does not depend on the plan's folder once it is claimed.
    static func keepSuiteFiles(of plan: Plan, in folder: String) throws(OutboxError) {
        for file in plan.suite {
            guard let path = file.path else { continue }
            // AtomicFile, not Foundation's atomic write, which leaves a folder of its own behind in /tmp each time.
            try AtomicFile.write(file.code, to: folder + "/suite/" + path)
        }
    }

    /// The run folder at `path` (`retry`, `accept`, a resumption): locked, with the plan it holds and its journal.
    private static func open(_ path: String, options: RunFolder.Options) throws(ClaimFailure) -> Claimed {
        let folder: OutboxFolder
        do {
            folder = try OutboxFolder.open(path)
        } catch {
            throw .folder(error)
        }
        defer { withExtendedLifetime(folder) {} }
        let root = folder.root
        guard let file = RunFolder.planFile(in: root) else {
            throw .folder(
                OutboxError(
                    "\(path) is not a run folder: it has no plan.yaml or plan.json (give the folder of a plan under "
                        + "the outbox, e.g. outbox/<plan>)"))
        }
        // A plan without `plan:` took its id from the file it was dropped as; the folder is named after that id.
        let fallback = URL(fileURLWithPath: path).lastPathComponent.replacing(/-\d+$/, with: "")
        // Suite files the plan names by path were copied into the folder when it was claimed.
        let check = PlanChecker.check(text: file.text, fallbackID: fallback, suiteBase: root + "/suite")
        guard let plan = check.validPlan else {
            throw .invalid(check, file: path + "/plan." + file.format.fileExtension)
        }
        var held: FolderLock?
        do {
            held = try FolderLock.take(in: folder)
        } catch {
            throw .folder(error)
        }
        if held == nil {
            let busy = "\(path) is being run by another process"
            switch options.whenRunning {
            case .refuse:
                throw .folder(OutboxError(busy + "; try again when it has finished", busy: true))
            case .wait:
                options.onWait?("waiting: \(busy) (--no-wait refuses)")
                do {
                    held = try FolderLock.wait(in: folder, shouldStop: options.shouldStop)
                } catch {
                    throw .folder(error)
                }
            }
        }
        guard let lock = held else {
            throw .folder(OutboxError("cannot lock \(path)/.lock: it went away, or cannot be opened"))
        }
        let earlier = Journal(path: root + "/journal.jsonl").readState()
        let start: RunFolder.Start = RunFolder.isFinished(at: root) ? .continued : .resumed
        return Claimed(
            plan: plan, text: file.text, format: file.format,
            folder: RunFolder(folder: folder, earlier: earlier, start: start, note: nil, lock: lock))
    }

    /// Another process holds `path` but has not put a plan in it yet: it is claiming a plan at this moment, most
    /// likely the same inbox file. Rather than race it into the next folder, wait (briefly) to see how its claim
    /// ends: the file gone means it won, and this claim stops; the lock free again means it gave up, and the
    /// folder is ours.
    private static func awaitRacingClaim(of placing: Placing, in folder: OutboxFolder) -> FolderLock? {
        guard case .move(let file) = placing else { return nil }
        for _ in 0..<400 {
            guard isEmptyClaim(folder.root) else { return nil }
            if !FileManager.default.fileExists(atPath: file.path) { return nil }
            if let lock = try? FolderLock.take(in: folder) { return lock }
            ThreadSleep.sleep(.milliseconds(5))
        }
        return nil
    }

    /// True for a folder that holds only its lock file: a claim that lost its race, or a crash right after `mkdir`.
    private static func isEmptyClaim(_ path: String) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).allSatisfy { $0 == ".lock" }
    }

    private static func place(_ placing: Placing, text: String, at target: String) throws(OutboxError) {
        switch placing {
        case .copy:
            try AtomicFile.write(text, to: target)
        case .move(let file):
            do {
                try PathOperations.rename(file.path, to: target)
            } catch .noSuchFileOrDirectory {
                throw OutboxError("the plan \(file.path) was claimed by another process")
            } catch {
                throw OutboxError("cannot move \(file.path) to \(target): \(error.description)")
            }
            // Moved by name: if another file took the name after it was read, the folder keeps what was checked.
            if InboxEntry.identity(at: target) != file.contents.identity { try AtomicFile.write(text, to: target) }
        }
    }
}
