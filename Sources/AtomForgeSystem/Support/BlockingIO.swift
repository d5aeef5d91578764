import Dispatch

/// Runs blocking file-system work (writes that end in `fsync`, renames, directory scans) on a dispatch queue of its
/// own, so that it never holds a thread of Swift's cooperative pool, which the scheduler and the model calls share.
public enum BlockingIO {
    private static let queue = DispatchQueue(label: "atomforge.blocking-io", qos: .utility, attributes: .concurrent)

    public static func run<T: Sendable, Failure: Error>(
        _ work: @escaping @Sendable () throws(Failure) -> T
    ) async throws(Failure) -> T {
        let result: Result<T, Failure> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(Failure) -> T in try work() })
            }
        }
        return try result.get()
    }
}
