import AtomForgeModel
import AtomForgeSystem

/// How `watch` learns of plans dropped into the inbox: inotify, a rescan of the folder at an interval, or both.
///
/// inotify is the fast path, but it reports only what this kernel changes: on NFS, SMB or a FUSE mount a plan written
/// by another host raises no event. There the inbox is also rescanned, every ``defaultPollInterval`` unless
/// `paths.poll_interval_s` says otherwise; a rescan takes a file an event has already started on only once.
public struct InboxWatch: Sendable, Equatable, CustomStringConvertible {
    /// Whether inotify is asked.
    public var inotify: Bool
    /// The time between two rescans; nil: none (inotify alone).
    public var pollInterval: Duration?
    /// Why this mode is in force, for the log.
    public var reason: String

    public static let defaultPollInterval = Duration.seconds(2)

    public init(inotify: Bool, pollInterval: Duration?, reason: String) {
        self.inotify = inotify
        self.pollInterval = inotify ? pollInterval : pollInterval ?? Self.defaultPollInterval
        self.reason = reason
    }

    /// The mode for `inbox` under `settings`: what they ask for, else by the file system the inbox is on.
    public static func choose(for inbox: String, settings: PathSettings) -> InboxWatch {
        let configured = settings.pollIntervalSeconds.map { Duration.seconds($0) }
        if !settings.inotify {
            return InboxWatch(inotify: false, pollInterval: configured, reason: "paths.inotify is false")
        }
        if let configured {
            return InboxWatch(inotify: true, pollInterval: configured, reason: "paths.poll_interval_s is set")
        }
        guard let kind = FileSystemKind.of(inbox) else {
            return InboxWatch(inotify: true, pollInterval: nil, reason: "the inbox's file system is unknown")
        }
        if kind.isRemote {
            return InboxWatch(
                inotify: true, pollInterval: defaultPollInterval,
                reason: "the inbox is on \(kind), where inotify misses files that other hosts write")
        }
        return InboxWatch(inotify: true, pollInterval: nil, reason: "the inbox is on \(kind), a local file system")
    }

    /// `inotify and a rescan every 2 s`.
    public var description: String {
        let rescan = pollInterval.map { "a rescan every \(Self.format($0))" }
        switch (inotify, rescan) {
        case (true, nil): return "inotify"
        case (true, let rescan?): return "inotify and \(rescan)"
        case (false, let rescan): return (rescan ?? "a rescan") + " (inotify off)"
        }
    }

    static func format(_ interval: Duration) -> String {
        let seconds = interval.seconds
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}
