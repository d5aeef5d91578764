import Glibc

/// Which entries of the inbox are plans to take, and the listing a rescan uses.
public enum InboxFiles {
    /// Producers write under a temporary name and rename into place: dotfiles and `*.tmp`, `*.part`, `*~` are
    /// files still being written, never plans.
    public static func isCandidate(_ name: String) -> Bool {
        !(name.hasPrefix(".") || name.hasSuffix(".tmp") || name.hasSuffix(".part") || name.hasSuffix("~")
            || name.hasSuffix(".swp"))
    }

    /// What a rescan finds: the candidate entries, oldest first, so plans are taken in the order they arrived, and
    /// the names that are not UTF-8, as their bytes.
    public struct Listing: Sendable, Equatable {
        public var names: [String] = []
        public var undecodable: [[UInt8]] = []
    }

    /// Every candidate entry of `directory`, whatever its type: links, pipes and folders are listed too, so that
    /// taking them refuses them with a message, at start and on a rescan as on an event. Read with `readdir`, so a
    /// name that is not UTF-8 is seen as the bytes it is.
    public static func scan(_ directory: String) -> Listing {
        guard let stream = opendir(directory) else { return Listing() }
        defer { closedir(stream) }
        var entries: [(name: String, modified: Int)] = []
        var listing = Listing()
        while let entry = readdir(stream) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            guard let name = String(validating: bytes, as: UTF8.self) else {
                if bytes.first != UInt8(ascii: ".") { listing.undecodable.append(bytes) }
                continue
            }
            guard name != ".", name != "..", isCandidate(name) else { continue }
            var status = stat()
            guard lstat(directory + "/" + name, &status) == 0 else { continue }
            entries.append((name, Int(status.st_mtim.tv_sec) * 1_000_000_000 + Int(status.st_mtim.tv_nsec)))
        }
        listing.names = entries.sorted { ($0.modified, $0.name) < ($1.modified, $1.name) }.map(\.name)
        return listing
    }
}
