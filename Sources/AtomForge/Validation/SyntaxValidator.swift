/// Checks the code with the language's real toolchain, without running it: `python3` (`ast.parse`), `swiftc
/// -typecheck` (with the dependencies' code beside it), `node --check`, `tsc --noEmit`. A syntax error fails the attempt with the tool's own line and message.
public struct SyntaxValidator: Validator {
    public let name: String
    private let language: String
    private let fileName: String
    private let command: [String]
    private let runner: ToolRunner

    /// Python's parser, printing `line:column: message` and the offending line.
    static let pythonParse = """
        import ast, sys
        source = open(sys.argv[1], encoding="utf-8").read()
        try:
            ast.parse(source, filename=sys.argv[1])
        except SyntaxError as error:
            text = (error.text or "").rstrip()
            print(f"{sys.argv[1]}:{error.lineno}:{error.offset}: SyntaxError: {error.msg}" + (f"\\n    {text}" if text else ""))
            sys.exit(1)
        """

    private init(language: String, fileName: String, command: [String], runner: ToolRunner) {
        self.name = "\(language)-syntax"
        self.language = language
        self.fileName = fileName
        self.command = command
        self.runner = runner
    }

    /// The syntax check for `language`, or nil when AtomForge has none for it.
    public static func forLanguage(_ language: String, runner: ToolRunner) -> SyntaxValidator? {
        switch language {
        case "python":
            return SyntaxValidator(
                language: language, fileName: "atom.py", command: ["python3", "-I", "-c", pythonParse, "atom.py"],
                runner: runner)
        case "swift":
            return SyntaxValidator(
                language: language, fileName: "atom.swift",
                command: ["swiftc", "-typecheck", "dependencies.swift", "atom.swift"], runner: runner)
        case "javascript":
            return SyntaxValidator(
                language: language, fileName: "atom.js", command: ["node", "--check", "atom.js"], runner: runner)
        case "typescript":
            return SyntaxValidator(
                language: language, fileName: "atom.ts",
                command: ["tsc", "--noEmit", "--skipLibCheck", "--target", "es2020", "atom.ts"], runner: runner)
        default:
            return nil
        }
    }

    public func applies(to atom: Atom) -> Bool { atom.language.name == language }

    public func validate(_ subject: ValidationSubject) async -> [ValidationIssue] {
        let run: ToolRunner.Run
        do {
            // Swift type-checks the atom against its dependencies, so a call to a dependency with the wrong
            // arguments fails here even when the atom has no tests. Imports are per file in Swift: the atom's own
            // go in front of its first line, joined by `;`, so the line numbers of errors stay the model's.
            var code = subject.code
            if language == "swift", !subject.atom.imports.isEmpty {
                code = subject.atom.imports.joined(separator: "; ") + "; " + code
            }
            let dependencies = (subject.allImports + subject.dependencyCode).joined(separator: "\n\n")
            let files = [fileName: code, "dependencies.swift": dependencies]
            run = try await runner.run(command[0], Array(command.dropFirst()), files: files)
        } catch {
            return [ValidationIssue(.critical, "\(error); is \(command[0]) installed?", validator: name)]
        }
        if run.timedOut {
            return [
                ValidationIssue(.error, "\(command[0]) did not finish within the validation timeout", validator: name)
            ]
        }
        if run.exitCode == 127 {
            return [
                ValidationIssue(
                    .critical, "\(command[0]) is not installed; cannot check \(language) syntax", validator: name)
            ]
        }
        guard run.exitCode != 0 else { return [] }
        let output = run.output.trimmingWhitespace()
        return [
            ValidationIssue(
                .error, output.isEmpty ? "\(command[0]) exited with \(run.exitCode)" : output, validator: name)
        ]
    }
}
