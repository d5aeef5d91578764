import Glibc

/// Memory the process freed, given back to the system.
///
/// glibc's allocator keeps what a burst of work freed for later allocations (in its arenas, one per thread that
/// allocated): after 5,000 plans a daemon held 477 MB idle that it no longer used. When the work is done, the daemon
/// asks for it to be returned (`malloc_trim`), so that an idle daemon is small again (BENCHMARKS.md,
/// `daemon-memory`).
package enum FreedMemory {
    /// Returns the free memory of every arena to the system; blocking (it walks the heaps): call it off the
    /// cooperative pool.
    package static func giveBack() {
        trim?(0)
    }

    /// glibc's `malloc_trim`, which the Glibc module does not declare (it is in `malloc.h`): looked up once; nil on
    /// a C library without it.
    private static let trim: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()
}
