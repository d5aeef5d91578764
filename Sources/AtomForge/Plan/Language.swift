/// What AtomForge knows about a programming language: how its files end and how replies tag its code blocks.
public struct Language: Sendable, Hashable {
    /// The name plans use (`python`, `swift`…), lowercased.
    public var name: String
    /// File extensions without the dot; the first is the one given to files AtomForge names itself.
    public var fileExtensions: [String]
    /// The tags a fenced block may carry (` ```py `), the name included.
    public var fenceTags: [String]
    /// How a line comment starts, for headers in assembled files.
    public var lineComment: String

    /// The languages with built-in validators.
    public static let known: [Language] = [
        Language(name: "python", fileExtensions: ["py"], fenceTags: ["python", "py", "python3"], lineComment: "#"),
        Language(name: "swift", fileExtensions: ["swift"], fenceTags: ["swift"], lineComment: "//"),
        Language(
            name: "javascript", fileExtensions: ["js", "mjs", "cjs"], fenceTags: ["javascript", "js", "node"],
            lineComment: "//"),
        Language(name: "typescript", fileExtensions: ["ts"], fenceTags: ["typescript", "ts"], lineComment: "//"),
    ]

    /// The language named `name` (any case); one AtomForge has no validator for gets a plain description.
    public static func named(_ name: String) -> Language {
        let lowered = name.lowercased()
        return known.first { $0.name == lowered || $0.fenceTags.contains(lowered) }
            ?? Language(name: lowered, fileExtensions: [lowered], fenceTags: [lowered], lineComment: "#")
    }

    /// The known language whose files end like `path`, if any.
    public static func forFile(_ path: String) -> Language? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        let fileExtension = path[path.index(after: dot)...].lowercased()
        return known.first { $0.fileExtensions.contains(fileExtension) }
    }

    public var isKnown: Bool { Self.known.contains(self) }
}
