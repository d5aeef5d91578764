import Glibc
import SystemPackage

/// A system call that failed, as a user reads it: what was being done, to which file, and why (the `Errno`, whose
/// text is `strerror`'s). Errors are built from ``Errno/last`` here or at the call, never from `strerror` of their
/// own; code that only tests `errno` for a value (`EEXIST`, `ENOENT`) still reads it.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    /// What was being done, as a verb phrase: `write`, `open the journal`, `move`.
    public var operation: String
    public var path: String?
    public var errno: Errno

    public init(_ operation: String, _ path: String? = nil, errno: Errno = .last) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// `cannot write outbox/p/journal.jsonl: No space left on device`.
    public var description: String {
        "cannot \(operation)\(path.map { " " + $0 } ?? ""): \(errno)"
    }
}

extension Errno {
    /// The calling thread's `errno` now: read right after the call that failed.
    public static var last: Errno { Errno(rawValue: Glibc.errno) }
}
