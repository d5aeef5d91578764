import Foundation
import Glibc
import Synchronization
import SystemPackage

/// A plan's folder in the outbox, and the decision whether a run goes on with an earlier one or starts anew.
///
/// `outbox/<plan>/` holds one run. A run is finished once `summary.json` exists. Running a plan whose folder holds a
/// run of the same plan text goes on with it: an interrupted run is resumed from its journal, a finished one is
/// continued (its passed atoms kept, the others generated again). A run of a plan that has changed since, a folder
/// another process holds, or any folder when `fresh` is asked for, is left alone, and the new run gets
/// `outbox/<plan>-2/` (then `-3`, …): results are never overwritten.
///
/// A running plan holds an exclusive `flock` on the folder's `.lock`, so two processes never run one folder, and
/// the lock vanishes with the process that held it, so a crashed run can be resumed.
public final class RunFolder: Sendable {
    public let path: String
    /// What the journal of the earlier run in the folder holds; empty for a new run.
    public let earlier: Journal.State
    /// How this run relates to the one the folder held before.
    public let start: Start
    /// What a person should know about the choice made (resumed, started anew and why), if anything.
    public let note: String?
    /// The descriptor holding the folder's lock; -1 once released.
    private let lockDescriptor: Atomic<Int32>

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

    public var journal: Journal { Journal(path: path + "/journal.jsonl") }
    public var summaryPath: String { path + "/summary.json" }
    public var isFinished: Bool { Self.isFinished(at: path) }

    /// Whether the run in the folder at `path` finished: its `summary.json` is written last, and only by a run that
    /// finished (a stopped or interrupted one has none, so the next run resumes it).
    public static func isFinished(at path: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/summary.json")
    }

    private init(path: String, earlier: Journal.State, start: Start, note: String?, lockDescriptor: Int32) {
        self.path = path
        self.earlier = earlier
        self.start = start
        self.note = note
        self.lockDescriptor = Atomic(lockDescriptor)
    }

    deinit {
        release()
    }

    /// Lets the folder's lock go now, rather than when the last reference goes: another run (or the next try of
    /// this one) may take the folder.
    public func release() {
        let descriptor = lockDescriptor.exchange(-1, ordering: .acquiringAndReleasing)
        if descriptor >= 0 { close(descriptor) }
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
        for plan: Plan, source: Source, fileExtension: String, outbox: String, options: Options = Options()
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
                throw OutboxError("cannot create \(path): \(Errno.last.description)")
            }
            var held = lock(path)
            // Another process holds the folder and runs the same plan in it, or is about to place a plan in it (an
            // inbox claim of the same file is settled by awaitRacingClaim below).
            let isMove = if case .move = source { true } else { false }
            if held == nil, !created, !options.fresh,
                earlierPlanText(in: path) == source.text || (isEmptyClaim(path) && !isMove)
            {
                let busy = "plan \(plan.id) is being run by another process in \(path)"
                switch options.whenRunning {
                case .wait:
                    options.onWait?("waiting: \(busy); it goes on with what that run leaves (--no-wait refuses)")
                    held = try waitForLock(path, options: options)
                case .refuse:
                    throw OutboxError(busy + "; run it again when that has ended", busy: true)
                }
            }
            guard let lock = held ?? awaitRacingClaim(of: source, in: path) else {
                if case .move(let file, _) = source, !fileManager.fileExists(atPath: file) {
                    throw OutboxError("the plan \(file) was claimed by another process")
                }
                note = note ?? "\(path) is being run by another process"
                continue
            }
            let finished = isFinished(at: path)
            // Read again under the lock: the holder may have been writing it.
            switch Self.choose(
                created: created || isEmptyClaim(path), fresh: options.fresh,
                samePlan: earlierPlanText(in: path) == source.text, finished: finished, path: path)
            {
            case .fill:
                do {
                    try place(source, in: path, fileExtension: fileExtension)
                } catch {
                    close(lock)
                    unlink(path + "/.lock")
                    rmdir(path)
                    throw error
                }
                return RunFolder(path: path, earlier: Journal.State(), start: .new, note: note, lockDescriptor: lock)
            case .goOn(let start):
                try place(source, in: path, fileExtension: fileExtension)
                let earlier = Journal(path: path + "/journal.jsonl").readState()
                let passed = earlier.results.values.filter { $0.status == .passed }.count
                let said =
                    start == .continued
                    ? "continuing the finished run in \(path): its \(passed) passed atoms are kept, the others are "
                        + "generated again (--fresh starts over in a new folder)"
                    : "resuming the interrupted run in \(path): \(earlier.results.count) atoms already finished "
                        + "(\(passed) passed) are not generated again"
                return RunFolder(
                    path: path, earlier: earlier, start: start,
                    note: [note, said].compactMap { $0 }.joined(separator: "; "),
                    lockDescriptor: lock)
            case .next(let why):
                close(lock)
                note = note ?? why
            }
        }
        throw OutboxError("no free run folder for plan \(plan.id) in \(outbox)")
    }

    /// What to do with a candidate folder for a plan, once its lock is held.
    enum Choice: Equatable {
        /// It is new (or an empty claim): the plan goes in, and the run starts there.
        case fill
        /// It holds a run of the same plan text: the run goes on there (resumed if it was interrupted, continued if
        /// it finished).
        case goOn(Start)
        /// It holds something else, kept as it is: the next folder (`plan-2`, …) is tried; the reason is said once.
        case next(String)
    }

    /// The decision `prepare` makes for each candidate folder, with no file touched: a fresh folder is filled, the
    /// same plan text goes on (unless `--fresh`), anything else is kept and the next name tried.
    static func choose(created: Bool, fresh: Bool, samePlan: Bool, finished: Bool, path: String) -> Choice {
        if created { return .fill }
        if !fresh, samePlan { return .goOn(finished ? .continued : .resumed) }
        if fresh { return .next("starting over (--fresh): the run in \(path) is kept as it is") }
        return .next(
            finished
                ? "\(path) holds the results of a run of another plan text, kept as they are"
                : "the plan changed since the interrupted run in \(path), so it starts over; the earlier files are kept"
        )
    }

    /// Opens the run folder at `path` by name (`retry`, `accept`): locked, with the plan it holds and its journal.
    /// Waits while another process runs it, unless `wait` is false (the wait blocks a thread of its own, never one of
    /// Swift's cooperative pool).
    public static func open(
        _ path: String, wait: Bool, options: Options = Options()
    ) async throws(OutboxError) -> (folder: RunFolder, plan: Plan) {
        try await BlockingIO.run { () throws(OutboxError) in try openBlocking(path, wait: wait, options: options) }
    }

    private static func openBlocking(
        _ path: String, wait: Bool, options: Options
    ) throws(OutboxError) -> (folder: RunFolder, plan: Plan) {
        guard let text = earlierPlanText(in: path) else {
            throw OutboxError(
                "\(path) is not a run folder: it has no plan.yaml or plan.json (give the folder of a plan under the "
                    + "outbox, e.g. outbox/<plan>)")
        }
        let planFile =
            path + (FileManager.default.fileExists(atPath: path + "/plan.json") ? "/plan.json" : "/plan.yaml")
        // A plan without `plan:` took its id from the file it was dropped as; the folder is named after that id.
        let folderName = URL(fileURLWithPath: path).lastPathComponent
        let fallback = folderName.replacing(/-\d+$/, with: "")
        let check = PlanChecker.check(text: text, fallbackID: fallback)
        guard let plan = check.validPlan else {
            throw OutboxError(
                "the plan in \(planFile) is not valid: \(check.errors.first.map { "\($0)" } ?? "unreadable")")
        }
        var held = lock(path)
        if held == nil {
            let busy = "\(path) is being run by another process"
            guard wait else { throw OutboxError(busy + "; try again when it has finished", busy: true) }
            options.onWait?("waiting: \(busy) (--no-wait refuses)")
            held = try waitForLock(path, options: options)
        }
        guard let lock = held else {
            throw OutboxError("cannot lock \(path)/.lock: \(Errno.last.description)")
        }
        let earlier = Journal(path: path + "/journal.jsonl").readState()
        let finished = isFinished(at: path)
        return (
            RunFolder(
                path: path, earlier: earlier, start: finished ? .continued : .resumed, note: nil, lockDescriptor: lock),
            plan
        )
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
            // The inbox intake checks afterwards that the file moved is the one it read (PlanIntake.take).
            guard rename(from, target) == 0 else {
                if errno == ENOENT { throw OutboxError("the plan \(from) was claimed by another process") }
                throw OutboxError("cannot move \(from) to \(target): \(Errno.last.description)")
            }
        }
    }

    /// An exclusive `flock` on `path/.lock`, waiting for another process to let it go; nil if it cannot be opened.
    /// It polls, so that a shutdown (``Options/shouldStop``) ends the wait; it sleeps the calling thread between
    /// tries, so callers run it off Swift's cooperative pool.
    private static func waitForLock(_ path: String, options: Options) throws(OutboxError) -> Int32? {
        while true {
            if let descriptor = lock(path) { return descriptor }
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            if options.shouldStop?() == true {
                throw OutboxError("stopped while waiting for \(path), which another process is running")
            }
            usleep(100_000)
        }
    }

    /// An exclusive, non-blocking `flock` on `path/.lock`; nil when another process holds it.
    private static func lock(_ path: String) -> Int32? {
        let descriptor = Glibc.open(path + "/.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return nil }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        return descriptor
    }

    /// Marks a finished run as running again (`summary.json` goes; the end of the run writes it anew), so that a
    /// continued run that is interrupted is resumed like any other.
    public func reopen() throws(OutboxError) {
        guard unlink(summaryPath) == 0 || errno == ENOENT else {
            throw OutboxError("cannot remove \(summaryPath): \(Errno.last.description)")
        }
    }
}
