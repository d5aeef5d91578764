import AtomForgeModel
import AtomForgeOutbox
import AtomForgeSystem
import Foundation
import SystemPackage

/// Takes one file out of the inbox: a valid plan is claimed by renaming it into its run folder before any work;
/// anything else goes to `outbox/_rejected/` with an error file beside it. Both moves are atomic renames, so two
/// daemons on one inbox never take the same file, and a crash never leaves a plan half-claimed or lost.
public enum PlanIntake {
    public enum Outcome: Sendable {
        /// The plan is in its run folder, which this process holds.
        case claimed(Plan, RunFolder)
        /// The file was refused; it and its error file are at this path.
        case rejected(String, problems: [String])
        /// Another process took the file first (or it was removed).
        case gone
        /// The outbox could not be written; the file stays in the inbox.
        case failed(String)
        /// The file is empty: most likely created and closed before its producer writes it. It stays in the inbox,
        /// and its next close is another event.
        case empty
        /// A person's fix (``AcceptFile``), moved into its run folder's `accepted/` at this path.
        case accept(AcceptFile, folder: String, path: String)
        /// The plan's run is being run by another process (or this one): the file stays in the inbox, to be taken
        /// when that run ends, so it continues the run rather than start it over elsewhere.
        case busy(String)
    }

    /// `emptyGrace`: how long an empty file may stay empty in the inbox before it is rejected (`paths.empty_grace_s`):
    /// a producer that creates the file and writes it later has had its chance; one that never writes it would
    /// leave it there for ever.
    public static func take(_ path: String, outbox: String, emptyGrace: Double = 60) -> Outcome {
        let name = URL(fileURLWithPath: path).lastPathComponent
        // What the entry is, without following it: only a regular file is read at all.
        guard let kind = InboxEntry.kind(at: path) else { return .gone }
        if let refusal = kind.refusal {
            return reject(path, name: name, problems: ["\(name) \(refusal)"], outbox: outbox)
        }
        if case .regular(size: 0) = kind {
            guard let age = InboxEntry.age(at: path), age >= emptyGrace else { return .empty }
            return reject(
                path, name: name,
                problems: [
                    "\(name) is empty, and has stayed empty for over \(emptyGrace) s (paths.empty_grace_s): a plan "
                        + "file must hold a plan; write one into it (or drop it again)"
                ], outbox: outbox)
        }
        let contents: InboxEntry.Contents
        switch InboxEntry.read(path, limit: PlanChecker.maximumFileSize) {
        case .success(let read):
            contents = read
        case .failure(.gone):
            return .gone
        case .failure(.notRegular(let kind)):
            return reject(path, name: name, problems: ["\(name) \(kind.refusal ?? "")"], outbox: outbox)
        case .failure(.tooLarge):
            return reject(path, name: name, problems: ["\(name): \(PlanChecker.tooLarge)"], outbox: outbox)
        case .failure(.failed(let reason)):
            return reject(path, name: name, problems: ["\(name): cannot be read (\(reason))"], outbox: outbox)
        }
        if contents.bytes.isEmpty { return .empty }
        if AcceptFile.matches(name) { return takeAccept(path, name: name, contents: contents, outbox: outbox) }
        switch PlanClaim.claimBlocking(
            .inbox(InboxFile(path: path, contents: contents)), outbox: outbox, options: RunFolder.Options())
        {
        case .success(let claimed):
            return .claimed(claimed.plan, claimed.folder)
        case .failure(let failure):
            if InboxEntry.kind(at: path) == nil { return .gone }
            switch failure {
            case .invalid: return reject(path, name: name, problems: failure.problems, outbox: outbox)
            case .folder(let error): return error.isBusy ? .busy(error.description) : .failed(error.description)
            }
        }
    }

    /// An inbox entry whose name is not UTF-8: AtomForge names run folders, logs and error files after files, so
    /// it is moved to `_rejected/` under its name with the stray bytes written `%XX`, and told why.
    public static func rejectUndecodable(_ nameBytes: [UInt8], inbox: String, outbox: String) -> Outcome {
        let shown = escapedName(nameBytes)
        let source = Array(inbox.utf8) + [UInt8(ascii: "/")] + nameBytes
        return reject(
            source, name: shown,
            problems: [
                "\(shown): the file name is not UTF-8 (its stray bytes are shown as %XX); rename it to a UTF-8 name "
                    + "and drop it again"
            ], outbox: outbox)
    }

    /// The name with every byte that is not part of valid UTF-8 (and `%` itself) written as `%XX`.
    static func escapedName(_ bytes: [UInt8]) -> String {
        var shown = ""
        var index = 0
        while index < bytes.count {
            // The longest valid UTF-8 sequence from here (1 to 4 bytes), else one stray byte.
            var taken = false
            for length in (1...min(4, bytes.count - index)).reversed() {
                if let text = String(validating: bytes[index..<index + length], as: UTF8.self), text.count == 1,
                    text != "%"
                {
                    shown += text
                    index += length
                    taken = true
                    break
                }
            }
            if !taken {
                shown += String(format: "%%%02X", bytes[index])
                index += 1
            }
        }
        return shown
    }

    /// An accept file goes into `outbox/<run>/accepted/` (under a new name if one is taken), or to `_rejected/` when
    /// it is not valid or names no run.
    static func takeAccept(
        _ path: String, name: String, contents: InboxEntry.Contents, outbox: String
    ) -> Outcome {
        let file: AcceptFile
        switch AcceptFile.read(contents: contents.bytes) {
        case .failure(let error):
            if !FileManager.default.fileExists(atPath: path) { return .gone }
            return reject(path, name: name, problems: ["\(name): \(error)"], outbox: outbox)
        case .success(let read):
            file = read
        }
        let run = outbox + "/" + file.run
        guard RunFolder.holdsPlan(at: run) else {
            let runs = ((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []).filter {
                !$0.hasPrefix("_") && !$0.hasPrefix(".") && RunFolder.holdsPlan(at: outbox + "/" + $0)
            }.sorted()
            return reject(
                path, name: name,
                problems: [
                    "\(name): run: no run '\(file.run)' in the outbox; runs there: "
                        + (runs.isEmpty ? "none" : runs.joined(separator: ", "))
                ], outbox: outbox)
        }
        // The run folder held open, and the file linked in through it: a link, or a folder of another user, is
        // refused, never followed.
        let held: OutboxFolder
        do {
            held = try OutboxFolder.open(run)
        } catch {
            return reject(path, name: name, problems: ["\(name): \(error)"], outbox: outbox)
        }
        defer { withExtendedLifetime(held) {} }
        let folder = held.root + "/accepted"
        do {
            try PathOperations.makeFolderIfMissing(folder)
        } catch {
            return .failed(OutboxFolder.shown(SystemError("create", folder, errno: error).description))
        }
        // link, then unlink: unlike rename, link never replaces a file already there (an earlier fix of the same
        // name), and exactly one of two daemons gets the file.
        for counter in 1...10_000 {
            let base = (counter == 1 ? "" : "\(counter)-") + name
            let target = folder + "/" + base
            do {
                try PathOperations.moveWithoutReplacing(path, to: target)
            } catch .fileExists {
                continue
            } catch .noSuchFileOrDirectory {
                return .gone
            } catch {
                return .failed(OutboxFolder.shown("cannot move \(path) to \(target): \(error.description)"))
            }
            // Linked by name: if another file took the name after it was read, keep what was read.
            if InboxEntry.identity(at: target) != contents.identity {
                do {
                    try AtomicFile.write(contents.bytes, to: target)
                } catch {
                    return .failed(error.description)
                }
            }
            return .accept(file, folder: run, path: run + "/accepted/" + base)
        }
        return .failed("no free name for \(name) in \(folder)")
    }

    /// Moves `path` to `outbox/_rejected/` (under a new name if one is taken) and writes the problems beside it.
    static func reject(_ path: String, name: String, problems: [String], outbox: String) -> Outcome {
        reject(Array(path.utf8), name: name, problems: problems, outbox: outbox)
    }

    /// The same for a path given as bytes (a name that is not UTF-8). The error file is as private as the file it
    /// is about (its permission bits; 0600 for what is not a regular file), and it never quotes any other file.
    static func reject(_ path: [UInt8], name: String, problems: [String], outbox: String) -> Outcome {
        try? FileManager.default.createDirectory(atPath: outbox, withIntermediateDirectories: true)
        // Held open and written through its descriptor: a link at `_rejected` is refused, never followed.
        let rejected: OutboxFolder
        do {
            rejected = try OutboxFolder.open(outbox + "/_rejected", create: true)
        } catch {
            return .failed(error.description)
        }
        defer { withExtendedLifetime(rejected) {} }
        let folder = rejected.root
        var target = folder + "/" + name
        var counter = 1
        // link, then unlink: link never replaces a file already there (another daemon's rejection of the same
        // name). A folder cannot be linked: it is renamed once its name is seen free.
        while true {
            if InboxEntry.kind(at: target + ".error.txt") == nil {
                do {
                    try PathOperations.moveWithoutReplacing(path, to: target, folders: true)
                    break
                } catch .fileExists {
                } catch .noSuchFileOrDirectory {
                    return .gone
                } catch {
                    let shown = String(decoding: path, as: UTF8.self)
                    let shownTarget = rejected.path + "/" + target.dropFirst(folder.count + 1)
                    return .failed("cannot move \(shown) to \(shownTarget): \(error.description)")
                }
            }
            counter += 1
            target = folder + "/" + name + ".\(counter)"
        }
        var mode: UInt32 = 0o600
        if case .regular? = InboxEntry.kind(at: target), let bits = InboxEntry.permissions(at: target) {
            mode = UInt32(bits.rawValue) & 0o666
        }
        let text =
            "AtomForge refused this file (\(name)); fix it and drop it into the inbox again.\n\n"
            + problems.joined(separator: "\n") + "\n"
        do {
            try AtomicFile.write(Array(text.utf8), to: target + ".error.txt", mode: mode)
        } catch {
            return .failed(error.description)
        }
        return .rejected(rejected.path + "/" + target.dropFirst(folder.count + 1), problems: problems)
    }
}
