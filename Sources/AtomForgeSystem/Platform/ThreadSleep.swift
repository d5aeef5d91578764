import Glibc

/// Sleeping the calling thread: for the few polls that run off Swift's cooperative pool (on ``BlockingIO``'s
/// queue), where `Task.sleep` cannot be awaited.
package enum ThreadSleep {
    package static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var time = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        // Interrupted by a signal: sleep what is left.
        while nanosleep(&time, &remaining) != 0, errno == EINTR { time = remaining }
    }
}
