import Foundation

/// Which files in the inbox are plans to take, and the listing a rescan uses.
public enum InboxFiles {
    /// Producers write under a temporary name and rename into place: dotfiles and `*.tmp`, `*.part`, `*~` are
    /// files still being written, never plans.
    public static func isCandidate(_ name: String) -> Bool {
        !(name.hasPrefix(".") || name.hasSuffix(".tmp") || name.hasSuffix(".part") || name.hasSuffix("~")
            || name.hasSuffix(".swp"))
    }

    /// The candidate regular files in `directory`, oldest first, so plans are taken in the order they arrived.
    public static func scan(_ directory: String) -> [String] {
        let fileManager = FileManager.default
        let names = (try? fileManager.contentsOfDirectory(atPath: directory)) ?? []
        var entries: [(name: String, modified: Date)] = []
        for name in names where isCandidate(name) {
            guard let attributes = try? fileManager.attributesOfItem(atPath: directory + "/" + name),
                attributes[.type] as? FileAttributeType == .typeRegular
            else { continue }
            entries.append((name, attributes[.modificationDate] as? Date ?? .distantPast))
        }
        return entries.sorted { ($0.modified, $0.name) < ($1.modified, $1.name) }.map(\.name)
    }
}
