import Foundation
import Glibc
import Synchronization
import SystemPackage

/// A folder at the top of the outbox (a run folder, `_rejected/`, `_server/`, `_hosts/`) held open as a descriptor,
/// opened without following a link, and written to only through that descriptor.
///
/// The outbox is often writable by the people and pipelines that read it, and AtomForge may run as root: a link
/// `outbox/v1 → /etc` must not make a run write there, nor a swap of the folder for a link while a run goes on.
/// So the folder is opened once with `O_NOFOLLOW` (a link is refused), checked on the descriptor (owned by this
/// user and not writable by every user, so nobody else can have put links inside it), and reached afterwards
/// through ``root``, the descriptor's entry in `/proc/self/fd`, which leads to this very folder whatever its name
/// comes to point at. A folder owned by another user is refused rather than trusted: its files, links included,
/// are theirs to set.
public final class OutboxFolder: Sendable {
    /// The folder as it was named: what messages show.
    public let path: String
    package let descriptor: CInt

    /// A path to this very folder, for the file calls made in it (`root + "/summary.json"`).
    public var root: String { "/proc/self/fd/\(descriptor)" }

    private init(path: String, descriptor: CInt) {
        self.path = path
        self.descriptor = descriptor
        Self.names.withLock { $0[descriptor] = path }
    }

    deinit {
        Self.names.withLock { _ = $0.removeValue(forKey: descriptor) }
        close(descriptor)
    }

    /// The name of each folder held open, by descriptor: what a message shows instead of `/proc/self/fd/N`.
    private static let names = Mutex<[CInt: String]>([:])

    /// `text` with each `/proc/self/fd/N` of a folder held open written as the folder's name: errors of the file
    /// calls made through ``root`` name what a person knows.
    public static func shown(_ text: String) -> String {
        guard text.contains("/proc/self/fd/") else { return text }
        return text.replacing(/\/proc\/self\/fd\/(\d+)/) { match in
            CInt(match.output.1).flatMap { number in names.withLock { $0[number] } } ?? String(match.output.0)
        }
    }

    /// The folder at `path`, created first (mode 0755) when `create` and missing, with the outbox above it.
    /// `filesOnly`: the caller only opens files right inside it, each without following a link, so a sticky folder
    /// every user can write to (`/tmp`, where nobody can replace another's file) is fine for it.
    public static func open(
        _ path: String, create: Bool = false, filesOnly: Bool = false
    ) throws(OutboxError) -> OutboxFolder {
        if create {
            try? FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        }
        if create, mkdir(path, 0o755) != 0, errno != EEXIST {
            throw OutboxError(SystemError("create", path).description)
        }
        let descriptor = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            let error = Errno.last
            var status = stat()
            if lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK {
                throw OutboxError(
                    "\(path) is a symbolic link: AtomForge does not write through links in the outbox; remove the "
                        + "link (a run folder is made anew), or set paths.outbox to the folder it points to")
            }
            if error == .notDirectory || error == .tooManySymbolicLinkLevels {
                throw OutboxError("\(path) is not a folder: move it out of the outbox")
            }
            throw OutboxError(SystemError("open the folder", path, errno: error).description)
        }
        let folder = OutboxFolder(path: path, descriptor: descriptor)
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw OutboxError(SystemError("read the owner of", path).description)
        }
        if status.st_uid != geteuid() {
            throw OutboxError(
                "\(path) belongs to another user (uid \(status.st_uid)): AtomForge writes only in folders of its own "
                    + "user (uid \(geteuid())), since links another user put inside would be followed; move it out "
                    + "of the outbox")
        }
        if status.st_mode & S_IWOTH != 0, !(filesOnly && status.st_mode & S_ISVTX != 0) {
            throw OutboxError(
                "\(path) can be written by every user (mode \(String(status.st_mode & 0o7777, radix: 8))): anyone "
                    + "could put links inside it; `chmod o-w` it, or move it out of the outbox")
        }
        return folder
    }

    /// Removes the entry `name` right inside this folder (not a folder), through the descriptor: whatever the
    /// folder's path has come to point at. Quietly nothing when it is already gone.
    package func removeEntry(named name: String) {
        withExtendedLifetime(self) { _ = unlinkat(descriptor, name, 0) }
    }
}
