/// Why the inbox is looked through again (``InboxEvent/rescan(_:)``): events are hints, a rescan of the folder is
/// the source of truth. Told apart by value, so that the watcher (which re-adds its watch when the folder was
/// replaced) and the service (which logs the notable ones and treats a poll's files as seen before) decide on it.
public enum RescanReason: Sendable, Equatable, CustomStringConvertible {
    /// The daemon starts: whatever is already in the inbox.
    case start
    /// The kernel's event queue overflowed (`IN_Q_OVERFLOW`): events were lost.
    case overflow
    /// The inbox folder itself was deleted or moved away (`IN_DELETE_SELF`, `IN_MOVE_SELF`) and made again.
    case inboxReplaced
    /// The interval's look where inotify is blind (``InboxWatch/pollInterval``).
    case poll

    /// Whether a rescan for this reason is worth a line in the log: the ones that say something went wrong.
    public var isNotable: Bool { self == .overflow || self == .inboxReplaced }

    public var description: String {
        switch self {
        case .start: "start"
        case .overflow: "the kernel's event queue overflowed"
        case .inboxReplaced: "inbox replaced"
        case .poll: "poll"
        }
    }
}
