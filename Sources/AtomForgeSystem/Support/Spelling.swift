/// Which of the words a program knows a mistyped one was meant to be: a command line's subcommand, a key.
public enum Spelling {
    /// The word of `known` a typo's worth of edits away from `word` (the nearest; the first of equals), or nil.
    public static func closest(to word: String, among known: [String]) -> String? {
        known.filter { $0.isCloseSpelling(of: word) }.min { $0.editDistance(to: word) < $1.editDistance(to: word) }
    }
}
