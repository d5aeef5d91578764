import AtomForgeModel
import AtomForgeSystem

/// Checks the code with the language's real toolchain, without running it, as its ``Language/syntaxCheck`` says:
/// `python3` (`ast.parse`), `swiftc -typecheck` (with the dependencies' code beside it), `node --check`, `tsc
/// --noEmit`. A syntax error fails the attempt with the tool's own line and message.
public struct SyntaxValidator: Validator {
    public let name: String
    private let language: String
    private let fileName: String
    private let command: [String]
    private let prependsImports: Bool
    private let dependenciesFile: String?
    private let failingLines: String?
    private let parseScript: String?
    private let runner: ToolRunner

    /// The check `language` describes (its ``Language/syntaxCheck``).
    package init(_ language: Language, check: Language.SyntaxCheck, runner: ToolRunner) {
        self.name = "\(language.name)-syntax"
        self.language = language.name
        self.fileName = check.fileName
        self.command = [check.tool] + check.arguments
        self.prependsImports = check.prependsImports
        self.dependenciesFile = check.dependenciesFile
        self.failingLines = check.failingLines
        self.parseScript = check.parseScript
        self.runner = runner
    }

    public func applies(to atom: Atom) -> Bool { atom.language.name == language }

    public func validate(_ subject: ValidationSubject) async -> [ValidationIssue] {
        let run: ToolRunner.Run
        do {
            // Swift type-checks the atom against its dependencies, so a call to a dependency with the wrong
            // arguments fails here even when the atom has no tests. Imports are per file in Swift: the atom's own
            // go in front of its first line, joined by `;`, so the line numbers of errors stay the model's.
            var code = subject.runnableCode
            if prependsImports, !subject.atom.imports.isEmpty {
                code = subject.atom.imports.joined(separator: "; ") + "; " + code
            }
            var files = [fileName: code]
            if let dependenciesFile {
                files[dependenciesFile] = (subject.allImports + subject.dependencyCode).joined(separator: "\n\n")
            }
            if let parseScript {
                run = try await runner.runParseScript(parseScript, [fileName], files: files)
            } else {
                run = try await runner.run(command[0], Array(command.dropFirst()), files: files)
            }
        } catch {
            return [ValidationIssue(.critical, "\(error); is \(command[0]) installed?", validator: name)]
        }
        if run.timedOut {
            return [
                ValidationIssue(
                    .error, "\(command[0]) did not finish within the validation timeout", validator: name,
                    kind: .timeout)
            ]
        }
        if run.exitCode == 127 {
            return [
                ValidationIssue(
                    .critical, "\(command[0]) is not installed; cannot check \(language) syntax", validator: name)
            ]
        }
        guard run.exitCode != 0 else { return [] }
        var output = run.output.trimmingWhitespace()
        if let enclosing = subject.enclosing { output = enclosing.describingLines(in: output, file: fileName) }
        if let failingLines {
            output = output.split(separator: "\n").filter { $0.contains(failingLines) }.joined(separator: "\n")
            if output.isEmpty { return [] }
        }
        return [
            ValidationIssue(
                .error, output.isEmpty ? "\(command[0]) exited with \(run.exitCode)" : output, validator: name,
                kind: .syntax)
        ]
    }
}
