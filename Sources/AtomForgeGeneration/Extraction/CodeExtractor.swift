import AtomForgeModel
import AtomForgeSystem

/// Takes the code out of a model's reply, never the prose around it.
///
/// In order: the fenced block tagged with the atom's language (` ```python `, ` ```py `…); else the only fenced
/// block; else the longest untagged block; else the reply itself, less any stray fence lines (small models often
/// answer with bare code). A block left open by a cut-off reply counts up to the end of the reply.
public enum CodeExtractor {
    struct Block {
        var tag: String
        var lines: [Substring]
    }

    public static func extract(from reply: String, language: Language) -> String {
        let blocks = fencedBlocks(in: reply)
        let tags = Set(language.fenceTags)
        let chosen =
            blocks.first { tags.contains($0.tag.lowercased()) }
            ?? (blocks.count == 1 ? blocks.first : nil)
            ?? blocks.filter { $0.tag.isEmpty }.max { $0.lines.count < $1.lines.count }
        if let chosen { return chosen.lines.trimmedLines() }
        let bare = reply.split(separator: "\n", omittingEmptySubsequences: false).filter { !isFence($0) }
        return bare.trimmedLines()
    }

    static func fencedBlocks(in reply: String) -> [Block] {
        var blocks: [Block] = []
        var open: Block?
        for line in reply.split(separator: "\n", omittingEmptySubsequences: false) {
            if isFence(line) {
                if let block = open {
                    blocks.append(block)
                    open = nil
                } else {
                    let tag = line.drop { $0 == " " }.drop { $0 == "`" || $0 == "~" }
                    open = Block(tag: String(tag.split(separator: " ").first ?? ""), lines: [])
                }
            } else {
                open?.lines.append(line)
            }
        }
        if let open, !open.lines.isEmpty { blocks.append(open) }
        return blocks
    }

    /// A fence line: up to three spaces, then three or more backticks (or tildes).
    static func isFence(_ line: Substring) -> Bool {
        let indent = line.prefix { $0 == " " }
        guard indent.count <= 3 else { return false }
        let rest = line.dropFirst(indent.count)
        return rest.hasPrefix("```") || rest.hasPrefix("~~~")
    }
}
