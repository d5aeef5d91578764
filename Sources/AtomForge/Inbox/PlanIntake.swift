import Foundation
import Glibc

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

    public static func take(_ path: String, outbox: String) -> Outcome {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return .gone }
        if (attributes[.size] as? NSNumber)?.intValue == 0 { return .empty }
        let name = URL(fileURLWithPath: path).lastPathComponent
        if AcceptFile.matches(name) { return takeAccept(path, name: name, outbox: outbox) }
        let check = PlanChecker.check(fileAt: path)
        guard let plan = check.validPlan else {
            if !FileManager.default.fileExists(atPath: path) { return .gone }
            return reject(path, name: name, problems: check.diagnostics.map { "\(name):\($0)" }, outbox: outbox)
        }
        let text = check.text ?? ""
        let fileExtension = name.hasSuffix(".json") ? "json" : "yaml"
        do {
            let folder = try RunFolder.prepare(
                for: plan, source: .move(path: path, text: text), fileExtension: fileExtension, outbox: outbox)
            return .claimed(plan, folder)
        } catch {
            if !FileManager.default.fileExists(atPath: path) { return .gone }
            return error.isBusy ? .busy(error.description) : .failed(error.description)
        }
    }

    /// An accept file goes into `outbox/<run>/accepted/` (under a new name if one is taken), or to `_rejected/` when
    /// it is not valid or names no run.
    static func takeAccept(_ path: String, name: String, outbox: String) -> Outcome {
        let file: AcceptFile
        switch AcceptFile.read(path) {
        case .failure(let error):
            if !FileManager.default.fileExists(atPath: path) { return .gone }
            return reject(path, name: name, problems: ["\(name): \(error)"], outbox: outbox)
        case .success(let read):
            file = read
        }
        let run = outbox + "/" + file.run
        guard RunFolder.earlierPlanText(in: run) != nil else {
            let runs = ((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []).filter {
                !$0.hasPrefix("_") && !$0.hasPrefix(".") && RunFolder.earlierPlanText(in: outbox + "/" + $0) != nil
            }.sorted()
            return reject(
                path, name: name,
                problems: [
                    "\(name): run: no run '\(file.run)' in the outbox; runs there: "
                        + (runs.isEmpty ? "none" : runs.joined(separator: ", "))
                ], outbox: outbox)
        }
        let folder = run + "/accepted"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // link, then unlink: unlike rename, link never replaces a file already there (an earlier fix of the same
        // name), and exactly one of two daemons gets the file.
        for counter in 1...10_000 {
            let target = folder + "/" + (counter == 1 ? "" : "\(counter)-") + name
            if link(path, target) == 0 {
                guard unlink(path) == 0 else {
                    let reason = errno
                    unlink(target)
                    return reason == ENOENT
                        ? .gone : .failed("cannot move \(path): \(String(cString: strerror(reason)))")
                }
                return .accept(file, folder: run, path: target)
            }
            if errno == EEXIST { continue }
            return errno == ENOENT
                ? .gone : .failed("cannot move \(path) to \(target): \(String(cString: strerror(errno)))")
        }
        return .failed("no free name for \(name) in \(folder)")
    }

    /// Moves `path` to `outbox/_rejected/` (under a new name if one is taken) and writes the problems beside it.
    static func reject(_ path: String, name: String, problems: [String], outbox: String) -> Outcome {
        let folder = outbox + "/_rejected"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var target = folder + "/" + name
        var counter = 1
        while FileManager.default.fileExists(atPath: target) {
            counter += 1
            target = folder + "/" + name + ".\(counter)"
        }
        guard rename(path, target) == 0 else {
            return errno == ENOENT
                ? .gone : .failed("cannot move \(path) to \(target): \(String(cString: strerror(errno)))")
        }
        let text =
            "AtomForge refused this file (\(name)); fix it and drop it into the inbox again.\n\n"
            + problems.joined(separator: "\n") + "\n"
        do {
            try AtomicFile.write(text, to: target + ".error.txt")
        } catch {
            return .failed(error.description)
        }
        return .rejected(target, problems: problems)
    }
}
