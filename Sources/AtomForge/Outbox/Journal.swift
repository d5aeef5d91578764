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

    private func append(_ entry: Entry) throws(OutboxError) {
        var line = Array(OutboxJSON.encode(entry, pretty: false).utf8)
        line.append(UInt8(ascii: "\n"))
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw OutboxError("cannot open the journal \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var written = 0
        while written < line.count {
            let result = line[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                throw OutboxError("cannot write the journal \(path): \(String(cString: strerror(errno)))")
            }
            written += result
        }
        fsync(descriptor)
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
