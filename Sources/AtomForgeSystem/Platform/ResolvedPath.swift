import Glibc

/// A path with every link on the way resolved, as the kernel resolves it when the file is opened (`realpath(3)`):
/// what a check that a file stays inside a folder must compare.
package enum ResolvedPath {
    /// `path` resolved, or nil when a part of it does not exist or cannot be read.
    package static func of(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
