import Glibc
import SystemPackage

/// What the inbox watcher reports. Events are hints: a rescan of the folder is the source of truth.
public enum InboxEvent: Sendable, Equatable {
    /// A file was written in place (`IN_CLOSE_WRITE`) or renamed in (`IN_MOVED_TO`).
    case file(String)
    /// The same for a name that is not UTF-8, as its bytes: it is refused, with a message that says why.
    case undecodableName([UInt8])
    /// Look at every file, for the reason given.
    case rescan(RescanReason)
    /// Look through the outbox for unfinished runs no process holds.
    case sweep
}

/// Watches one folder with inotify on a thread of its own, and delivers ``InboxEvent``s as an async stream.
///
/// The read loop blocks in `poll(2)` on the inotify descriptor and a wake-up pipe, never on Swift's cooperative
/// pool. `IN_Q_OVERFLOW` and the folder being deleted or moved become a rescan (after re-adding the watch), since
/// events were lost then. This file is the only place that touches inotify.
public final class InotifyWatcher: Sendable {
    public let directory: String
    private let inotify: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32

    /// Starts watching `directory`, which must exist.
    public init(directory: String) throws(InboxError) {
        self.directory = directory
        inotify = inotify_init1(Int32(IN_CLOEXEC))
        guard inotify >= 0 else { throw InboxError("inotify_init1 failed: \(Errno.last.description)") }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw InboxError("pipe failed: \(Errno.last.description)") }
        wakeRead = pipeEnds[0]
        wakeWrite = pipeEnds[1]
        guard Self.addWatch(inotify, directory) >= 0 else {
            throw InboxError("cannot watch \(directory): \(Errno.last.description)")
        }
    }

    deinit {
        close(inotify)
        close(wakeRead)
        close(wakeWrite)
    }

    static let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

    private static func addWatch(_ inotify: Int32, _ directory: String) -> Int32 {
        inotify_add_watch(inotify, directory, mask)
    }

    /// The events, starting with a rescan; the stream ends after ``stop()``.
    public func events() -> AsyncStream<InboxEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: InboxEvent.self, bufferingPolicy: .unbounded)
        continuation.yield(.rescan(.start))
        let thread = ReaderThread(watcher: self, continuation: continuation)
        thread.start()
        return stream
    }

    /// Ends the stream; the reader thread leaves its `poll` at once.
    public func stop() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// The blocking read loop.
    fileprivate func readLoop(_ continuation: AsyncStream<InboxEvent>.Continuation) {
        // Room for many events; at least sizeof(inotify_event) + NAME_MAX + 1 bytes, or read fails with EINVAL.
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var descriptors = [
                pollfd(fd: inotify, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&descriptors, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            if descriptors[1].revents != 0 { break }
            let count = buffer.withUnsafeMutableBytes { read(inotify, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                break
            }
            for event in Self.decode(buffer[..<count]) {
                if event == .rescan(.inboxReplaced) {
                    // Wait for a folder to be there again, then watch the new one.
                    while Self.addWatch(inotify, directory) < 0 {
                        var wake = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
                        if poll(&wake, 1, 100) > 0 {
                            continuation.finish()
                            return
                        }
                    }
                }
                continuation.yield(event)
            }
        }
        continuation.finish()
    }

    /// Decodes a buffer of `struct inotify_event` records by hand: the name that follows each 16-byte header does not
    /// import into Swift.
    static func decode(_ bytes: ArraySlice<UInt8>) -> [InboxEvent] {
        var events: [InboxEvent] = []
        var offset = bytes.startIndex
        let headerSize = 16
        while offset + headerSize <= bytes.endIndex {
            func word(_ at: Int) -> UInt32 {
                UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3])
                    << 24
            }
            let mask = word(offset + 4)
            let nameLength = Int(word(offset + 12))
            let nameBytes = bytes[(offset + headerSize)..<min(offset + headerSize + nameLength, bytes.endIndex)]
            let rawName = Array(nameBytes.prefix { $0 != 0 })
            if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                events.append(.rescan(.overflow))
            } else if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
                events.append(.rescan(.inboxReplaced))
            } else if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO) != 0, !rawName.isEmpty {
                if let name = String(validating: rawName, as: UTF8.self) {
                    events.append(.file(name))
                } else {
                    events.append(.undecodableName(rawName))
                }
            }
            offset += headerSize + nameLength
        }
        return events
    }
}

/// A thread that runs the watcher's blocking read loop.
private final class ReaderThread: @unchecked Sendable {
    let watcher: InotifyWatcher
    let continuation: AsyncStream<InboxEvent>.Continuation

    init(watcher: InotifyWatcher, continuation: AsyncStream<InboxEvent>.Continuation) {
        self.watcher = watcher
        self.continuation = continuation
    }

    func start() {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        pthread_create(
            &thread, nil,
            { context in
                let reader = Unmanaged<ReaderThread>.fromOpaque(context!).takeRetainedValue()
                reader.watcher.readLoop(reader.continuation)
                return nil
            }, context)
        pthread_detach(thread)
    }
}
