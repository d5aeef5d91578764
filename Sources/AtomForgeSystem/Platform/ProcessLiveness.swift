import Glibc

/// Whether another process still exists, asked of the kernel without disturbing it.
package enum ProcessLiveness {
    /// True when `pid` names a live process: signal 0 is delivered to nobody, yet checked; `EPERM` means it exists
    /// and belongs to another user.
    package static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0 || errno == EPERM
    }
}
