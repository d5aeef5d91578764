import Glibc
import SystemPackage

extension FileDescriptor {
    /// Flushes what was written to the device (`fsync`), so that it survives a power cut. swift-system has no
    /// wrapper for it.
    package func sync() throws(Errno) {
        while Glibc.fsync(rawValue) != 0 {
            let error = Errno.last
            guard error == .interrupted else { throw error }
        }
    }

    /// Flushes a folder's entries (a file renamed into it, a file created in it) to the device: `fsync` of the file
    /// alone keeps its bytes, not the name that leads to them.
    static func syncFolder(_ path: String) throws(Errno) {
        let folder: FileDescriptor
        do {
            folder = try FileDescriptor.open(path, .readOnly, options: [.directory, .closeOnExec])
        } catch {
            throw error as? Errno ?? .last
        }
        defer { try? folder.close() }
        try folder.sync()
    }

    /// Takes the file's advisory lock (`flock`), waiting for it; held until the descriptor is closed.
    package func lockExclusively() throws(Errno) {
        while flock(rawValue, LOCK_EX) != 0 {
            let error = Errno.last
            guard error == .interrupted else { throw error }
        }
    }
}
