import AtomForgeSystem

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
        var entries: [(name: String, modified: Int)] = []
        var listing = Listing()
        for entry in DirectoryEntries.list(directory) {
            guard let name = String(validating: entry.name, as: UTF8.self) else {
                if entry.name.first != UInt8(ascii: ".") { listing.undecodable.append(entry.name) }
                continue
            }
            guard isCandidate(name), let modified = entry.modified else { continue }
            entries.append((name, modified))
        }
        listing.names = entries.sorted { ($0.modified, $0.name) < ($1.modified, $1.name) }.map(\.name)
        return listing
    }
}
