import AtomForgeModel
import AtomForgeSystem

/// Keeps the unit, not what the model appended to it: after ``CodeExtractor`` has taken the code block out of a
/// reply, this drops the top-level statements that are not part of a definition — example calls, prints, asserts,
/// `if __name__ == "__main__":` blocks — which otherwise run with the tests and fail them (a pasted call of the
/// tests' own helper is a `NameError`) or end the program early.
///
/// Python is parsed by Python's own `ast` (in the sandbox, since the text is untrusted even if parsing runs none of
/// it): imports, functions, classes, and assignments that call nothing defined in the reply are kept, with their
/// comments and layout. Swift and JavaScript drop only one-line top-level calls of printing, asserting and exiting,
/// which a library file never holds. Code that does not parse is left as it is, for the syntax check to report.
public struct UnitExtractor: Sendable {
    private let runner: ToolRunner?

    /// `runner` runs Python's parser; nil leaves Python code as it is (for tests of the engine without I/O).
    public init(runner: ToolRunner?) {
        self.runner = runner
    }

    /// The unit in `code`. `provided` are the names the dependencies define: they are in scope wherever the code
    /// runs (the tests put the dependencies' code in front, the assembled file imports them), so a Python import of
    /// them from the plan's own modules is dropped too, and so is a definition that writes one of them again.
    public func unit(of code: String, language: Language, name: String = "", provided: [String] = []) async -> String {
        switch language.unitExtraction {
        case .pythonParser: await pythonUnit(code, name: name, provided: provided)
        case .swiftTopLevelCalls: Self.droppingTopLevelCalls(code, of: Self.swiftStatements)
        case .javascriptTopLevelCalls: Self.droppingTopLevelCalls(code, of: Self.javascriptStatements)
        case .asIs: code
        }
    }

    private func pythonUnit(_ code: String, name: String, provided: [String]) async -> String {
        guard let runner, !code.isEmpty else { return code }
        let run: ToolRunner.Run
        do {
            // -W ignore: a SyntaxWarning (an invalid escape in a string) must not become a line of the unit.
            run = try await runner.runParseScript(
                Self.pythonScript, ["unit.py", name, provided.joined(separator: ",")], files: ["unit.py": code],
                ignoringWarnings: true)
        } catch {
            return code
        }
        // Exit 3: nothing to drop, or the code does not parse. Output cut at the limit: keep the code as it came.
        guard run.exitCode == 0, !run.timedOut, run.output == run.outputTail else { return code }
        let unit = run.output.trimmingWhitespace()
        guard !unit.isEmpty, Self.isDrawn(unit, from: code) else { return code }
        return unit
    }

    /// Whether every line of `unit` is a line of `code`, in order: all the extraction ever does is drop lines, and a
    /// parser that answered anything else (one subverted by crafted input, in a process that parses many atoms'
    /// code) is not believed.
    package static func isDrawn(_ unit: String, from code: String) -> Bool {
        // Python splits lines at `\r` too: lines are compared without what ends them.
        func trimmed(_ line: Substring) -> Substring { line.prefix { $0 != "\r" } }
        func lines(of text: String) -> [Substring] {
            text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }.map(trimmed)
        }
        var remaining = lines(of: code)[...]
        for line in lines(of: unit) {
            guard let found = remaining.firstIndex(of: line) else { return false }
            remaining = remaining[(found + 1)...]
        }
        return true
    }

    static var swiftStatements: Regex<(Substring, Substring)> {
        /^(print|debugPrint|dump|exit|assert|precondition|fatalError)\(.*\)\s*;?\s*$/
    }
    static var javascriptStatements: Regex<(Substring, Substring, Substring?, Substring?)> {
        /^(console\.(log|info|error|warn)|process\.exit|assert(\.\w+)?)\(.*\)\s*;?\s*$/
    }

    static func droppingTopLevelCalls<Output>(_ code: String, of statement: Regex<Output>) -> String {
        code.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            (try? statement.wholeMatch(in: line)) == nil
        }.joined(separator: "\n").trimmingWhitespace()
    }

    /// Prints the code less its top-level non-definitions and exits 0, or exits 3 when it has none (or does not
    /// parse).
    static let pythonScript = EmbeddedFile.text(PackageResources.unit_extractor_py)
}
