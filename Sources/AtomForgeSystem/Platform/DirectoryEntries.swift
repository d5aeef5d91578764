import Glibc

/// The entries of a folder as the kernel lists them (`readdir`): each name as its bytes, so that a name that is not
/// UTF-8 is seen rather than skipped, with its modification time read without following a link.
package enum DirectoryEntries {
    package struct Entry: Sendable, Equatable {
        /// The name's bytes, exactly.
        package var name: [UInt8]
        /// Nanoseconds since 1970 of the entry itself (`lstat`), nil when it went away while listed.
        package var modified: Int?
    }

    /// Every entry of `directory` but `.` and `..`; empty when it cannot be opened.
    package static func list(_ directory: String) -> [Entry] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var entries: [Entry] = []
        while let entry = readdir(stream) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            guard bytes != [0x2E], bytes != [0x2E, 0x2E] else { continue }
            // The path as bytes too: a name that is not UTF-8 is still the file's name.
            let path = (Array(directory.utf8) + [UInt8(ascii: "/")] + bytes + [0]).map { CChar(bitPattern: $0) }
            var status = stat()
            let modified =
                lstat(path, &status) == 0
                ? Int(status.st_mtim.tv_sec) * 1_000_000_000 + Int(status.st_mtim.tv_nsec) : nil
            entries.append(Entry(name: bytes, modified: modified))
        }
        return entries
    }
}
