import AtomForgeModel
import AtomForgeSystem
import Foundation

/// Reads the examples a planner writes into a description (`>>> f(2)` / `4`, `f(2) == 4`, `f(2) -> 4`,
/// `assert f(2) == 4`, `e.g. 'Hello, World!' -> 'hello-world'`) and turns each into a check in the atom's language.
///
/// An example is a specification, so a wrong reading is worse than none: anything that is not plainly code is
/// dropped, never guessed at. A call whose arguments name variables (`f(x)`), an expected value in prose (`f(2) ->
/// the sum`, `returns 2 lists`), a type where a value should be (`-> float`), an ellipsis, unbalanced brackets or
/// quotes, a doctest whose output spans lines or is a traceback or that prints, a sentence that says what the atom
/// must not do (`never`, `unlike`, `instead of`), one call given two different results: all dropped. Scanning is
/// textual (brackets and quotes), not a parser; Python checks are parsed by Python before they are used.
public enum DescriptionExamples {
    /// The examples in `description` that exercise `name`, in the order written, each once.
    public static func read(_ description: String, name: String, language: Language) -> [DescriptionExample] {
        guard !name.isEmpty, let syntax = Syntax(language) else { return [] }
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
                if output.count == 1, syntax.isPlainSource(source),
                    let example = syntax.comparison(source, output[0], line: number, name: name)
                {
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
        // One call given two different results is no specification of either.
        var checksOfCall: [String: Set<String>] = [:]
        for example in examples { checksOfCall[example.call, default: []].insert(example.check) }
        var seen = Set<String>()
        return examples.filter { checksOfCall[$0.call]!.count == 1 && seen.insert($0.check).inserted }
    }

    /// The words and spellings of one language's examples.
    struct Syntax {
        enum Kind { case python, javascript, swift }
        let language: Kind
        /// Identifiers a value may be made of besides strings, numbers and brackets.
        let literalWords: Set<String>
        /// Identifiers a value may call (`set([1, 2])`), never stand alone (`-> float` is a type, not a value).
        let constructors: Set<String>
        /// Identifiers a whole assertion may use besides the atom: the language's built-in functions and modules.
        let assertionWords: Set<String>

        init?(_ language: Language) {
            switch language.testRunner {
            case .python?:
                self.language = .python
                literalWords = ["True", "False", "None"]
                constructors = ["set", "frozenset", "tuple", "list", "dict", "float", "int", "str", "bytes", "complex"]
                assertionWords = [
                    "abs", "all", "any", "bool", "dict", "enumerate", "filter", "float", "frozenset", "int",
                    "isinstance", "len", "list", "map", "max", "min", "range", "reversed", "round", "set", "sorted",
                    "str", "sum", "tuple", "type", "zip", "math", "cmath", "re", "collections", "itertools", "heapq",
                    "string", "functools", "operator", "not", "and", "or", "in", "is", "assert", "lambda", "for", "if",
                    "else",
                ]
            case .javascript?, .typescript?:
                self.language = .javascript
                literalWords = ["true", "false", "null", "undefined", "NaN", "Infinity"]
                constructors = []
                assertionWords = [
                    "console", "assert", "JSON", "Math", "Object", "Array", "Number", "String", "Boolean", "new", "Set",
                    "Map", "typeof",
                ]
            case .swift?:
                self.language = .swift
                literalWords = ["true", "false", "nil"]
                constructors = []
                assertionWords = [
                    "assert", "precondition", "abs", "min", "max", "Set", "Array", "Double", "Int", "String",
                ]
            case nil:
                return nil
            }
        }

        /// Whether a sentence says what the atom must not do, or contrasts it with something else: its examples
        /// are not the atom's.
        static func denies(_ line: String) -> Bool {
            let lowered = " " + line.lowercased() + " "
            let words = [" never ", " unlike ", " instead of ", " wrong", " incorrect", " rather than ", " bug"]
            return words.contains { lowered.contains($0) }
        }

        /// A doctest's source that is one expression to compare: no print, no comment or directive.
        func isPlainSource(_ source: String) -> Bool {
            let outside = Scanner.outsideStrings(source)
            return !outside.contains("#") && !outside.contains("//") && !source.contains("print(")
                && !source.contains("console.log(")
        }

        /// The check that `expression` (which calls `name`) equals `expected`, when both read as code.
        func comparison(_ expression: String, _ expected: String, line: Int, name: String) -> DescriptionExample? {
            var expression = expression.trimmingWhitespace()
            var expected = expected.trimmingWhitespace()
            if language != .python, expression.hasSuffix(";") { expression.removeLast() }
            // A sentence's full stop after a value (`f(2) -> 4.`), never a decimal point.
            if expected.hasSuffix("."), !expected.dropLast().hasSuffix("."),
                expected.dropLast().last?.isNumber == true
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
            // An expression more than the call is kept apart from the comparison (`a < b == True` chains).
            let left = expression == call ? expression : "(\(expression))"
            let check: String
            switch language {
            case .python: check = "assert \(left) == \(expected)"
            case .swift: check = "assert(\(left) == \(expected))"
            case .javascript:
                let message = Scanner.quoted("example: \(expression) should give \(expected)")
                check = "console.assert(JSON.stringify(\(expression)) === JSON.stringify(\(expected)), \(message));"
            }
            return DescriptionExample(
                call: call, check: check, line: line, expected: expression == call ? expected : nil)
        }

        /// A whole assertion the description gives as code (`assert f(2) == 4`), taken as written when it names
        /// nothing but the atom, values and the language's built-ins.
        func assertion(_ text: String, line: Int, name: String) -> DescriptionExample? {
            let prefixes: [String] =
                switch language {
                case .python: ["assert "]
                case .swift: ["assert(", "precondition("]
                case .javascript: ["console.assert(", "assert(", "assert.strictEqual(", "assert.deepStrictEqual("]
                }
            guard prefixes.contains(where: text.hasPrefix), let call = Scanner.call(of: name, in: text),
                Scanner.isBalanced(text), !Scanner.hasEllipsis(text),
                Scanner.identifiers(in: text, keywordArguments: language == .python).allSatisfy({
                    $0 == name || literalWords.contains($0) || constructors.contains($0) || assertionWords.contains($0)
                })
            else { return nil }
            var check = text
            let expected = comparedValue(in: text, call: call)
            if language == .javascript, check.hasPrefix("assert") {
                // Node's assert module, by its own name: the harness has no global `assert`.
                check =
                    "require(\"assert\")"
                    + (check.hasPrefix("assert(") ? ".ok(" + check.dropFirst(7) : check.dropFirst("assert".count))
            }
            return DescriptionExample(call: call, check: check, line: line, expected: expected)
        }

        /// The value an assertion compares the bare call with (`assert f(2) == 4`, `assert(f(2) == 4)`,
        /// `assert.deepStrictEqual(f(2), 4)`), when it is a value written out; nil for any other assertion.
        func comparedValue(in text: String, call: String) -> String? {
            var body = text.trimmingWhitespace()
            if body.hasSuffix(";") { body.removeLast() }
            let forms: [(prefix: String, separator: String, suffix: String)] =
                switch language {
                case .python: [("assert ", "==", "")]
                case .swift: [("assert(", "==", ")"), ("precondition(", "==", ")")]
                case .javascript:
                    [
                        ("assert.deepStrictEqual(", ",", ")"), ("assert.strictEqual(", ",", ")"),
                        ("assert.equal(", ",", ")"),
                    ]
                }
            for form in forms where body.hasPrefix(form.prefix + call) && body.hasSuffix(form.suffix) {
                let rest = String(body.dropFirst(form.prefix.count + call.count).dropLast(form.suffix.count))
                    .trimmingWhitespace()
                guard rest.hasPrefix(form.separator) else { continue }
                let value = String(rest.dropFirst(form.separator.count)).trimmingWhitespace()
                // One value and nothing after it (`4`, `[1, 2]`, `'a'`), not `4 or 5` nor `f(3)`.
                let characters = Array(value)
                if let token = Scanner.literalToken(characters, from: 0), token.end == characters.count,
                    isLiteral(value), !Scanner.hasEllipsis(value)
                {
                    return value
                }
            }
            return nil
        }

        /// Examples inside a sentence: `f(2) == 4`, `f(2) -> 4`, `f(2) returns 4`, and `e.g. 'A b' -> 'a-b'` (a
        /// string or a bracketed value mapped to a value, after `e.g.`, `for example` or `such as`: the atom called
        /// with that one argument).
        func inlineExamples(in text: String, line: Int, name: String) -> [DescriptionExample] {
            let characters = Array(text)
            var found: [DescriptionExample] = []
            var position = 0
            var sawCall = false
            while let start = Scanner.find(name + "(", in: characters, from: position) {
                guard let end = Scanner.balancedEnd(characters, from: start + name.count) else { break }
                sawCall = true
                position = end
                // A definition (`def f(x) -> int`), the call inside an expression (`2 * f(3) == 12`), or a clause
                // that says what the atom must not do.
                if Scanner.isDefinitionOrOperand(characters, before: start)
                    || Self.denies(Scanner.clause(characters, before: start))
                {
                    continue
                }
                let call = String(characters[start..<end])
                guard let (operatorEnd, _) = Scanner.arrow(in: characters, from: end) else { continue }
                // A result that does not read as a value (`f(2) == 4 or 5`): the whole line is unclear.
                guard let expected = Scanner.literalToken(characters, from: operatorEnd),
                    Scanner.endsValue(characters, at: expected.end),
                    let example = comparison(call, expected.text, line: line, name: name)
                else { return [] }
                position = expected.end
                found.append(example)
            }
            guard !sawCall else { return found }
            let lowered = text.lowercased()
            guard ["e.g.", "for example", "example:", "such as", "for instance"].contains(where: lowered.contains)
            else { return found }
            // `'Hello, World!' -> 'hello-world'`: a string or a bracketed value before the arrow, a value after it.
            position = 0
            while position < characters.count {
                guard let (operatorStart, operatorEnd) = Scanner.nextArrow(in: characters, from: position) else {
                    break
                }
                position = operatorEnd
                guard let input = Scanner.literalTokenEnding(characters, at: operatorStart),
                    let first = input.first, Scanner.quotes.contains(first) || first == "[" || first == "{",
                    !Scanner.followsComma(characters, before: operatorStart - input.count),
                    let expected = Scanner.literalToken(characters, from: operatorEnd),
                    Scanner.endsValue(characters, at: expected.end), isLiteral(input),
                    !Self.denies(Scanner.clause(characters, before: operatorStart))
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
            return Scanner.identifierUses(
                in: arguments, keywordArguments: language == .python, labels: language == .swift
            ).allSatisfy { use in
                literalWords.contains(use.word) || use.word == name || (use.calls && constructors.contains(use.word))
            }
        }

        /// Whether `text` is a value written out: strings, numbers, brackets, the language's literal words, and
        /// calls of its constructors (`set([1, 2])`).
        func isLiteral(_ text: String) -> Bool {
            Scanner.identifierUses(in: text, keywordArguments: false).allSatisfy { use in
                literalWords.contains(use.word) || (use.calls && constructors.contains(use.word))
            }
        }
    }
}

extension String {
    /// The text after `prefix` (trimmed), when it starts with it.
    fileprivate func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)).trimmingWhitespace() : nil
    }
}
