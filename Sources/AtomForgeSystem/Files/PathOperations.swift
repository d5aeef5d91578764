import Glibc
import SystemPackage

/// The file system's calls on names (not on descriptors), each failing with its `Errno`, which the caller matches
/// (`catch .fileExists`) or puts in its message: the layers above name files and folders, the calls are made here.
package enum PathOperations {
    /// Creates the folder `path` (one level); `.fileExists` when something has the name.
    package static func makeFolder(_ path: String, mode: FilePermissions = FilePermissions(rawValue: 0o755))
        throws(Errno)
    {
        guard mkdir(path, mode.rawValue) == 0 else { throw Errno.last }
    }

    /// Creates the folder `path` unless it exists; true when this call created it.
    @discardableResult
    package static func makeFolderIfMissing(_ path: String) throws(Errno) -> Bool {
        do {
            try makeFolder(path)
            return true
        } catch .fileExists {
            return false
        }
    }

    /// Removes the file (not a folder) `path`.
    package static func removeFile(_ path: String) throws(Errno) {
        guard unlink(path) == 0 else { throw Errno.last }
    }

    /// Removes the folder `path` if it is empty.
    package static func removeEmptyFolder(_ path: String) throws(Errno) {
        guard rmdir(path) == 0 else { throw Errno.last }
    }

    /// Sets the permission bits of `path` (following a link), whatever the umask made them.
    package static func setPermissions(_ path: String, _ permissions: FilePermissions) throws(Errno) {
        guard chmod(path, permissions.rawValue) == 0 else { throw Errno.last }
    }

    /// Renames `source` to `target`, replacing a file there.
    package static func rename(_ source: String, to target: String) throws(Errno) {
        guard Glibc.rename(source, target) == 0 else { throw Errno.last }
    }

    /// Moves `source` (its bytes: a name need not be UTF-8) to `target` only while that name is free: `link`, then
    /// `unlink` of the old name. Unlike `rename`, `link` never replaces a file already there, so exactly one of two
    /// processes gets a name, and exactly one gets a file. `.fileExists` when the name is taken.
    ///
    /// `folders`: a folder (which cannot be linked) is renamed instead, once its name is seen free.
    package static func moveWithoutReplacing(_ source: [UInt8], to target: String, folders: Bool = false) throws(Errno)
    {
        let failure: Errno? = (source + [0]).withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { name -> Errno? in
                if link(name.baseAddress!, target) == 0 {
                    if unlink(name.baseAddress!) == 0 { return nil }
                    let failure = Errno.last
                    unlink(target)
                    return failure
                }
                let failure = Errno.last
                guard folders, failure == .notPermitted || failure == .isDirectory else { return failure }
                // A folder: rename, which would replace only an empty folder of that name; checked first.
                var status = stat()
                guard lstat(target, &status) != 0 else { return .fileExists }
                return Glibc.rename(name.baseAddress!, target) == 0 ? nil : Errno.last
            }
        }
        if let failure { throw failure }
    }

    /// ``moveWithoutReplacing(_:to:folders:)`` for a path that is text.
    package static func moveWithoutReplacing(_ source: String, to target: String) throws(Errno) {
        try moveWithoutReplacing(Array(source.utf8), to: target)
    }
}
