import AtomForgeGeneration
import AtomForgeModel
import AtomForgeSystem
import Foundation

/// The runs of an outbox as `atomforge status` shows them: each run folder's state, counts and what is in flight,
/// read from the files a run keeps up to date (`progress.json`, `summary.json`, `run.json`) and from who holds its
/// lock. Only read: looking never changes a run, nor waits for one.
public enum RunListing {
    /// One run folder, as it stands.
    public struct Run: Sendable, Equatable, Encodable {
        /// `running` (a process holds its lock), `finished` (it has its summary), `stopped` (a budget, a shutdown or
        /// an outage stopped it: running the plan again continues it), `interrupted` (the process running it is gone
        /// without a word: a kill, a crash, a power cut; running the plan again resumes it) or `new` (nothing
        /// generated yet).
        public enum State: String, Sendable, Encodable {
            case running, finished, stopped, interrupted, new
        }

        public var folder: String
        public var plan: String
        public var state: State
        /// For a finished run: `passed` or `failed`, as its summary says.
        public var status: String?
        /// Why it ended (``RunEnding``), where that is known.
        public var ending: String?
        public var total: Int
        public var passed: Int
        public var failed: Int
        public var blocked: Int
        /// Atoms being generated now, with their attempt.
        public var inFlight: [RunProgress.Atom]
        /// The process running it.
        public var pid: Int32?
        public var model: String?
        public var updatedAt: String?
        public var estimatedRemainingS: Double?

        public var done: Int { passed + failed + blocked }
    }

    /// The run in the folder at `path`; nil when it is not a run folder (it holds no plan) or cannot be opened.
    public static func run(at path: String) -> Run? {
        guard let folder = try? OutboxFolder.open(path) else { return nil }
        let root = folder.root
        guard RunFolder.planFormat(in: root) != nil else { return nil }
        let progress = FileManager.default.contents(atPath: root + "/progress.json").flatMap {
            try? OutboxJSON.decoder.decode(RunProgress.self, from: $0)
        }
        let summary = FileManager.default.contents(atPath: root + "/summary.json").flatMap {
            try? JSONSerialization.jsonObject(with: $0) as? [String: Any]
        }
        let pid = FileLockHolder.pid(holding: root + "/.lock")
        let id =
            progress?.plan ?? (summary?["plan"] as? String)
            ?? PlanChecker.planID(fromFileName: (path as NSString).lastPathComponent)
        var run = Run(
            folder: path, plan: id, state: .new, total: progress?.total ?? 0, passed: progress?.passed ?? 0,
            failed: progress?.failed ?? 0, blocked: progress?.blocked ?? 0, inFlight: progress?.inFlight ?? [],
            pid: pid, model: RunRecord.read(at: root)?.jobs.last?.model, updatedAt: progress?.updatedAt,
            estimatedRemainingS: progress?.estimatedRemainingS)
        if let counts = summary?["counts"] as? [String: Int], progress == nil {
            (run.passed, run.failed, run.blocked) = (
                counts["passed"] ?? 0, counts["failed"] ?? 0, counts["blocked"] ?? 0
            )
            run.total = run.done + (counts["unfinished"] ?? 0)
        }
        if pid != nil {
            run.state = .running
        } else if let summary {
            run.state = .finished
            run.status = summary["status"] as? String
            run.ending = summary["ending"] as? String ?? RunEnding.finished.rawValue
            run.inFlight = []
        } else if let progress {
            run.state = progress.state == .stopped ? .stopped : .interrupted
            run.ending = progress.ending
            run.inFlight = []
        }
        if run.state != .running { run.estimatedRemainingS = nil }
        return run
    }

    /// Every run folder of the outbox at `path`, by name; its own folders (`_rejected`, `_server`, …) left out.
    public static func runs(inOutbox path: String) -> [Run] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().filter { !$0.hasPrefix("_") && !$0.hasPrefix(".") }.compactMap {
            run(at: path + "/" + $0)
        }
    }

    /// The code of each atom that passed in the run folder at `path`, by id (from its journal); nil when it is not a
    /// run folder or cannot be opened.
    public static func passedCode(inRunFolder path: String) -> [String: String]? {
        guard let folder = try? OutboxFolder.open(path), RunFolder.planFormat(in: folder.root) != nil else {
            return nil
        }
        let state = Journal(path: folder.root + "/journal.jsonl").readState()
        return state.results.filter { $0.value.status == .passed }.compactMapValues(\.code)
    }

    /// Whether `path` is a run folder (it holds a plan) rather than an outbox of them.
    public static func isRunFolder(_ path: String) -> Bool {
        RunFolder.holdsPlan(at: path)
    }
}
