import Foundation
import Glibc

/// Which process holds a lock on a file, read from the kernel's records rather than by trying to take it: a look that
/// takes the lock, however briefly, could make a run that starts at that moment wait or refuse.
package enum FileLockHolder {
    /// The process holding a `flock` or POSIX lock on the file at `path`; nil when none does (or it cannot be told).
    ///
    /// The kernel's table of locks (`/proc/locks`) is handed out a page at a time, and where the next page starts is
    /// found by counting entries: a lock released earlier in the table between two pages shifts the rest, and one
    /// entry is never shown. With many locks coming and going (a daemon taking a hundred plans) a held lock can be
    /// missing from one read, or from several in a row. So a lock the table does not show is looked for once more
    /// where it cannot be skipped: among the descriptors of the process whose pid the file holds (written there by
    /// whoever took the lock), each of which the kernel describes on its own, locks included (`/proc/PID/fdinfo`).
    /// `table` reads the kernel's table (a parameter so that a test can hand it one that skipped the entry).
    package static func pid(
        holding path: String,
        table: () -> String? = { try? String(contentsOfFile: "/proc/locks", encoding: .utf8) }
    ) -> Int32? {
        // The file itself, not what a link names, and only a regular one: an outbox entry may be hostile (a link, a
        // FIFO that would block the read, a device that never ends).
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        let device = String(
            format: "%02llx:%02llx:%llu", major(status.st_dev), minor(status.st_dev), UInt64(status.st_ino))
        if let table = table(), let pid = holder(of: device, in: table) {
            return pid
        }
        // A pid is a few digits and a newline; more is no pid.
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = read(descriptor, &bytes, bytes.count)
        guard count > 0,
            let pid = Int32(
                String(decoding: bytes[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
            pid > 0, holds(pid, device)
        else { return nil }
        return pid
    }

    /// The pid of the first lock (not a waiter, which `->` marks) on the file `device` names (`major:minor:inode`).
    package static func holder(of device: String, in table: String) -> Int32? {
        for line in table.split(separator: "\n") where !line.contains("->") {
            // `1: FLOCK  ADVISORY  WRITE 3290 00:2e:1234 0 EOF`: the holder's pid, then device and inode.
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[5] == device else { continue }
            return Int32(fields[4])
        }
        return nil
    }

    /// Whether one of process `pid`'s descriptors holds a lock on the file `device` names: its `fdinfo` entries end
    /// with a `lock:` line per lock, in the table's own form.
    private static func holds(_ pid: Int32, _ device: String) -> Bool {
        let folder = "/proc/\(pid)/fdinfo"
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return descriptors.contains { descriptor in
            guard let info = try? String(contentsOfFile: folder + "/" + descriptor, encoding: .utf8) else {
                return false
            }
            return info.split(separator: "\n").contains { line in
                line.hasPrefix("lock:") && holder(of: device, in: String(line.dropFirst("lock:".count))) == pid
            }
        }
    }

    /// glibc's `major()` and `minor()` (macros Swift does not import): the device number's two halves.
    private static func major(_ device: dev_t) -> UInt64 {
        let device = UInt64(device)
        return ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
    }

    private static func minor(_ device: dev_t) -> UInt64 {
        let device = UInt64(device)
        return (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
    }
}
