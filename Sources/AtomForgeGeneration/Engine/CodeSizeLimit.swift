import AtomForgeModel

/// How much code one reply may bring, and how much of a reply AtomForge keeps.
///
/// A provider that ignores `max_tokens` (or a server that is not what it claims) can send megabytes: that code is
/// never validated, never written whole and never sent back in a prompt. The limit follows the atom's size: 400
/// bytes per estimated line (about ten times what a line takes), at least 8 KiB, at most
/// `generation.max_code_bytes`.
public struct CodeSizeLimit: Sendable, Equatable {
    /// The validator name of the issue a too long attempt gets.
    public static let validator = "size"
    /// The most of a raw reply a report keeps.
    public static let keptReplyBytes = 65_536

    public var bytes: Int

    public init(for atom: Atom, ceiling: Int) {
        let relative = atom.estimatedLOC.map { max(8_192, $0 * 400) } ?? ceiling
        bytes = max(1, min(ceiling, relative))
    }

    /// The issue for code of `size` bytes, or nil when it is within the limit.
    public func issue(forCodeOf size: Int) -> ValidationIssue? {
        guard size > bytes else { return nil }
        return ValidationIssue(
            .error,
            "the code is \(Self.describe(size)), more than an atom of this size may have (\(Self.describe(bytes)); "
                + "generation.max_code_bytes caps it): not validated; write the unit alone, much shorter",
            validator: Self.validator, kind: .tooLong)
    }

    /// The first `limit` bytes of `text` (cut at a character), with a line that says how much was left out.
    public static func kept(_ text: String, limit: Int) -> String {
        let size = text.utf8.count
        guard size > limit else { return text }
        // Back from `limit` to the start of a character: UTF-8 continuation bytes are 0b10xxxxxx.
        let head = Array(text.utf8.prefix(limit + 4))
        var end = limit
        while end > 0, head[end] & 0xC0 == 0x80 { end -= 1 }
        return String(decoding: head[..<end], as: UTF8.self) + "\n… (\(describe(size - end)) more not kept)"
    }

    static func describe(_ bytes: Int) -> String {
        if bytes >= 1_048_576 { return "\((Double(bytes) / 1_048_576 * 10).rounded() / 10) MiB" }
        if bytes >= 1024 { return "\((Double(bytes) / 1024 * 10).rounded() / 10) KiB" }
        return "\(bytes) bytes"
    }
}
