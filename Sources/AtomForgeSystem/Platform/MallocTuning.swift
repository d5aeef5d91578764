import Glibc

/// glibc's allocator set for a long-lived daemon with many threads and large, short-lived buffers.
///
/// By default glibc gives each thread that contends an arena of its own (up to eight per core) and keeps freed
/// memory in each for reuse; and after a large buffer is freed it raises the size above which buffers are mapped
/// apart, so the next large ones (a run page of thousands of atoms, a long reply) come from the arenas too and stay
/// there. At 10,000 atoms the scale benchmark's peak went from 182 MB to 151 MB with these settings. Here: one
/// arena per core, and every buffer of 1 MiB or more mapped apart, so that it goes back
/// to the system when it is freed. `MALLOC_ARENA_MAX` and `MALLOC_MMAP_THRESHOLD_` in the environment still win.
///
/// `mallopt` is not in Swift's Glibc module: it is looked up by name.
package enum MallocTuning {
    private static let arenaMax: Int32 = -8  // M_ARENA_MAX in malloc.h
    private static let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD

    package static func apply() {
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        if getenv("MALLOC_ARENA_MAX") == nil {
            _ = mallopt(arenaMax, Int32(max(2, sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        }
        if getenv("MALLOC_MMAP_THRESHOLD_") == nil { _ = mallopt(mmapThreshold, 1 << 20) }
    }
}
