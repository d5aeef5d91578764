import Foundation
import Glibc
import Synchronization

/// An exclusive `flock` on a held folder's `.lock`, with the holder's pid written in it: how a process owns a run
/// folder. Two processes never hold one folder, and the lock goes with the process that held it (a crash included),
/// so a crashed run can be taken over.
///
/// The pid in the file lets `status` confirm a holder the kernel's lock table skipped (``FileLockHolder``); a file
/// left with a dead process's pid says nothing, as only a held lock counts.
package final class FolderLock: Sendable {
    /// The descriptor holding the lock; -1 once released.
    private let descriptor: Atomic<Int32>

    private init(descriptor: Int32) {
        self.descriptor = Atomic(descriptor)
    }

    deinit {
        release()
    }

    /// The lock on `folder`'s `.lock` (opened in the held folder, never through a link), if no other process holds
    /// it; nil when one does, or when the file cannot be opened.
    package static func take(in folder: OutboxFolder) throws(OutboxError) -> FolderLock? {
        let descriptor = withExtendedLifetime(folder) {
            openat(folder.descriptor, ".lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        }
        if descriptor < 0, errno == ELOOP {
            throw OutboxError(
                "\(folder.path)/.lock is a symbolic link: AtomForge does not write through links in the outbox; "
                    + "remove it")
        }
        guard descriptor >= 0 else { return nil }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 { _ = pwrite(descriptor, pid, pid.count, 0) }
        return FolderLock(descriptor: descriptor)
    }

    /// The lock on `folder`'s `.lock`, waiting for another process to let it go; nil when the file went away. It
    /// polls, so that `shouldStop` can end the wait (then it throws); it sleeps the calling thread between tries, so
    /// callers run it off Swift's cooperative pool.
    package static func wait(
        in folder: OutboxFolder, interval: Duration = .milliseconds(100), shouldStop: (() -> Bool)? = nil
    ) throws(OutboxError) -> FolderLock? {
        while true {
            if let lock = try take(in: folder) { return lock }
            guard FileManager.default.fileExists(atPath: folder.root + "/.lock") else { return nil }
            if shouldStop?() == true {
                throw OutboxError("stopped while waiting for \(folder.path), which another process is running")
            }
            ThreadSleep.sleep(interval)
        }
    }

    /// Lets the lock go now, rather than when the last reference goes. The pid goes with it: a released folder
    /// names no process for `status` to look through.
    package func release() {
        let descriptor = descriptor.exchange(-1, ordering: .acquiringAndReleasing)
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        close(descriptor)
    }
}
