import Glibc

/// CPU time as the kernel counts it for this process (`getrusage`), for the benchmarks.
package enum ProcessorTime {
    /// User and system seconds of this process and of its children that have been waited for.
    package static func selfAndChildren() -> Double {
        var total = 0.0
        for who in [RUSAGE_SELF.rawValue, RUSAGE_CHILDREN.rawValue] {
            var usage = rusage()
            getrusage(who, &usage)
            total += Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            total += Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        }
        return total
    }
}
