import AtomForgeModel
import AtomForgeSystem
import Foundation
import SystemPackage

/// A plan's folder in the outbox, held by this process through its lock. Which folder a run takes (new, resumed or
/// continued) is ``PlanClaim``'s to decide.
///
/// `outbox/<plan>/` holds one run. A run is finished once `summary.json` exists. Running a plan whose folder holds a
/// run of the same plan text goes on with it: an interrupted run is resumed from its journal, a finished one is
/// continued (its passed atoms kept, the others generated again). A run of a plan that has changed since, a folder
/// another process holds, or any folder when `fresh` is asked for, is left alone, and the new run gets
/// `outbox/<plan>-2/` (then `-3`, …): results are never overwritten.
///
/// A running plan holds an exclusive `flock` on the folder's `.lock`, so two processes never run one folder, and
/// the lock vanishes with the process that held it, so a crashed run can be resumed.
///
/// The folder is held open (``OutboxFolder``): every file of the run is written through ``root``, never through a
/// link, whatever happens to the folder's name while the run goes on.
public final class RunFolder: Sendable {
    /// The folder's name in the outbox, for what people read (messages, pages, suggested commands).
    public let path: String
    /// The folder itself, held open.
    public let folder: OutboxFolder
    /// The path file calls use: the held folder's (``OutboxFolder/root``).
    public var root: String { folder.root }
    /// What the journal of the earlier run in the folder holds; empty for a new run.
    public let earlier: Journal.State
    /// How this run relates to the one the folder held before.
    public let start: Start
    /// What a person should know about the choice made (resumed, started anew and why), if anything.
    public let note: String?
    /// The folder's lock, held until ``release()``.
    private let lock: FolderLock

    /// Results restored from the earlier run's journal; empty for a new run.
    public var restored: [String: AtomResult] { earlier.results }

    /// How a run relates to the one its folder held before.
    public enum Start: Sendable, Equatable {
        /// A new folder.
        case new
        /// An interrupted run of the same plan text: what it did not finish is done now.
        case resumed
        /// A finished run of the same plan text: its passed atoms are kept, and the caller decides which others
        /// are generated again (by default, all of them).
        case continued
    }

    /// How to pick the folder.
    public struct Options: Sendable {
        /// A new folder even when one holds a run of the same plan (`run --fresh`).
        public var fresh: Bool
        /// What to do when another process is running the same plan in the folder.
        public var whenRunning: WhenRunning
        /// Told once when a wait begins, with what is waited for.
        public var onWait: (@Sendable (String) -> Void)?
        /// Asked while waiting: true ends the wait (a shutdown).
        public var shouldStop: (@Sendable () -> Bool)?

        public init(
            fresh: Bool = false, whenRunning: WhenRunning = .refuse, onWait: (@Sendable (String) -> Void)? = nil,
            shouldStop: (@Sendable () -> Bool)? = nil
        ) {
            self.fresh = fresh
            self.whenRunning = whenRunning
            self.onWait = onWait
            self.shouldStop = shouldStop
        }
    }

    /// What a run does when another process is running the same plan: never generate it twice at once.
    public enum WhenRunning: Sendable {
        /// Wait for it to end, then go on with what it left (`run`).
        case wait
        /// Refuse with an error that says so and is marked busy (`run --no-wait`; the inbox, which takes the file
        /// again later).
        case refuse
    }

    public var journal: Journal { Journal(path: root + "/journal.jsonl") }
    public var summaryPath: String { root + "/summary.json" }
    public var isFinished: Bool { Self.isFinished(at: root) }

    /// Whether the run in the folder at `path` finished: its `summary.json` is written last, and only by a run that
    /// finished (a stopped or interrupted one has none, so the next run resumes it).
    public static func isFinished(at path: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/summary.json")
    }

    package init(folder: OutboxFolder, earlier: Journal.State, start: Start, note: String?, lock: FolderLock) {
        self.path = folder.path
        self.folder = folder
        self.earlier = earlier
        self.start = start
        self.note = note
        self.lock = lock
    }

    /// Lets the folder's lock go now, rather than when the last reference goes: another run (or the next try of
    /// this one) may take the folder.
    public func release() {
        lock.release()
    }

    /// The plan file a run folder holds (`plan.yaml` or `plan.json`), read once: its text and its format; nil when
    /// the folder holds none.
    public static func planFile(in path: String) -> (text: String, format: PlanFormat)? {
        for format in [PlanFormat.yaml, .json] {
            if let data = FileManager.default.contents(atPath: path + "/plan." + format.fileExtension) {
                return (String(decoding: data, as: UTF8.self), format)
            }
        }
        return nil
    }

    /// Whether the folder at `path` holds a plan, without reading it.
    public static func holdsPlan(at path: String) -> Bool {
        planFormat(in: path) != nil
    }

    /// The format of the plan file the folder at `path` holds, without reading it; nil when it holds none.
    public static func planFormat(in path: String) -> PlanFormat? {
        [PlanFormat.yaml, .json].first { FileManager.default.fileExists(atPath: path + "/plan." + $0.fileExtension) }
    }

    /// Marks a finished run as running again (`summary.json` goes; the end of the run writes it anew), so that a
    /// continued run that is interrupted is resumed like any other.
    public func reopen() throws(OutboxError) {
        do {
            try PathOperations.removeFile(summaryPath)
        } catch .noSuchFileOrDirectory {
        } catch {
            throw OutboxError("cannot remove \(summaryPath): \(error.description)")
        }
    }
}
