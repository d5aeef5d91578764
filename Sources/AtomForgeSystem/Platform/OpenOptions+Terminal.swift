import Glibc
import SystemPackage

extension FileDescriptor.OpenOptions {
    /// `O_NOCTTY`, which swift-system does not name: a terminal opened does not become the process's controlling
    /// terminal (a file in the inbox may be a device).
    package static var noControllingTerminal: Self { Self(rawValue: O_NOCTTY) }
}
