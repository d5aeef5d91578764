import Foundation
import Glibc

/// The record of finished atoms in a plan's outbox folder, one JSON line per atom, flushed to disk (`fsync`) as each
/// atom finishes, so that after a crash or SIGTERM a rerun does not call the model again for them.
public final class Journal: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Appends `result` and waits until it is on disk.
    public func append(_ result: AtomResult) throws(OutboxError) {
        var line = Array(OutboxJSON.encode(Entry(atom: result), pretty: false).utf8)
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

    /// The finished atoms recorded so far, the last record of each atom winning. A line cut short by a crash is
    /// skipped.
    public func read() -> [String: AtomResult] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        var results: [String: AtomResult] = [:]
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let entry = try? OutboxJSON.decoder.decode(Entry.self, from: Data(line)) else { continue }
            results[entry.atom.id] = entry.atom
        }
        return results
    }

    private struct Entry: Codable {
        var atom: AtomResult
    }
}
