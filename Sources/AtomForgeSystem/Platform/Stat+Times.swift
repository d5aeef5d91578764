import Glibc
import SystemPackage

/// The times of a `Stat` as numbers: swift-system gives them as C `timespec`s, which the layers above do not see.
extension Stat {
    /// Seconds since 1970 of the last change to the contents (`st_mtim`).
    package var modifiedSeconds: Double { Self.seconds(st_mtim) }

    /// Seconds since 1970 of the last change to the contents or the entry itself (`st_ctim`: a rename, a link).
    package var changedSeconds: Double { Self.seconds(st_ctim) }

    /// Nanoseconds since 1970 of the last change to the contents, exactly: an order of arrival to sort by.
    package var modifiedNanoseconds: Int { Int(st_mtim.tv_sec) * 1_000_000_000 + Int(st_mtim.tv_nsec) }

    private static func seconds(_ time: timespec) -> Double {
        Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
