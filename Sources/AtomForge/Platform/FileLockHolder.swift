import Foundation
import Glibc

/// Which process holds a lock on a file, read from the kernel's table (`/proc/locks`) rather than by trying to take
/// it: a look that takes the lock, however briefly, could make a run that starts at that moment wait or refuse.
enum FileLockHolder {
    /// The process holding a `flock` or POSIX lock on the file at `path`; nil when none does (or it cannot be told).
    static func pid(holding path: String) -> Int32? {
        var status = stat()
        guard stat(path, &status) == 0, let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else {
            return nil
        }
        let device = String(
            format: "%02llx:%02llx:%llu", major(status.st_dev), minor(status.st_dev), UInt64(status.st_ino))
        for line in table.split(separator: "\n") where !line.contains("->") {
            // `1: FLOCK  ADVISORY  WRITE 3290 00:2e:1234 0 EOF`: the holder's pid, then device and inode.
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[5] == device else { continue }
            return Int32(fields[4])
        }
        return nil
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
