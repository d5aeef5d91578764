extension DescriptionExamples {
    /// The textual scanning of examples: brackets, quotes and identifiers, on characters.
    enum Scanner {
        static let openers: [Character: Character] = ["(": ")", "[": "]", "{": "}"]
        static let quotes: Set<Character> = ["'", "\""]

        /// The first call of `name` in `text` (`name(` at the start of an identifier, up to its closing
        /// parenthesis), or nil.
        static func call(of name: String, in text: String) -> String? {
            let characters = Array(text)
            guard let start = find(name + "(", in: characters, from: 0),
                let end = balancedEnd(characters, from: start + name.count)
            else { return nil }
            return String(characters[start..<end])
        }

        /// Where `pattern` next starts in `characters` at or after `from`, not inside a longer identifier or a string.
        static func find(_ pattern: String, in characters: [Character], from: Int) -> Int? {
            let target = Array(pattern)
            var index = from
            while index + target.count <= characters.count {
                let character = characters[index]
                if quotes.contains(character) {
                    index = stringEnd(characters, from: index) ?? characters.count
                    continue
                }
                if Array(characters[index..<index + target.count]) == target,
                    index == 0 || !isIdentifierCharacter(characters[index - 1]) && characters[index - 1] != "."
                {
                    return index
                }
                index += 1
            }
            return nil
        }

        /// The index after the bracket closing the one at `from`, skipping strings; nil when it is not closed.
        static func balancedEnd(_ characters: [Character], from: Int) -> Int? {
            guard from < characters.count, openers[characters[from]] != nil else { return nil }
            var stack: [Character] = []
            var quote: Character?
            var index = from
            while index < characters.count {
                let character = characters[index]
                index += 1
                if let open = quote {
                    if character == "\\" {
                        index += 1
                    } else if character == open {
                        quote = nil
                    }
                    continue
                }
                if quotes.contains(character) {
                    quote = character
                } else if let closer = openers[character] {
                    stack.append(closer)
                } else if [")", "]", "}"].contains(character) {
                    guard stack.last == character else { return nil }
                    stack.removeLast()
                    if stack.isEmpty { return index }
                }
            }
            return nil
        }

        /// Whether every bracket and quote in `text` is closed, in order.
        static func isBalanced(_ text: String) -> Bool {
            var stack: [Character] = []
            var quote: Character?
            var escaped = false
            for character in text {
                if let open = quote {
                    if escaped {
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == open {
                        quote = nil
                    }
                    continue
                }
                if quotes.contains(character) {
                    quote = character
                } else if let closer = openers[character] {
                    stack.append(closer)
                } else if [")", "]", "}"].contains(character) {
                    guard stack.last == character else { return false }
                    stack.removeLast()
                }
            }
            return stack.isEmpty && quote == nil
        }

        /// `...` or `…` outside strings: a value left out, so not a value.
        static func hasEllipsis(_ text: String) -> Bool {
            outsideStrings(text).contains("...") || outsideStrings(text).contains("…")
        }

        /// An `=` that assigns (`x = f(2)`), outside brackets and strings: a statement, not a value.
        static func hasTopLevelAssignment(_ text: String) -> Bool {
            let characters = Array(outsideStrings(text))
            var depth = 0
            for (index, character) in characters.enumerated() {
                if openers[character] != nil { depth += 1 }
                if [")", "]", "}"].contains(character) { depth -= 1 }
                guard character == "=", depth == 0 else { continue }
                let before = index > 0 ? characters[index - 1] : " "
                let after = index + 1 < characters.count ? characters[index + 1] : " "
                if !"=!<>".contains(before) && !"=>".contains(after) { return true }
            }
            return false
        }

        /// The comparison or arrow after a call (`==`, `->`, `returns`…), skipping spaces and a comment mark
        /// (`# =>`, `// =>`): the index after it.
        static func arrow(in characters: [Character], from: Int) -> (Int, String)? {
            var index = skipSpaces(characters, from)
            for mark in ["#", "//"] where matches(mark, characters, at: index) {
                index = skipSpaces(characters, index + mark.count)
            }
            let operators = [
                "===", "==", "->", "→", "=>", "should return", "should be", "returns", "return", "gives", "equals",
                "is",
            ]
            for word in operators where matches(word, characters, at: index) {
                let end = index + word.count
                // A word must end there (`is` is not `isEmpty`).
                if word.first!.isLetter, end < characters.count, isIdentifierCharacter(characters[end]) { continue }
                return (end, word)
            }
            return nil
        }

        /// The next `->`, `→` or `=>` outside strings at or after `from`: where it starts and ends.
        static func nextArrow(in characters: [Character], from: Int) -> (Int, Int)? {
            var index = from
            while index < characters.count {
                if quotes.contains(characters[index]) {
                    index = stringEnd(characters, from: index) ?? characters.count
                    continue
                }
                for arrow in ["->", "→", "=>"] where matches(arrow, characters, at: index) {
                    return (index, index + arrow.count)
                }
                index += 1
            }
            return nil
        }

        /// One value written out, starting at `from` after spaces: a string, a bracketed group, a number, or a word
        /// (with a call after it: `set([1, 2])`); its text and the index after it.
        static func literalToken(_ characters: [Character], from: Int) -> (text: String, end: Int)? {
            let start = skipSpaces(characters, from)
            guard start < characters.count else { return nil }
            var index = start
            let first = characters[index]
            if quotes.contains(first)
                || (first == "-" && index + 1 < characters.count
                    && characters[index + 1].isNumber)
                || first.isNumber
            {
                if quotes.contains(first) {
                    guard let end = stringEnd(characters, from: index) else { return nil }
                    index = end
                } else {
                    index += 1
                    while index < characters.count,
                        characters[index].isNumber || "._eE".contains(characters[index])
                            || (("+-".contains(characters[index])) && "eE".contains(characters[index - 1]))
                    {
                        index += 1
                    }
                }
            } else if openers[first] != nil {
                guard let end = balancedEnd(characters, from: index) else { return nil }
                index = end
            } else if isIdentifierCharacter(first) {
                while index < characters.count, isIdentifierCharacter(characters[index]) { index += 1 }
                if index < characters.count, characters[index] == "(" {
                    guard let end = balancedEnd(characters, from: index) else { return nil }
                    index = end
                }
            } else {
                return nil
            }
            return (String(characters[start..<index]), index)
        }

        /// A value written out that ends just before `index` (spaces skipped): a string, a bracketed group or a
        /// number.
        static func literalTokenEnding(_ characters: [Character], at index: Int) -> String? {
            var end = index
            while end > 0, characters[end - 1] == " " { end -= 1 }
            guard end > 0 else { return nil }
            let last = characters[end - 1]
            var start = end - 1
            if quotes.contains(last) {
                start -= 1
                while start >= 0, characters[start] != last || (start > 0 && characters[start - 1] == "\\") {
                    start -= 1
                }
                guard start >= 0 else { return nil }
            } else if let open = openers.first(where: { $0.value == last })?.key {
                var depth = 0
                while start >= 0 {
                    if characters[start] == last { depth += 1 }
                    if characters[start] == open {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    start -= 1
                }
                guard start >= 0 else { return nil }
                // `g(2) -> 4`, `obj.f(2) -> 4`: the arguments of another call, not a value.
                if start > 0, isIdentifierCharacter(characters[start - 1]) || characters[start - 1] == "." {
                    return nil
                }
            } else if last.isNumber {
                while start > 0, characters[start - 1].isNumber || characters[start - 1] == "." { start -= 1 }
                if start > 0, characters[start - 1] == "-" { start -= 1 }
                if start > 0, isIdentifierCharacter(characters[start - 1]) { return nil }
            } else {
                return nil
            }
            return String(characters[start..<end])
        }

        /// The identifiers of `text` outside strings (as ``identifierUses(in:keywordArguments:labels:)``).
        static func identifiers(in text: String, keywordArguments: Bool, labels: Bool = false) -> [String] {
            identifierUses(in: text, keywordArguments: keywordArguments, labels: labels).map(\.word)
        }

        /// The identifiers of `text` outside strings, each with whether a call follows it, less numbers' letters
        /// (`1e5`, `0x1f`), attribute names after a dot, string prefixes (`r'…'`), with `keywordArguments` argument
        /// names (`sep=`) and with `labels` Swift's argument labels (`x:`).
        static func identifierUses(
            in text: String, keywordArguments: Bool, labels: Bool = false
        ) -> [(word: String, calls: Bool)] {
            let characters = Array(text)
            var found: [(word: String, calls: Bool)] = []
            var index = 0
            while index < characters.count {
                let character = characters[index]
                if quotes.contains(character) {
                    index = stringEnd(characters, from: index) ?? characters.count
                    continue
                }
                guard isIdentifierCharacter(character) else {
                    index += 1
                    continue
                }
                let start = index
                while index < characters.count, isIdentifierCharacter(characters[index]) { index += 1 }
                let word = String(characters[start..<index])
                if word.first!.isNumber { continue }
                if start > 0, characters[start - 1] == "." { continue }
                if index < characters.count, quotes.contains(characters[index]),
                    ["r", "b", "u", "R", "B", "U"].contains(word)
                {
                    continue
                }
                let next = skipSpaces(characters, index)
                // Swift's argument labels (`double(x: 2)`).
                if labels, next < characters.count, characters[next] == ":" { continue }
                if keywordArguments, next < characters.count, characters[next] == "=",
                    next + 1 >= characters.count || characters[next + 1] != "="
                {
                    continue
                }
                found.append((word, next < characters.count && characters[next] == "("))
            }
            return found
        }

        /// Whether the call starting at `start` is a definition (`def f(`, `func f(`, `function f(`) or the operand
        /// of an operator or `not` (`2 * f(3)`, `-f(2)`, `not f(2)`): then what follows it is not its value.
        static func isDefinitionOrOperand(_ characters: [Character], before start: Int) -> Bool {
            var index = start
            while index > 0, characters[index - 1] == " " || characters[index - 1] == "\t" { index -= 1 }
            guard index > 0 else { return false }
            if "*+-/%<>=!&|^~".contains(characters[index - 1]) { return true }
            var wordStart = index
            while wordStart > 0, isIdentifierCharacter(characters[wordStart - 1]) { wordStart -= 1 }
            let word = String(characters[wordStart..<index])
            return ["def", "func", "function", "not", "fn", "async", "if", "elif", "while", "unless"].contains(word)
        }

        /// Whether a value read up to `end` ends there: the line ends, or punctuation or `and` follows (`returns 2
        /// lists`, `-> 0xff`, `-> 10**3` go on, so they are not the value read).
        static func endsValue(_ characters: [Character], at end: Int) -> Bool {
            guard end < characters.count else { return true }
            if ".,;:)]}".contains(characters[end]) { return true }
            guard characters[end] == " " || characters[end] == "\t" else { return false }
            let next = skipSpaces(characters, end)
            guard next < characters.count else { return true }
            if ".,;:)]}".contains(characters[next]) { return true }
            return matches("and ", characters, at: next)
        }

        /// Whether a comma comes just before `index` (spaces skipped): the value there is one of several arguments.
        static func followsComma(_ characters: [Character], before index: Int) -> Bool {
            var position = index
            while position > 0, characters[position - 1] == " " { position -= 1 }
            return position > 0 && characters[position - 1] == ","
        }

        /// The clause `start` is in: from after the last `. `, `; ` or line start before it, up to it.
        static func clause(_ characters: [Character], before start: Int) -> String {
            var index = max(0, min(start, characters.count))
            while index > 1 {
                if (characters[index - 2] == "." || characters[index - 2] == ";") && characters[index - 1] == " " {
                    break
                }
                index -= 1
            }
            return String(characters[(index > 1 ? index : 0)..<max(0, min(start, characters.count))])
        }

        /// `text` as a double-quoted string literal (JavaScript, Swift).
        static func quoted(_ text: String) -> String {
            var result = "\""
            for character in text {
                switch character {
                case "\"": result += "\\\""
                case "\\": result += "\\\\"
                case "\n": result += "\\n"
                default: result.append(character)
                }
            }
            return result + "\""
        }

        static func isIdentifierCharacter(_ character: Character) -> Bool {
            character.isLetter || character.isNumber || character == "_"
        }

        /// The index after the quote that closes the string opening at `from` (escapes skipped); nil when unclosed.
        static func stringEnd(_ characters: [Character], from: Int) -> Int? {
            let open = characters[from]
            var index = from + 1
            while index < characters.count {
                if characters[index] == "\\" {
                    index += 2
                    continue
                }
                if characters[index] == open { return index + 1 }
                index += 1
            }
            return nil
        }

        static func skipSpaces(_ characters: [Character], _ from: Int) -> Int {
            var index = from
            while index < characters.count, characters[index] == " " || characters[index] == "\t" { index += 1 }
            return index
        }

        static func matches(_ word: String, _ characters: [Character], at index: Int) -> Bool {
            let target = Array(word)
            return index + target.count <= characters.count && Array(characters[index..<index + target.count]) == target
        }

        /// `text` with the contents of its strings removed.
        static func outsideStrings(_ text: String) -> String {
            var result = ""
            var quote: Character?
            var escaped = false
            for character in text {
                if let open = quote {
                    if escaped {
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == open {
                        quote = nil
                        result.append(character)
                    }
                    continue
                }
                if quotes.contains(character) { quote = character }
                result.append(character)
            }
            return result
        }
    }
}
