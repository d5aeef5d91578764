/// The lines of one text against another, as a person reads a diff: kept, removed and added lines, with long runs of
/// kept lines folded to their count.
///
/// Built on the standard library's `CollectionDifference` (a Myers diff), so there is no diff algorithm of our own to
/// get wrong; this type only turns its offsets into the lines a page shows.
package struct LineDiff: Equatable, Sendable {
    package enum Line: Equatable, Sendable {
        case kept(String)
        case removed(String)
        case added(String)
        /// This many kept lines, not shown.
        case folded(Int)
    }

    package var lines: [Line]

    /// `context`: the kept lines shown on each side of a change; longer runs are folded.
    package init(from old: String, to new: String, context: Int = 3) {
        let before = Self.lines(of: old)
        let after = Self.lines(of: new)
        let difference = after.difference(from: before)
        var removed = Set<Int>()
        var inserted = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        var all: [Line] = []
        var (oldIndex, newIndex) = (0, 0)
        while oldIndex < before.count || newIndex < after.count {
            if oldIndex < before.count, removed.contains(oldIndex) {
                all.append(.removed(before[oldIndex]))
                oldIndex += 1
            } else if newIndex < after.count, inserted.contains(newIndex) {
                all.append(.added(after[newIndex]))
                newIndex += 1
            } else {
                // Neither removed nor inserted: the same line on both sides.
                all.append(.kept(after[newIndex]))
                oldIndex += 1
                newIndex += 1
            }
        }
        lines = Self.fold(all, context: context)
    }

    /// Whether the two texts differ at all.
    package var hasChanges: Bool {
        lines.contains {
            switch $0 {
            case .removed, .added: true
            case .kept, .folded: false
            }
        }
    }

    /// The lines as the page's data carries them: `" kept"`, `"-removed"`, `"+added"`, `"@12"` for 12 folded lines.
    package var encoded: [String] {
        lines.map {
            switch $0 {
            case .kept(let text): " " + text
            case .removed(let text): "-" + text
            case .added(let text): "+" + text
            case .folded(let count): "@\(count)"
            }
        }
    }

    /// Lines split on `\n` by scalar: `\r\n` is one `Character` in Swift, so a file with Windows line ends would
    /// otherwise be one line.
    private static func lines(of text: String) -> [String] {
        text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var line = String.UnicodeScalarView(line)
            if line.last == "\r" { line.removeLast() }
            return String(line)
        }
    }

    private static func fold(_ lines: [Line], context: Int) -> [Line] {
        let changed = lines.indices.filter {
            if case .kept = lines[$0] { return false }
            return true
        }
        var shown = Set<Int>()
        for index in changed {
            for near in max(0, index - context)...min(lines.count - 1, index + context) { shown.insert(near) }
        }
        // A single hidden line is shown: its fold would take the same room.
        var folded: [Line] = []
        var hidden: [Line] = []
        func flush() {
            folded += hidden.count == 1 ? hidden : hidden.isEmpty ? [] : [.folded(hidden.count)]
            hidden = []
        }
        for (index, line) in lines.enumerated() {
            if shown.contains(index) {
                flush()
                folded.append(line)
            } else {
                hidden.append(line)
            }
        }
        flush()
        return folded
    }
}
