import Foundation
import Glibc

/// This process as the system knows it: its id, its user, the machine's name. Named here so that the layers above
/// ask the platform edge, not the C library.
package enum CurrentProcess {
    /// The process id (`getpid`): what the run folder's lock file and the host status file name.
    package static var id: Int32 { getpid() }

    /// The real user id (`getuid`): what the sandbox's scratch folders are named after.
    package static var userID: UInt32 { getuid() }

    /// True when running as root, where bubblewrap's user namespace needs one more step.
    package static var isRoot: Bool { getuid() == 0 }

    /// This machine's name (a pod's name under Kubernetes), `/` made `_` so that it can name a file; `localhost`
    /// when the system gives none.
    package static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name.replacingOccurrences(of: "/", with: "_")
    }
}
