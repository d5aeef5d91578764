import Foundation
import Glibc
import Synchronization
import SystemPackage

/// A folder of its own for one run of a validator's program, private to it.
///
/// Scratch folders live in `$TMPDIR/atomforge-<uid>/` (0711: others may pass through to a folder they were given,
/// never list it), each named after the process that made it and private (0700) to the program that runs in it:
/// another user of the machine never reads the generated code. A process removes what is left of its own folders
/// when it exits; one killed with `kill -9` cannot: the next one removes those whose process is gone.
package struct Scratch: Sendable {
    package let path: String

    package init() throws(ChildProcessError) {
        let parent = try Self.parent()
        var template = Array("\(parent)/\(getpid())-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw ChildProcessError(executable: "mkdtemp", reason: Errno.last.description)
        }
        path = String(cString: made)
    }

    /// Makes the folder and its files `user`'s, when the program runs as a user of its own (AtomForge as root).
    package func give(to user: UInt32?) {
        guard let user else { return }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for name in names { chown(path + "/" + name, user, user) }
        chown(path, user, user)
    }

    package func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// `$TMPDIR/atomforge-<uid>`, made once per process (0711, ours, not a link), its dead processes' folders
    /// removed.
    private static func parent() throws(ChildProcessError) -> String {
        try prepared.withLock { folder throws(ChildProcessError) in
            // Made again if something (a cleaner of /tmp) removed it.
            if let folder, access(folder, F_OK) == 0 { return folder }
            let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("atomforge-\(getuid())")
            if mkdir(path, 0o711) != 0, errno != EEXIST {
                throw ChildProcessError(executable: "mkdir \(path)", reason: Errno.last.description)
            }
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, status.st_uid == getuid() else {
                throw ChildProcessError(
                    executable: "mkdir \(path)",
                    reason: "it exists and is not a folder of this user's; remove it or set TMPDIR elsewhere")
            }
            chmod(path, 0o711)
            removeLeftovers(in: path)
            if folder == nil {
                // The folders of services that live as long as the process (the warm parser's and runner's) are
                // removed when it exits, not left for the next process to find.
                atexit { Scratch.removeOwn() }
            }
            folder = path
            return path
        }
    }

    private static let prepared = Mutex<String?>(nil)

    /// Removes this process's folders (`<pid>-…`) and their output files.
    package static func removeOwn() {
        guard let parent = prepared.withLock({ $0 }) else { return }
        let prefix = "\(getpid())-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: parent + "/" + name)
        }
    }

    /// Folders (and their `.output` files) whose process is gone and that are older than a validator run can
    /// last: a process of another PID namespace sharing the folder looks gone too, and its runs are young.
    package static func removeLeftovers(in parent: String, olderThan age: TimeInterval = 3600) {
        let now = Date().timeIntervalSince1970
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] {
            guard let pid = pid_t(name.prefix { $0.isNumber }), pid != getpid() else { continue }
            var status = stat()
            guard lstat(parent + "/" + name, &status) == 0, now - TimeInterval(status.st_mtim.tv_sec) > age else {
                continue
            }
            if kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(atPath: parent + "/" + name)
            }
        }
    }
}
