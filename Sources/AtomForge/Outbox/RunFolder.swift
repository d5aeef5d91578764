import Foundation
import Glibc

/// A plan's folder in the outbox, and the decision whether a run continues an interrupted one or starts anew.
///
/// `outbox/<plan>/` holds one run. A run is finished once `summary.json` exists. Running a plan whose folder holds an
/// unfinished run of the same plan text resumes it from the journal. Anything else — a finished run, an interrupted
/// run of a plan that has changed since, or a run another process holds — is left alone, and the new run gets
/// `outbox/<plan>-2/` (then `-3`, …): results are never overwritten.
///
/// A running plan holds an exclusive `flock` on the folder's `.lock`, so two processes never run one folder, and
/// the lock vanishes with the process that held it, so a crashed run can be resumed.
public final class RunFolder: Sendable {
    public let path: String
    /// Results restored from an interrupted run's journal; empty for a new run.
    public let restored: [String: AtomResult]
    /// What a person should know about the choice made (resumed, started anew and why), if anything.
    public let note: String?
    private let lockDescriptor: Int32

    public var journal: Journal { Journal(path: path + "/journal.jsonl") }
    public var summaryPath: String { path + "/summary.json" }
    public var isFinished: Bool { FileManager.default.fileExists(atPath: summaryPath) }

    private init(path: String, restored: [String: AtomResult], note: String?, lockDescriptor: Int32) {
        self.path = path
        self.restored = restored
        self.note = note
        self.lockDescriptor = lockDescriptor
    }

    deinit {
        close(lockDescriptor)
    }

    /// Where the plan file comes from.
    public enum Source: Sendable {
        /// A file the user keeps (`atomforge run`): its text is copied into the folder.
        case copy(text: String)
        /// A file claimed from the inbox: it is renamed into the folder, so it is never in two places and never lost.
        case move(path: String, text: String)

        var text: String {
            switch self {
            case .copy(let text), .move(_, let text): text
            }
        }
    }

    /// Picks, locks and fills the folder for `plan`; `fileExtension` names the plan file inside it.
    public static func prepare(
        for plan: Plan, source: Source, fileExtension: String, outbox: String
    ) throws(OutboxError) -> RunFolder {
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(atPath: outbox, withIntermediateDirectories: true)
        } catch {
            throw OutboxError("cannot create the outbox \(outbox): \(error.localizedDescription)")
        }
        var note: String?
        for suffix in 1...10_000 {
            let path = outbox + "/" + plan.id + (suffix == 1 ? "" : "-\(suffix)")
            let created = mkdir(path, 0o755) == 0
            if !created && errno != EEXIST {
                throw OutboxError("cannot create \(path): \(String(cString: strerror(errno)))")
            }
            guard let lock = lock(path) ?? awaitRacingClaim(of: source, in: path) else {
                if case .move(let file, _) = source, !fileManager.fileExists(atPath: file) {
                    throw OutboxError("the plan \(file) was claimed by another process")
                }
                note = note ?? "\(path) is being run by another process"
                continue
            }
            if created || isEmptyClaim(path) {
                do {
                    try place(source, in: path, fileExtension: fileExtension)
                } catch {
                    close(lock)
                    unlink(path + "/.lock")
                    rmdir(path)
                    throw error
                }
                return RunFolder(path: path, restored: [:], note: note, lockDescriptor: lock)
            }
            let finished = fileManager.fileExists(atPath: path + "/summary.json")
            if !finished, earlierPlanText(in: path) == source.text {
                try place(source, in: path, fileExtension: fileExtension)
                let restored = Journal(path: path + "/journal.jsonl").read()
                let passed = restored.values.filter { $0.status == .passed }.count
                let resumed =
                    "resuming the interrupted run in \(path): \(restored.count) atoms already finished "
                    + "(\(passed) passed) are not generated again"
                return RunFolder(
                    path: path, restored: restored, note: [note, resumed].compactMap { $0 }.joined(separator: "; "),
                    lockDescriptor: lock)
            }
            close(lock)
            note =
                note
                ?? (finished
                    ? "\(path) holds the results of an earlier run, kept as they are"
                    : "the plan changed since the interrupted run in \(path), so it starts over; "
                        + "the earlier files are kept")
        }
        throw OutboxError("no free run folder for plan \(plan.id) in \(outbox)")
    }

    /// Another process holds `path` but has not put a plan in it yet: it is claiming a plan at this moment, most
    /// likely the same inbox file. Rather than race it into the next folder, wait (briefly) to see how its claim
    /// ends: the file gone means it won, and this claim stops; the lock free again means it gave up, and the
    /// folder is ours.
    private static func awaitRacingClaim(of source: Source, in path: String) -> Int32? {
        guard case .move(let file, _) = source else { return nil }
        for _ in 0..<400 {
            guard isEmptyClaim(path) else { return nil }
            if !FileManager.default.fileExists(atPath: file) { return nil }
            if let descriptor = lock(path) { return descriptor }
            usleep(5_000)
        }
        return nil
    }

    /// The plan text of an earlier run in `path`, if any.
    static func earlierPlanText(in path: String) -> String? {
        ["yaml", "json"].lazy.compactMap { FileManager.default.contents(atPath: path + "/plan.\($0)") }.first
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// True for a folder that holds only its lock file: a claim that lost its race, or a crash right after `mkdir`.
    private static func isEmptyClaim(_ path: String) -> Bool {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).allSatisfy { $0 == ".lock" }
    }

    private static func place(_ source: Source, in path: String, fileExtension: String) throws(OutboxError) {
        let target = path + "/plan.\(fileExtension)"
        switch source {
        case .copy(let text):
            try AtomicFile.write(text, to: target)
        case .move(let from, _):
            guard rename(from, target) == 0 else {
                if errno == ENOENT { throw OutboxError("the plan \(from) was claimed by another process") }
                throw OutboxError("cannot move \(from) to \(target): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// An exclusive, non-blocking `flock` on `path/.lock`; nil when another process holds it.
    private static func lock(_ path: String) -> Int32? {
        let descriptor = open(path + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return nil }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    /// Removes a folder whose claim failed, if nothing but its lock is in it.
    public func discardIfEmpty() {
        if Self.isEmptyClaim(path) {
            unlink(path + "/.lock")
            rmdir(path)
        }
    }
}
