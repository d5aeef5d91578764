/// Small text helpers the whole library shares.
extension String {
    /// Without the white space at either end.
    package func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    /// Without every repetition of `suffix` at the end (`/v1//` less `/` is `/v1`).
    package func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }

    /// True when the two differ by a typo's worth of edits: one for short names, two for longer ones.
    package func isCloseSpelling(of other: String) -> Bool {
        let distance = editDistance(to: other)
        return distance > 0 && distance <= (min(count, other.count) <= 4 ? 1 : 2)
    }

    /// Edit distance: insertions, deletions, substitutions and swaps of two neighbouring characters, one each (the
    /// optimal string alignment distance), so that `rnu` is one typo from `run`, as it is to the person who typed it.
    package func editDistance(to other: String) -> Int {
        let a = Array(self), b = Array(other)
        var beforePrevious: [Int] = []
        var previous = Array(0...b.count)
        for i in a.indices {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for j in b.indices {
                let substitution = previous[j] + (a[i] == b[j] ? 0 : 1)
                current[j + 1] = Swift.min(previous[j + 1] + 1, current[j] + 1, substitution)
                if i > 0, j > 0, a[i] == b[j - 1], a[i - 1] == b[j] {
                    current[j + 1] = Swift.min(current[j + 1], beforePrevious[j - 1] + 1)
                }
            }
            beforePrevious = previous
            previous = current
        }
        return previous[b.count]
    }

    /// How many times `character` occurs.
    package func count(of character: Character) -> Int {
        reduce(0) { $1 == character ? $0 + 1 : $0 }
    }

    /// The text up to its first line break.
    package var firstLine: String { String(prefix { $0 != "\n" }) }
}
