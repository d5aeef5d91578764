/// Runs an atom's `tests` as one program with its dependencies' code and its own code in scope, inside the sandbox.
///
/// Python: dependencies, the atom, the tests, run by ``TestHarness`` so that a failing assertion comes back as the
/// assertion, its place and the values compared. Swift: the same three parts compiled as one `main.swift` and run.
/// JavaScript: the same three parts run by `node`. A failure is an error issue; its text goes into the next prompt.
public struct AtomTestValidator: Validator {
    public let name = "tests"
    private let runner: ToolRunner

    public init(runner: ToolRunner) {
        self.runner = runner
    }

    public static let languages: Set<String> = ["python", "swift", "javascript"]

    public func applies(to atom: Atom) -> Bool {
        atom.tests?.allSatisfy(\.isWhitespace) == false && Self.languages.contains(atom.language.name)
    }

    public func validate(_ subject: ValidationSubject) async -> [ValidationIssue] {
        guard let tests = subject.atom.tests else { return [] }
        var header = subject.allImports.joined(separator: "\n")
        if !header.isEmpty { header += "\n" }
        let dependencies = subject.dependencyCode.joined(separator: "\n\n")
        let before = header + (dependencies.isEmpty ? "" : dependencies + "\n\n")
        let atomStart = before.count(of: "\n") + 1
        let withAtom = before + subject.code + "\n\n"
        let testsStart = withAtom.count(of: "\n") + 1
        let program = withAtom + tests + "\n"
        let command: [String]
        let files: [String: String]
        switch subject.atom.language.name {
        case "python":
            command = ["python3", "-I", "harness.py", "program.py", "\(atomStart)", "\(testsStart)"]
            files = ["program.py": program, "harness.py": TestHarness.python]
        case "swift":
            command = ["sh", "-c", "swiftc -o program main.swift 2>&1 | head -40 && [ -x program ] && ./program"]
            files = ["main.swift": program]
        default:
            command = ["node", "program.js"]
            files = ["program.js": program]
        }
        let run: ToolRunner.Run
        do {
            run = try await runner.run(command[0], Array(command.dropFirst()), files: files)
        } catch {
            return [ValidationIssue(.critical, "\(error)", validator: name)]
        }
        if run.timedOut {
            return [
                ValidationIssue(
                    .error, "the tests did not finish within \(runner.timeout) (an endless loop?)", validator: name)
            ]
        }
        guard run.exitCode != 0 else { return [] }
        var output = run.output.trimmingWhitespace()
        if output.count > 1500 { output = String(output.prefix(1500)) + "\n…" }
        if run.exitCode > 128 {
            output +=
                (output.isEmpty ? "" : "\n") + "the program was killed by signal \(run.exitCode - 128)"
                + (run.exitCode - 128 == 9 || run.exitCode - 128 == 24 ? " (a resource limit)" : "")
        }
        return [
            ValidationIssue(
                .error, output.isEmpty ? "the tests failed (exit \(run.exitCode))" : output, validator: name)
        ]
    }
}

extension String {
    func count(of character: Character) -> Int {
        reduce(0) { $1 == character ? $0 + 1 : $0 }
    }
}
