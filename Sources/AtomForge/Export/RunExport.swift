import AtomForgeModel
import AtomForgeOutbox
import AtomForgeSystem
import Foundation

/// A finished run's `src/` brought to where generated code goes next: copied into a working tree, committed on a
/// branch of a git repository, or written as a patch. Nothing a person has is lost: a copy never overwrites a file
/// that differs unless told to, and a commit is made with git's plumbing on a branch of its own (a private index,
/// the working tree, the index and the checked-out branch untouched), to merge or look at when the person chooses.
///
/// Files of atoms that did not pass hold stubs that raise; every way out says which, so nobody ships one unaware.
public enum RunExport {
    /// How `src/` goes out.
    public enum Mode: Sendable, Equatable {
        /// Its files copied into the folder; `overwrite`: also over files that differ.
        case copy(overwrite: Bool)
        /// A commit on `branch` of the repository (created from its HEAD, or added to the branch when it exists).
        case commit(branch: String)
        /// The same commit, written as a patch (`git format-patch`) to this file; no branch is made.
        case patch(String)
    }

    /// What an export did, said to a person.
    public struct Outcome: Sendable {
        public var lines: [String]
        /// The commit made, for `commit` and `patch`.
        public var commit: String?
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
        /// True when the export was refused to keep what is there (a file that would be overwritten) or git failed;
        /// false when what it was given cannot be exported (not a finished run, no such folder, no repository).
        public var refused = false
    }

    /// A finished run read for export: its files, its summary, and the atoms whose code in `src/` is a stub.
    struct Run {
        var path: String
        var plan: String
        /// `src/` path → the file's bytes.
        var files: [String: Data]
        var counts: (passed: Int, failed: Int, blocked: Int)
        var model: String?
        /// `file: atom (status)` for each atom that did not pass.
        var stubs: [String]
    }

    /// Exports the run at `runFolder` into `destination` (a working tree; the repository, for `commit` and `patch`),
    /// under `prefix` there.
    public static func export(
        _ runFolder: String, to destination: String, prefix: String = "", mode: Mode
    ) async throws(Failure) -> Outcome {
        let run = try await BlockingIO.run { () throws(Failure) in try read(runFolder) }
        let prefix = prefix.split(separator: "/").joined(separator: "/")
        if prefix.split(separator: "/").contains("..") || prefix.hasPrefix("/") {
            throw Failure(description: "--prefix \(prefix) must be a folder inside the destination, without '..'")
        }
        switch mode {
        case .copy(let overwrite):
            let lines = try await BlockingIO.run { () throws(Failure) in
                try copy(run, to: destination, prefix: prefix, overwrite: overwrite)
            }
            return Outcome(lines: lines + stubLines(run), commit: nil)
        case .commit(let branch):
            return try await commit(run, in: destination, prefix: prefix, branch: branch, patch: nil)
        case .patch(let file):
            return try await commit(run, in: destination, prefix: prefix, branch: nil, patch: file)
        }
    }

    /// The run's files and summary, read through the folder held open (never through a link).
    static func read(_ path: String) throws(Failure) -> Run {
        let folder: OutboxFolder
        do {
            folder = try OutboxFolder.open(path)
        } catch {
            throw Failure(description: error.description)
        }
        let root = folder.root
        guard RunFolder.planFormat(in: root) != nil else {
            throw Failure(description: "\(path) is not a run folder (it holds no plan.yaml or plan.json)")
        }
        guard let data = FileManager.default.contents(atPath: root + "/summary.json"),
            let summary = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw Failure(
                description: "\(path) has not finished (no summary.json): run the plan again to finish it, then export")
        }
        var files: [String: Data] = [:]
        let source = root + "/src"
        if let walker = FileManager.default.enumerator(atPath: source) {
            while let name = walker.nextObject() as? String {
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: source + "/" + name, isDirectory: &isFolder),
                    !isFolder.boolValue, let contents = FileManager.default.contents(atPath: source + "/" + name)
                else { continue }
                files[name] = contents
            }
        }
        guard !files.isEmpty else { throw Failure(description: "\(path)/src/ holds no file: nothing to export") }
        let counts = summary["counts"] as? [String: Int] ?? [:]
        let atoms = summary["atoms"] as? [[String: Any]] ?? []
        let stubs = atoms.compactMap { atom -> String? in
            guard let status = atom["status"] as? String, status != AtomStatus.passed.rawValue,
                let id = atom["id"] as? String, let file = atom["file"] as? String
            else { return nil }
            return "\(file): \(id) (\(status))"
        }
        return Run(
            path: path, plan: summary["plan"] as? String ?? PlanChecker.planID(fromFileName: path),
            files: files, counts: (counts["passed"] ?? 0, counts["failed"] ?? 0, counts["blocked"] ?? 0),
            model: summary["model"] as? String, stubs: stubs)
    }

    /// Lines that say which files hold stubs, if any do.
    static func stubLines(_ run: Run) -> [String] {
        guard !run.stubs.isEmpty else { return [] }
        return [
            "\(run.stubs.count) atom\(run.stubs.count == 1 ? "" : "s") did not pass; \(run.stubs.count == 1 ? "its" : "their") "
                + "code is a stub that raises (see \(run.path)/review/):"
        ] + run.stubs.map { "  \($0)" }
    }

    static func copy(_ run: Run, to destination: String, prefix: String, overwrite: Bool) throws(Failure) -> [String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: destination, isDirectory: &isFolder), isFolder.boolValue else {
            throw Failure(
                description: "\(destination): no such folder; create it, or give the working tree to copy into")
        }
        let base = prefix.isEmpty ? destination : destination + "/" + prefix
        let differing = run.files.keys.sorted().filter { name in
            guard let existing = FileManager.default.contents(atPath: base + "/" + name) else { return false }
            return existing != run.files[name]
        }
        if !differing.isEmpty, !overwrite {
            throw Failure(
                description: "\(differing.count) file\(differing.count == 1 ? "" : "s") in \(base) "
                    + "differ\(differing.count == 1 ? "s" : "") from the run's "
                    + "and would be overwritten: \(differing.prefix(5).joined(separator: ", "))"
                    + (differing.count > 5 ? ", …" : "")
                    + "; commit them first and export with --git (a branch of its own), or give --force",
                refused: true)
        }
        var written = 0
        var same = 0
        for (name, contents) in run.files.sorted(by: { $0.key < $1.key }) {
            let target = base + "/" + name
            if FileManager.default.contents(atPath: target) == contents {
                same += 1
                continue
            }
            do {
                try AtomicFile.write(Array(contents), to: target)
            } catch {
                throw Failure(description: error.description)
            }
            written += 1
        }
        return [
            "copied \(written) file\(written == 1 ? "" : "s") of \(run.path)/src/ into \(base)"
                + (same > 0 ? " (\(same) already the same)" : "")
        ]
    }

    /// A commit of the run's files over the repository's HEAD (or the branch's tip when the branch exists), made
    /// with a private index; then the branch moved to it, or the patch written.
    static func commit(
        _ run: Run, in repository: String, prefix: String, branch: String?, patch: String?
    ) async throws(Failure) -> Outcome {
        var git = Git(folder: repository)
        guard let top = await git.answer("rev-parse", "--show-toplevel") else {
            throw Failure(description: "\(repository) is not a git repository (git init it, or export without --git)")
        }
        let index = NSTemporaryDirectory() + "atomforge-export-\(UUID().uuidString).index"
        defer { unlink(index) }
        git.environment["GIT_INDEX_FILE"] = index
        if await git.answer("config", "user.email") == nil {
            // A repository with no identity still gets a commit, signed as what made it.
            for role in ["AUTHOR", "COMMITTER"] {
                git.environment["GIT_\(role)_NAME"] = "AtomForge"
                git.environment["GIT_\(role)_EMAIL"] = "atomforge@localhost"
            }
        }
        do {
            let reference = branch.map { "refs/heads/" + $0 }
            if let branch, await git.answer("check-ref-format", "--branch", branch) == nil {
                throw Failure(description: "\(branch) is not a valid branch name")
            }
            // A branch that exists gets the commit on its tip; a new one starts from HEAD (none in a new repository).
            let tip = await git.answer("rev-parse", "--verify", "-q", (reference ?? "HEAD") + "^{commit}")
            var parent = tip
            if parent == nil, reference != nil {
                parent = await git.answer("rev-parse", "--verify", "-q", "HEAD^{commit}")
            }
            if let parent { try await git("read-tree", parent) } else { try await git("read-tree", "--empty") }
            // Where the files go inside the repository: the destination's place in it, then the prefix.
            let here = URL(fileURLWithPath: repository).standardizedFileURL.resolvingSymlinksInPath().path
            let within = String(here.dropFirst(top.count)).split(separator: "/").joined(separator: "/")
            let place = [within, prefix].filter { !$0.isEmpty }.joined(separator: "/")
            var entries: [String] = []
            for (name, contents) in run.files.sorted(by: { $0.key < $1.key }) {
                let blob = try await git(
                    "hash-object", "-w", "--stdin", input: String(decoding: contents, as: UTF8.self))
                entries.append("100644 \(blob)\t\(place.isEmpty ? name : place + "/" + name)")
            }
            try await git("update-index", "--index-info", input: entries.joined(separator: "\n") + "\n")
            let tree = try await git("write-tree")
            if let parent, try await git("rev-parse", parent + "^{tree}") == tree {
                return Outcome(
                    lines: ["nothing to commit: \(branch ?? "HEAD") already holds \(run.path)/src/ as it is"],
                    commit: parent)
            }
            let message = commitMessage(run)
            var arguments = ["commit-tree", tree, "-m", message]
            if let parent { arguments += ["-p", parent] }
            let commit = try await git.run(arguments)
            var lines: [String] = []
            if let reference, let branch {
                // Moved only from the tip it was read at: another writer in between makes this fail, not vanish.
                try await git.run(["update-ref", reference, commit, tip ?? String(repeating: "0", count: 40)])
                lines.append(
                    "committed \(commit.prefix(12)) on branch \(branch) of \(top) (\(run.files.count) files; your "
                        + "working tree and branch are as they were): git merge \(branch)")
            }
            if let patch {
                let text = try await git("format-patch", "-1", "--stdout", commit)
                do {
                    try AtomicFile.write(text + "\n", to: patch)
                } catch {
                    throw Failure(description: error.description)
                }
                lines.append("wrote the patch \(patch) (apply it with git am)")
            }
            return Outcome(lines: lines + stubLines(run), commit: commit)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(description: "\(error)", refused: true)
        }
    }

    /// The commit's message: the plan, its counts and the run it came from, and the stubs it holds.
    static func commitMessage(_ run: Run) -> String {
        let total = run.counts.passed + run.counts.failed + run.counts.blocked
        var text =
            "AtomForge: plan \(run.plan) (\(run.counts.passed) of \(total) atoms passed"
            + (run.counts.failed + run.counts.blocked > 0
                ? ", \(run.counts.failed) failed, \(run.counts.blocked) blocked" : "") + ")\n\n"
        text += "Generated by AtomForge \(AtomForgeVersion.current)"
        if let model = run.model { text += " with the model \(model)" }
        text += ", from the run \((run.path as NSString).lastPathComponent).\n"
        if !run.stubs.isEmpty {
            text += "\nStubs that raise, for atoms that did not pass (see the run's review/ pages):\n"
            text += run.stubs.map { "- \($0)\n" }.joined()
        }
        return text
    }
}
