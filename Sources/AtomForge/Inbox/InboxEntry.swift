import AtomForgeSystem
import Foundation
import SystemPackage

/// One entry of the inbox as it is on disk, found and read without trusting it: a link is never followed, a pipe
/// never waited on, and the type is checked on the descriptor that is read, not on a name that may change between
/// a look and an open.
///
/// Whoever can write to the inbox is not thereby allowed to make the daemon read other files: a symbolic link to
/// `/etc/shadow` or to a private config is refused as a link, without its target being opened, and so is a named
/// pipe, which would block the thread that opened it (and the daemon's shutdown) forever.
enum InboxEntry {
    /// Which file an entry is (device and inode), to tell, after a move by name, that it is still the one read.
    struct Identity: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64

        init(_ status: Stat) {
            device = UInt64(status.deviceID.rawValue)
            inode = UInt64(status.inode.rawValue)
        }
    }

    /// The bytes read, and which file they came from.
    struct Contents: Sendable {
        var bytes: [UInt8]
        var identity: Identity
    }

    /// Which file is at `path` (not following it), if any.
    static func identity(at path: String) -> Identity? {
        (try? status(at: path)).map(Identity.init)
    }

    /// What `lstat` says the entry is.
    enum Kind: Equatable, Sendable {
        case regular(size: Int)
        /// A regular file with more than one name: a hard link could be to a file elsewhere that the dropper may
        /// not read.
        case hardLinked(names: Int)
        case symbolicLink
        case directory
        case namedPipe
        case socket
        case device
        case other

        /// How a person is told what they dropped, when it is not a plan file.
        var refusal: String? {
            switch self {
            case .regular: nil
            case .hardLinked(let names):
                "has \(names) names (hard links); AtomForge takes only a file with one name, since a hard link could "
                    + "be to a file elsewhere: copy the plan into the inbox instead"
            case .symbolicLink:
                "is a symbolic link; AtomForge never follows links in the inbox (a link could make it read any "
                    + "file it can): move or copy the plan file itself into the inbox"
            case .directory: "is a directory, not a plan file: drop the plan files themselves into the inbox"
            case .namedPipe: "is a named pipe (FIFO), not a plan file: write the plan to a regular file"
            case .socket: "is a socket, not a plan file"
            case .device: "is a device file, not a plan file"
            case .other: "is not a regular file"
            }
        }
    }

    /// Why an entry could not be read as a regular file.
    enum ReadError: Error, Equatable, Sendable {
        /// It is no longer there (another process took it).
        case gone
        /// It is not a regular file (it was replaced by one after it was looked at).
        case notRegular(Kind)
        case tooLarge(limit: Int)
        case failed(String)
    }

    /// Seconds since the entry at `path` (not followed) was last changed, its contents or its name (a file moved
    /// into the inbox keeps its old modification time, but its change time is the move's); nil when there is none.
    static func age(at path: String) -> Double? {
        guard let status = try? status(at: path) else { return nil }
        return Date().timeIntervalSince1970 - max(status.modifiedSeconds, status.changedSeconds)
    }

    /// What the entry at `path` is, without following it; nil when there is none.
    static func kind(at path: String) -> Kind? {
        (try? status(at: path)).map(kind(of:))
    }

    private static func kind(of status: Stat) -> Kind {
        switch status.type {
        case .regular where status.linkCount > 1: .hardLinked(names: status.linkCount)
        case .regular: .regular(size: Int(status.size))
        case .symbolicLink: .symbolicLink
        case .directory: .directory
        case .fifo: .namedPipe
        case .socket: .socket
        case .characterSpecial, .blockSpecial: .device
        default: .other
        }
    }

    /// The entry itself, a link not followed (`lstat`).
    private static func status(at path: String) throws(Errno) -> Stat {
        try Stat(FilePath(path), followTargetSymlink: false)
    }

    /// The bytes of the regular file at `path`, at most `limit`. Opened with `O_NOFOLLOW` (a link fails) and
    /// `O_NONBLOCK` (a pipe does not block the open), then checked with `fstat` on that descriptor.
    static func read(_ path: String, limit: Int) -> Result<Contents, ReadError> {
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(
                FilePath(path), .readOnly, options: [.noFollow, .nonBlocking, .closeOnExec, .noControllingTerminal])
        } catch .noSuchFileOrDirectory {
            return .failure(.gone)
        } catch .tooManySymbolicLinkLevels {
            return .failure(.notRegular(.symbolicLink))
        } catch .noSuchAddressOrDevice {
            return .failure(.notRegular(.socket))
        } catch {
            return .failure(.failed("\(error)"))
        }
        defer { try? descriptor.close() }
        let status: Stat
        do { status = try descriptor.stat() } catch { return .failure(.failed("\(error)")) }
        let kind = kind(of: status)
        guard case .regular(let size) = kind else { return .failure(.notRegular(kind)) }
        guard size <= limit else { return .failure(.tooLarge(limit: limit)) }
        // Room for what fstat says, and one byte more to see a file that grew meanwhile.
        var bytes = [UInt8](repeating: 0, count: min(size, limit) + 1)
        var count = 0
        while count < bytes.count {
            let result: Int
            do {
                result = try bytes.withUnsafeMutableBytes { buffer in
                    try descriptor.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...]))
                }
            } catch {
                return .failure(.failed("\(error)"))
            }
            if result == 0 { break }
            count += result
        }
        guard count <= size else {
            return .failure(.failed("it grew while it was read; write it elsewhere and rename it into the inbox"))
        }
        return .success(Contents(bytes: Array(bytes[..<count]), identity: Identity(status)))
    }

    /// The permission bits of the entry at `path` (not following it), for files written about it: an error file
    /// is as private as the file it is about.
    static func permissions(at path: String) -> FilePermissions? {
        (try? status(at: path))?.permissions
    }
}
