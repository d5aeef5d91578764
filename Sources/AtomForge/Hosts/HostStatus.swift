import AtomForgeSystem
import Foundation
import Synchronization

/// A daemon's presence in the outbox it shares: `_hosts/<host>-<pid>.json`, rewritten every ``interval`` while it
/// runs and removed when it stops, saying whether it is starting, watching or stopping. `atomforge health` reads it
/// (an orchestrator's probe), and a person sees in one folder which daemons share the outbox.
///
/// A file, not a port: the probe then needs nothing but the outbox the daemon already writes to, and a daemon that
/// hangs stops rewriting it, which the probe sees as a stale file.
public final class HostStatus: Sendable {
    /// What the file says.
    public struct Record: Codable, Sendable, Equatable {
        public var host: String
        public var pid: Int32
        public var state: State
        /// Seconds since 1970 when the daemon started, and when the file was last written.
        public var started: Double
        public var updated: Double
        public var inbox: String
        /// How the inbox is watched (``InboxWatch``), once it is.
        public var watch: String?
        /// The seconds between two writes: a file older than a few of them is stale.
        public var intervalSeconds: Double

        enum CodingKeys: String, CodingKey {
            case host, pid, state, started, updated, inbox, watch
            case intervalSeconds = "interval_s"
        }
    }

    public enum State: String, Codable, Sendable {
        /// Not watching yet (the model server is starting, unfinished runs are being found).
        case starting
        /// Taking plans.
        case watching
        /// A shutdown began: finishing the calls in flight, taking nothing new.
        case stopping
    }

    public static let folderName = "_hosts"
    public static let defaultInterval = Duration.seconds(10)

    public let path: String
    public let interval: Duration
    private let record: Mutex<Record>
    /// Held for a whole write, from its snapshot to its rename: whoever writes (the start-up's writer, the service),
    /// the file ends with the later snapshot, never with an earlier one renamed last.
    private let writing = Mutex(())
    /// A value each time the state changes, for ``HostStatusService`` to write the file at once.
    let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation

    public init(outbox: String, inbox: String, interval: Duration = HostStatus.defaultInterval) {
        let host = Self.hostName()
        let pid = CurrentProcess.id
        path = outbox + "/" + Self.folderName + "/\(host)-\(pid).json"
        self.interval = interval
        (changes, changed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let now = Date().timeIntervalSince1970
        record = Mutex(
            Record(
                host: host, pid: pid, state: .starting, started: now, updated: now, inbox: inbox, watch: nil,
                intervalSeconds: interval.seconds))
    }

    /// Changes the state (and how the inbox is watched, when given); the next ``write()`` says so.
    public func set(_ state: State, watch: String? = nil) {
        record.withLock {
            $0.state = state
            if let watch { $0.watch = watch }
        }
        changed.yield()
    }

    /// Writes the file now (blocking: call it off the cooperative pool).
    public func write() throws(OutboxError) {
        try writing.withLock { _ throws(OutboxError) in
            let snapshot = record.withLock { record in
                record.updated = Date().timeIntervalSince1970
                return record
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            guard let data = try? encoder.encode(snapshot) else { return }
            // Through the folder held open: a link at `_hosts` is refused, never followed.
            let folder = try OutboxFolder.open((path as NSString).deletingLastPathComponent, create: true)
            try withExtendedLifetime(folder) { () throws(OutboxError) in
                try AtomicFile.write(
                    Array(data) + [UInt8(ascii: "\n")], to: folder.root + "/" + (path as NSString).lastPathComponent,
                    durable: false)
            }
        }
    }

    /// Removes the file (the daemon has stopped).
    public func remove() {
        guard let folder = try? OutboxFolder.open((path as NSString).deletingLastPathComponent) else { return }
        folder.removeEntry(named: (path as NSString).lastPathComponent)
    }

    /// This machine's name (a pod's name under Kubernetes), as the files are named.
    public static func hostName() -> String {
        CurrentProcess.hostName
    }

    /// The records of the daemons of `host` in `outbox`, newest first.
    public static func records(outbox: String, host: String = hostName()) -> [Record] {
        let folder = outbox + "/" + folderName
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasPrefix(host + "-") && $0.hasSuffix(".json") }.compactMap { name in
            guard let data = FileManager.default.contents(atPath: folder + "/" + name) else { return nil }
            return try? JSONDecoder().decode(Record.self, from: data)
        }.filter { $0.host == host }.sorted { $0.updated > $1.updated }
    }
}
