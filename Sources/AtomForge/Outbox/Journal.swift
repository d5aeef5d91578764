import Foundation
import Glibc

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
        let descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw OutboxError("cannot open the journal \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        // Appends from several atoms may run at once (each on its own thread): one at a time, so that none takes
        // another's half-written line for a torn one. The lock goes with the descriptor.
        while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
        var start = Self.endOfLastWholeLine(descriptor)
        let end = lseek(descriptor, 0, SEEK_END)
        if start < end {
            // A last line without its newline: kept if it is a whole record (a newline is all it lacks), else cut.
            var tail = [UInt8](repeating: 0, count: Int(end - start))
            let read = tail.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, start) }
            if read == tail.count, (try? OutboxJSON.decoder.decode(Entry.self, from: Data(tail))) != nil {
                line.insert(UInt8(ascii: "\n"), at: 0)
                start = end
            } else {
                ftruncate(descriptor, start)
            }
        }
        var written = 0
        while written < line.count {
            let result = line[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                let reason = String(cString: strerror(result < 0 ? errno : ENOSPC))
                ftruncate(descriptor, start)
                throw OutboxError("cannot write the journal \(path): \(reason)")
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            let reason = String(cString: strerror(errno))
            ftruncate(descriptor, start)
            throw OutboxError("cannot write the journal \(path): \(reason)")
        }
    }

    /// The offset just after the file's last newline (0 for none): where the next line starts once a torn last
    /// line is cut off.
    private static func endOfLastWholeLine(_ descriptor: Int32) -> off_t {
        let fileEnd = lseek(descriptor, 0, SEEK_END)
        var end = fileEnd
        guard end > 0 else { return 0 }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while end > 0 {
            let length = Int(min(off_t(chunk.count), end))
            let read = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, length, end - off_t(length)) }
            // A read that fails cuts nothing.
            guard read == length else { return fileEnd }
            if let newline = chunk[..<length].lastIndex(of: UInt8(ascii: "\n")) {
                return end - off_t(length) + off_t(newline) + 1
            }
            end -= off_t(length)
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
