import AtomForgeGeneration
import AtomForgeModel
import AtomForgeSystem
import Foundation
import SystemPackage

/// The record of finished atoms in a plan's outbox folder, one JSON line per atom, flushed to disk (`fsync`) as each
/// atom finishes, so that after a crash or SIGTERM a rerun does not call the model again for them. An atom whose
/// generation was stopped (a budget, a shutdown, an outage) gets a line with the attempts it had made, so that none
/// that was paid for is asked again.
public final class Journal: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Appends `result` and waits until it is on disk.
    public func append(_ result: AtomResult) throws(OutboxError) {
        try append(Entry(atom: result))
    }

    /// Appends the attempts of an atom that has no verdict yet, and where its ladder goes on, and waits until they
    /// are on disk.
    public func appendUnfinished(_ id: String, _ progress: EarlierAttempts) throws(OutboxError) {
        try append(
            Entry(
                unfinished: Unfinished(
                    id: id, attempts: progress.attempts, nextStep: progress.nextStep,
                    reusesVerdicts: progress.reusesVerdicts)))
    }

    /// Appends one line. A line that could not be written whole (a full disk) is cut off again at once, and a
    /// line an earlier process left unfinished (a crash mid-write) is cut off before this one, so a record is never
    /// glued to a torn one and lost with it.
    private func append(_ entry: Entry) throws(OutboxError) {
        var line = Array(OutboxJSON.encode(entry, pretty: false).utf8)
        line.append(UInt8(ascii: "\n"))
        let journal: FileDescriptor
        do {
            journal = try FileDescriptor.open(
                path, .readWrite, options: [.create, .append, .closeOnExec],
                permissions: [.ownerReadWrite, .groupRead, .otherRead])
        } catch {
            throw OutboxError(SystemError("open the journal", path, errno: error as? Errno ?? .last).description)
        }
        defer { try? journal.close() }
        // Appends from several atoms may run at once (each on its own thread): one at a time, so that none takes
        // another's half-written line for a torn one. The lock goes with the descriptor.
        do {
            try journal.lockExclusively()
        } catch {
            throw OutboxError(SystemError("lock the journal", path, errno: error).description)
        }
        var start = Self.endOfLastWholeLine(journal)
        let end = (try? journal.seek(offset: 0, from: .end)) ?? start
        if start < end {
            // A last line without its newline: kept if it is a whole record (a newline is all it lacks), else cut.
            var tail = [UInt8](repeating: 0, count: Int(end - start))
            let read = try? tail.withUnsafeMutableBytes { try journal.read(fromAbsoluteOffset: start, into: $0) }
            if read == tail.count, (try? OutboxJSON.decoder.decode(Entry.self, from: Data(tail))) != nil {
                line.insert(UInt8(ascii: "\n"), at: 0)
                start = end
            } else {
                try? journal.resize(to: start)
            }
        }
        do {
            // writeAll goes on after a short write and an interrupted one; a full disk is its error.
            _ = try journal.writeAll(line)
            try journal.sync()
        } catch {
            // The line that could not be written whole is cut off again at once.
            try? journal.resize(to: start)
            throw OutboxError(SystemError("write the journal", path, errno: error as? Errno ?? .last).description)
        }
    }

    /// The offset just after the file's last newline (0 for none): where the next line starts once a torn last
    /// line is cut off.
    private static func endOfLastWholeLine(_ journal: FileDescriptor) -> Int64 {
        guard let fileEnd = try? journal.seek(offset: 0, from: .end) else { return 0 }
        var end = fileEnd
        guard end > 0 else { return 0 }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while end > 0 {
            let length = Int(min(Int64(chunk.count), end))
            let read = try? chunk.withUnsafeMutableBytes {
                try journal.read(
                    fromAbsoluteOffset: end - Int64(length),
                    into: UnsafeMutableRawBufferPointer(rebasing: $0[..<length]))
            }
            // A read that fails cuts nothing.
            guard read == length else { return fileEnd }
            if let newline = chunk[..<length].lastIndex(of: UInt8(ascii: "\n")) {
                return end - Int64(length) + Int64(newline) + 1
            }
            end -= Int64(length)
        }
        return 0
    }

    /// The finished atoms recorded so far, the last record of each atom winning.
    public func read() -> [String: AtomResult] {
        readState().results
    }

    /// What the journal holds: the last record of each atom wins, so an atom is either finished (with its result)
    /// or unfinished (with its attempts so far), never both. A line cut short by a crash is skipped.
    public func readState() -> State {
        guard let data = FileManager.default.contents(atPath: path) else { return State() }
        var state = State()
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let entry = try? OutboxJSON.decoder.decode(Entry.self, from: Data(line)) else { continue }
            if let result = entry.atom {
                state.results[result.id] = result
                state.unfinished[result.id] = nil
            } else if let unfinished = entry.unfinished {
                var progress = EarlierAttempts.resuming(unfinished.attempts)
                if let next = unfinished.nextStep { progress.nextStep = next }
                if let reuses = unfinished.reusesVerdicts { progress.reusesVerdicts = reuses }
                state.unfinished[unfinished.id] = progress
                state.results[unfinished.id] = nil
            }
        }
        return state
    }

    /// The journal's content, atom by atom.
    public struct State: Sendable {
        public var results: [String: AtomResult] = [:]
        /// Atoms stopped before a verdict: every attempt they have, and the ladder step each goes on from.
        public var unfinished: [String: EarlierAttempts] = [:]

        public init(results: [String: AtomResult] = [:], unfinished: [String: EarlierAttempts] = [:]) {
            self.results = results
            self.unfinished = unfinished
        }
    }

    private struct Entry: Codable {
        var atom: AtomResult?
        var unfinished: Unfinished?
    }

    private struct Unfinished: Codable {
        var id: String
        var attempts: [AttemptRecord]
        var nextStep: Int?
        var reusesVerdicts: Bool?
    }
}
