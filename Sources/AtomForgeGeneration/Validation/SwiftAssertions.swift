import AtomForgeSystem
import Foundation

/// Makes a failing Swift test say what failed: `assert(a == b)` lines become a check that prints both values, and
/// `main.swift:22` in the output becomes `tests line 3: assert(…)` (or `your code line …`), since Swift's own
/// message is only `main.swift:22: Assertion failed`.
package enum SwiftAssertions {
    /// `tests` with each one-line `assert(left == right)` rewritten to `__atomforgeExpectEqual(left, right, "…")`;
    /// other lines as they are, so line numbers stay the same.
    static func rewrite(_ tests: String) -> String {
        let lines = tests.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.enumerated().map { offset, line in
            rewriteLine(String(line), testLine: offset + 1) ?? String(line)
        }.joined(separator: "\n")
    }

    package static func rewriteLine(_ line: String, testLine: Int) -> String? {
        let indent = line.prefix { $0 == " " || $0 == "\t" }
        var body = String(line.dropFirst(indent.count)).trimmingWhitespace()
        if body.hasSuffix(";") { body.removeLast() }
        guard body.hasPrefix("assert("), body.hasSuffix(")"), !body.contains("#\"") else { return nil }
        let inner = String(body.dropFirst("assert(".count).dropLast())
        guard let (left, right) = splitComparison(inner) else { return nil }
        let place = "tests line \(testLine): \(body)"
        let literal = place.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\(indent)__atomforgeExpectEqual(\(left), \(right), \"\(literal)\")"
    }

    /// The two sides of `expression` when it is one comparison `a == b` at its top level (outside brackets and
    /// strings), with no message argument after a comma; nil otherwise.
    static func splitComparison(_ expression: String) -> (String, String)? {
        let characters = Array(expression)
        var depth = 0
        var inString = false
        var split: Int?
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if inString {
                if character == "\\" {
                    index += 1
                } else if character == "\"" {
                    inString = false
                }
            } else {
                switch character {
                case "\"": inString = true
                case "(", "[", "{": depth += 1
                case ")", "]", "}":
                    depth -= 1
                    if depth < 0 { return nil }
                case "," where depth == 0: return nil
                // Operators that bind more loosely than `==` (`&&`, `||`, the ternary): `a == b && c` is no
                // comparison of `a` with `b && c`.
                case "&" where depth == 0, "|" where depth == 0: return nil
                case "?" where depth == 0 && index + 1 < characters.count && characters[index + 1] == " ": return nil
                case "=" where depth == 0:
                    let next = index + 1 < characters.count ? characters[index + 1] : " "
                    let previous = index > 0 ? characters[index - 1] : " "
                    if next == "=" {
                        let after = index + 2 < characters.count ? characters[index + 2] : " "
                        guard after != "=", !"=!<>".contains(previous), split == nil else { return nil }
                        split = index
                        index += 1
                    }
                default: break
                }
            }
            index += 1
        }
        guard let split, depth == 0, !inString else { return nil }
        let left = String(characters[..<split]).trimmingWhitespace()
        let right = String(characters[(split + 2)...]).trimmingWhitespace()
        return left.isEmpty || right.isEmpty ? nil : (left, right)
    }

    /// `output` with each `main.swift:N` (or `plain.swift:N`) turned into the section it falls in and, for a
    /// runtime message, the text of that line.
    static func describePlaces(
        in output: String, program: String, atomStart: Int, atomEnd: Int? = nil, classStart: Int? = nil,
        offset: Int = 0, testsStart: Int
    ) -> String {
        let programLines = program.split(separator: "\n", omittingEmptySubsequences: false)
        func section(_ line: Int) -> String {
            if line >= testsStart { return "tests line \(line - testsStart + 1)" }
            if line >= atomStart, line < (atomEnd ?? testsStart) {
                return "your code line \(line - atomStart + 1 + offset)"
            }
            if line >= (classStart ?? atomStart) { return "class code line \(line - (classStart ?? atomStart) + 1)" }
            return "dependency code line \(line)"
        }
        return output.split(separator: "\n", omittingEmptySubsequences: false).map { rawLine -> String in
            let line = String(rawLine)
            guard let range = line.firstRange(of: /(?:[\w\/.-]*\/)?(?:main|plain)\.swift:(\d+)(:\d+)?/),
                let match = line[range].firstMatch(of: /:(\d+)(:\d+)?$/), let number = Int(match.1)
            else { return line }
            let isCompilerMessage = match.2 != nil
            var described = line.replacingCharacters(in: range, with: section(number))
            if !isCompilerMessage, number >= 1, number <= programLines.count {
                described += ": " + String(programLines[number - 1]).trimmingWhitespace()
            }
            return described
        }.joined(separator: "\n")
    }
}
