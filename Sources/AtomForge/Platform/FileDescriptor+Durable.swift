import Glibc
import SystemPackage

extension FileDescriptor {
    /// Flushes what was written to the device (`fsync`), so that it survives a power cut. swift-system has no
    /// wrapper for it.
    func sync() throws(Errno) {
        while Glibc.fsync(rawValue) != 0 {
            let error = Errno.last
            guard error == .interrupted else { throw error }
        }
    }

    /// Takes the file's advisory lock (`flock`), waiting for it; held until the descriptor is closed.
    func lockExclusively() throws(Errno) {
        while flock(rawValue, LOCK_EX) != 0 {
            let error = Errno.last
            guard error == .interrupted else { throw error }
        }
    }
}
