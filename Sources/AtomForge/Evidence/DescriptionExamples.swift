import Foundation

/// Reads the examples a planner writes into a description (`>>> f(2)` / `4`, `f(2) == 4`, `f(2) -> 4`,
/// `assert f(2) == 4`, `e.g. 'Hello, World!' -> 'hello-world'`) and turns each into a check in the atom's language.
///
/// An example is a specification, so a wrong reading is worse than none: anything that is not plainly code is
/// dropped, never guessed at. A call whose arguments name variables (`f(x)`), an expected value in prose (`f(2) ->
/// the sum`), an ellipsis (`f([1, 2, ...])`), unbalanced brackets or quotes, a doctest whose output spans lines or
/// is a traceback: all dropped. Scanning is textual (brackets and quotes), not a parser: a misreading that still
/// passes the scan fails the check for every candidate, which the review page shows.
public enum DescriptionExamples {
    /// The examples in `description` that exercise `name`, in the order written, each once.
    public static func read(_ description: String, name: String, language: Language) -> [DescriptionExample] {
        guard !name.isEmpty, Syntax(language) != nil else { return [] }
        let syntax = Syntax(language)!
        let lines = description.split(separator: "\n", omittingEmptySubsequences: false).map {
            // Inline code marks (`f(2)` returns `4`) are not part of the code.
            String($0).replacingOccurrences(of: "`", with: " ")
        }
        var examples: [DescriptionExample] = []
        var index = 0
        while index < lines.count {
            let trimmed = lines[index].trimmingWhitespace()
            let number = index + 1
            index += 1
            if let source = trimmed.dropPrefix(">>>") ?? (syntax.language == .python ? nil : trimmed.dropPrefix("> ")) {
                // A doctest: the source line, then its output up to a blank line or the next prompt.
                var output: [String] = []
                while index < lines.count {
                    let next = lines[index].trimmingWhitespace()
                    if next.isEmpty || next.hasPrefix(">>>") || next.hasPrefix("...") { break }
                    output.append(next)
                    index += 1
                }
                if output.count == 1, let example = syntax.comparison(source, output[0], line: number, name: name) {
                    examples.append(example)
                }
                continue
            }
            if let assertion = syntax.assertion(trimmed, line: number, name: name) {
                examples.append(assertion)
                continue
            }
            examples += syntax.inlineExamples(in: lines[index - 1], line: number, name: name)
        }
        var seen = Set<String>()
        return examples.filter { seen.insert($0.check).inserted }
    }

    /// The words and spellings of one language's examples.
    struct Syntax {
        enum Kind { case python, javascript, swift }
        let language: Kind
        /// Identifiers an expected value may contain besides strings, numbers and brackets.
        let literalWords: Set<String>

        init?(_ language: Language) {
            switch language.testRunner {
            case .python?:
                self.language = .python
                literalWords = [
                    "True", "False", "None", "set", "frozenset", "tuple", "list", "dict", "float", "int", "inf", "nan",
                ]
            case .javascript?, .typescript?:
                self.language = .javascript
                literalWords = ["true", "false", "null", "undefined", "NaN", "Infinity"]
            case .swift?:
                self.language = .swift
                literalWords = ["true", "false", "nil"]
            case nil:
                return nil
            }
        }

        /// The check that `expression` (which calls `name`) equals `expected`, when both read as code.
        func comparison(_ expression: String, _ expected: String, line: Int, name: String) -> DescriptionExample? {
            var expression = expression.trimmingWhitespace()
            var expected = expected.trimmingWhitespace()
            if language != .python, expression.hasSuffix(";") { expression.removeLast() }
            // A sentence's full stop after a value (`f(2) -> 4.`), never a decimal point.
            if expected.hasSuffix("."), !expected.dropLast().hasSuffix("."), expected.dropLast().last?.isNumber == true
                || [")", "]", "}", "'", "\""].contains(expected.dropLast().last.map(String.init) ?? "")
            {
                expected.removeLast()
            }
            guard let call = Scanner.call(of: name, in: expression),
                Scanner.isBalanced(expression), Scanner.isBalanced(expected),
                !Scanner.hasEllipsis(expression), !Scanner.hasEllipsis(expected),
                !Scanner.hasTopLevelAssignment(expression),
                argumentsAreLiterals(call, name: name), isLiteral(expected),
                !expected.isEmpty
            else { return nil }
            let check: String
            switch language {
            case .python: check = "assert \(expression) == \(expected)"
            case .swift: check = "assert(\(expression) == \(expected))"
            case .javascript:
                let message = Scanner.quoted("example: \(expression) should give \(expected)")
                check =
                    "console.assert(JSON.stringify(\(expression)) === JSON.stringify(\(expected)), \(message));"
            }
            return DescriptionExample(call: call, check: check, line: line)
        }

        /// A whole assertion the description gives as code (`assert f(2) == 4`), taken as written.
        func assertion(_ text: String, line: Int, name: String) -> DescriptionExample? {
            let prefixes: [String] =
                switch language {
                case .python: ["assert "]
                case .swift: ["assert(", "precondition("]
                case .javascript: ["console.assert(", "assert(", "assert.strictEqual(", "assert.deepStrictEqual("]
                }
            guard prefixes.contains(where: text.hasPrefix), let call = Scanner.call(of: name, in: text),
                Scanner.isBalanced(text), !Scanner.hasEllipsis(text)
            else { return nil }
            var check = text
            if language == .javascript, check.hasPrefix("assert") {
                // Node's assert module, by its own name: the harness has no global `assert`.
                check = "require(\"assert\")." + (check.hasPrefix("assert(") ? "ok(" + check.dropFirst(7) : check)
            }
            return DescriptionExample(call: call, check: check, line: line)
        }

        /// Examples inside a sentence: `f(2) == 4`, `f(2) -> 4`, `f(2) returns 4`, and `e.g. 'A b' -> 'a-b'` (a
        /// literal mapped to a literal: the atom called with that one argument).
        func inlineExamples(in text: String, line: Int, name: String) -> [DescriptionExample] {
            let characters = Array(text)
            var found: [DescriptionExample] = []
            var position = 0
            var sawCall = false
            while let start = Scanner.find(name + "(", in: characters, from: position) {
                guard let end = Scanner.balancedEnd(characters, from: start + name.count) else { break }
                sawCall = true
                position = end
                let call = String(characters[start..<end])
                guard let (operatorEnd, _) = Scanner.arrow(in: characters, from: end),
                    let expected = Scanner.literalToken(characters, from: operatorEnd)
                else { continue }
                position = expected.end
                if let example = comparison(call, expected.text, line: line, name: name) { found.append(example) }
            }
            guard !sawCall else { return found }
            // `'Hello, World!' -> 'hello-world'`: a literal before the arrow, a literal after it.
            position = 0
            while position < characters.count {
                guard let (operatorStart, operatorEnd) = Scanner.nextArrow(in: characters, from: position) else { break }
                position = operatorEnd
                guard let input = Scanner.literalTokenEnding(characters, at: operatorStart),
                    let expected = Scanner.literalToken(characters, from: operatorEnd),
                    isLiteral(input), !input.isEmpty
                else { continue }
                position = expected.end
                if let example = comparison("\(name)(\(input))", expected.text, line: line, name: name) {
                    found.append(example)
                }
            }
            return found
        }

        /// Whether the call's arguments are values written out (no variable a check could not know).
        func argumentsAreLiterals(_ call: String, name: String) -> Bool {
            let arguments = String(call.dropFirst(name.count + 1).dropLast())
            return Scanner.identifiers(
                in: arguments, keywordArguments: language == .python, labels: language == .swift
            ).allSatisfy {
                literalWords.contains($0) || $0 == name
            }
        }

        /// Whether `text` is a value written out: strings, numbers, brackets and the language's literal words.
        func isLiteral(_ text: String) -> Bool {
            Scanner.identifiers(in: text, keywordArguments: false).allSatisfy { literalWords.contains($0) }
        }
    }
}

extension String {
    /// The text after `prefix` (trimmed), when it starts with it.
    fileprivate func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)).trimmingWhitespace() : nil
    }
}
