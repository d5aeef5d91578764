import AtomForgeModel
import AtomForgeSystem
import Foundation

/// Runs an atom's `tests` as one program with its dependencies' code and its own code in scope, inside the sandbox.
/// An atom with no tests is still run: the program then only loads the code with its dependencies (Python imports
/// it, JavaScript loads it, Swift compiles and runs it), so that an import of a name that does not exist or a
/// statement that raises fails before the atom can pass. The description's examples (``ValidationSubject/checks``)
/// run after the tests, like them.
///
/// Python: dependencies, the atom, the tests, run by ``TestHarness`` so that a failing assertion comes back as the
/// assertion, its place and the values compared. Swift: the same three parts compiled as one `main.swift` and run,
/// with `assert(a == b)` lines rewritten to show both values. JavaScript: the same three parts run by `node` under
/// a small runner. TypeScript: the same, transpiled by `tsc` first with a source map, so that places are the
/// TypeScript's. A failure is an error issue; its text goes into the next prompt.
///
/// The tests pass only if they are seen to run to their end (``TestHarness`` prints a token after the last one):
/// code that exits before them fails, whatever its exit status.
public struct AtomTestValidator: Validator {
    public let name = "tests"
    private let runner: ToolRunner
    /// The runners whose programs are installed. An atom whose runner is not among them is never passed untested:
    /// its attempts fail with what to install, before any program runs.
    private let available: Set<Language.TestRunner>

    public init(runner: ToolRunner, available: Set<Language.TestRunner> = Set(Language.TestRunner.allCases)) {
        self.runner = runner
        self.available = available
    }

    public func applies(to atom: Atom) -> Bool {
        atom.language.testRunner != nil
    }

    /// Whether `atom`'s code is run here: its language's runner is installed.
    public func runs(_ atom: Atom) -> Bool {
        atom.language.testRunner.map(available.contains) ?? false
    }

    public func validate(_ subject: ValidationSubject) async -> [ValidationIssue] {
        let tests = subject.tests
        if let testRunner = subject.atom.language.testRunner, !available.contains(testRunner) {
            // Nothing to check but loading: the atom rests on its syntax check (its evidence says `parsed`).
            if tests.isEmpty { return [] }
            let tools = testRunner.tools.joined(separator: " and ")
            return [
                ValidationIssue(
                    .critical,
                    "the \(subject.atom.language.name) tests cannot run: \(tools) must be installed "
                        + "(scripts/install-deps installs them)", validator: name)
            ]
        }
        var header = subject.allImports.joined(separator: "\n")
        if !header.isEmpty { header += "\n" }
        let dependencies = subject.dependencyCode.joined(separator: "\n\n")
        let before = header + (dependencies.isEmpty ? "" : dependencies + "\n\n")
        // A method runs in its class: its own lines are the part of the class that is "your code".
        let atomStart = before.count(of: "\n") + subject.unitLines.lowerBound
        let atomEnd = before.count(of: "\n") + subject.unitLines.upperBound
        let classStart = before.count(of: "\n") + 1
        let offset = subject.enclosing?.unitOffset ?? 0
        let withAtom = before + subject.runnableCode + "\n\n"
        let testsStart = withAtom.count(of: "\n") + 1
        let calls = Self.testCalls(in: tests, language: subject.atom.language.testRunner)
        let program = withAtom + tests + "\n" + calls
        let token = Self.makeToken()
        // Python's report marker: a secret apart from the token (the code may read its own output, the report too).
        let reportToken = Self.makeToken(prefix: "atomforge-report-")
        let command: [String]
        let files: [String: String]
        switch subject.atom.language.testRunner {
        case .python?:
            command = [
                "python3", "-I", "harness.py", "program.py", "\(atomStart)", "\(testsStart)", "\(atomEnd)",
                "\(classStart)", "\(offset)",
            ]
            files = [
                "program.py": program, "harness.py": TestHarness.python, TestHarness.tokenFile: token,
                TestHarness.reportTokenFile: reportToken,
                TestHarness.knownNamesFile: Self.namesUsed(of: subject.knownNames, in: subject.runnableCode)
                    .joined(separator: "\n"),
            ]
        case .swift?:
            // The rewritten tests show both values of a failed comparison; should the rewrite not compile (an `==`
            // that only an overload for tuples answers, say), the tests as written are compiled instead. The
            // sources are removed before the program runs, so it cannot read the token out of them.
            let rewritten = withAtom + SwiftAssertions.rewrite(tests) + "\n" + calls
            let finish = "\nprint(\"\(token)\")\n"
            command = [
                "sh", "-c",
                "if ! swiftc -o program main.swift >/dev/null 2>&1; then rm -f program; "
                    + "swiftc -o program plain.swift 2>&1 | head -40; fi; "
                    + "[ -x program ] && rm -f main.swift plain.swift && ./program",
            ]
            files = ["main.swift": rewritten + finish + TestHarness.swiftSupport, "plain.swift": program + finish]
        case .typescript?:
            // Transpiled with a source map, so that node reports places in the TypeScript as written, which the
            // runner shows and counts (type errors do not stop the tests: the syntax check reports the atom's own).
            command = [
                "sh", "-c",
                "tsc --target es2020 --module commonjs --skipLibCheck --sourceMap --outDir . program.ts "
                    + "> tsc.log 2>&1; "
                    + "if [ ! -f program.js ]; then head -20 tsc.log; exit 1; fi; "
                    + "exec node --enable-source-maps runner.js \(atomStart) \(testsStart) \(atomEnd) \(classStart) \(offset) "
                    + "program.ts",
            ]
            files = ["program.ts": program, "runner.js": TestHarness.javascript, TestHarness.tokenFile: token]
        case .javascript?, nil:
            command = [
                "node", "runner.js", "\(atomStart)", "\(testsStart)", "\(atomEnd)", "\(classStart)", "\(offset)",
            ]
            files = ["program.js": program, "runner.js": TestHarness.javascript, TestHarness.tokenFile: token]
        }
        let run: ToolRunner.Run
        do {
            if command.starts(with: ["python3", "-I"]) {
                run = try await runner.runPython(Array(command.dropFirst(2)), files: files)
            } else {
                run = try await runner.run(command[0], Array(command.dropFirst()), files: files)
            }
        } catch {
            return [ValidationIssue(.critical, "\(error)", validator: name)]
        }
        if run.timedOut {
            return [
                ValidationIssue(
                    .error, "the tests did not finish within \(runner.timeout) (an endless loop?)", validator: name,
                    kind: .timeout)
            ]
        }
        if run.outputBytes >= runner.sandbox.maxFileBytes {
            return [
                ValidationIssue(
                    .error,
                    "the program wrote \(runner.sandbox.maxFileBytes >> 20) MB of output, all a run may write, and "
                        + "was stopped there before its tests ended: the code must not print that much",
                    validator: name, kind: .exception)
            ]
        }
        let finished = Self.containsLine(token, run.output) || Self.containsLine(token, run.outputTail)
        var output = Self.removingLine(token, from: run.output).trimmingWhitespace()
        // The harness's report of a failure comes first; what the program printed before it, after (shortened).
        let marker = (subject.atom.language.testRunner == .python ? reportToken : token) + ":report"
        let report = Self.report(after: marker, in: run.output) ?? Self.report(after: marker, in: run.outputTail)
        if let report {
            let printed = output.components(separatedBy: marker).first?.trimmingWhitespace() ?? ""
            output = report.text
            if !printed.isEmpty {
                output += "\n  the program printed: " + String(printed.prefix(300)) + (printed.count > 300 ? "…" : "")
            }
        }
        if subject.atom.language.testRunner == .swift {
            output = SwiftAssertions.describePlaces(
                in: output, program: program, atomStart: atomStart, atomEnd: atomEnd, classStart: classStart,
                offset: offset, testsStart: testsStart)
        }
        if run.exitCode == 0 && finished { return [] }
        if output.count > 1500 { output = String(output.prefix(1500)) + "\n…" }
        if run.exitCode == 0 {
            let message =
                "the program ended (exit status 0) before its tests ran to their end: the code must not exit or "
                + "stop the program (sys.exit, os._exit, process.exit, exit(0)); it must only define \(subject.atom.name)"
            return [
                ValidationIssue(
                    .error, output.isEmpty ? message : message + "\n" + output, validator: name, kind: .exited)
            ]
        }
        if run.exitCode > 128 {
            output +=
                (output.isEmpty ? "" : "\n") + "the program was killed by signal \(run.exitCode - 128)"
                + (run.exitCode - 128 == 9 || run.exitCode - 128 == 24 ? " (a resource limit)" : "")
        }
        // The harness names the kind of what it reported; a Swift program (which has no harness of its own) is told
        // by its toolchain's diagnostics; anything else that ended without a report (a process killed at a limit,
        // TypeScript that did not compile) is an exception.
        let swift = subject.atom.language.testRunner == .swift
        let kind = report?.kind ?? (swift ? ToolchainFailure.kind(ofSwift: output) : nil) ?? .exception
        return [
            ValidationIssue(
                .error, output.isEmpty ? "the tests failed (exit \(run.exitCode))" : output, validator: name,
                kind: kind)
        ]
    }

    /// The calls of the test functions `tests` declares (`func test…()`, `function test…()`), for the languages whose
    /// harness cannot find them itself; Python's finds its own (and `unittest.TestCase` classes).
    static func testCalls(in tests: String, language runner: Language.TestRunner?) -> String {
        let lines = tests.split(separator: "\n")
        // A function the tests call themselves at their top level runs there, not a second time.
        let called = Set(
            lines.filter { !($0.first?.isWhitespace ?? true) }.compactMap { line in
                (try? /(?:try\s+)?(?:await\s+)?(\w+)\s*\(\s*\);?/.wholeMatch(in: String(line).trimmingWhitespace()))
                    .map { String($0.output.1) }
            })
        let found = lines.compactMap { line -> (name: String, effects: String)? in
            switch runner {
            case .swift?:
                (try? /func\s+(test\w*)\s*\(\s*\)\s*((?:async\s*)?(?:throws\s*)?)/.prefixMatch(in: line))
                    .map { (String($0.output.1), String($0.output.2)) }
            case .javascript?, .typescript?:
                (try? /(?:async\s+)?function\s+(test\w*)\s*\(\s*\)/.prefixMatch(in: line)).map {
                    (String($0.output.1), "")
                }
            default: nil
            }
        }.filter { !called.contains($0.name) }
        guard !found.isEmpty else { return "" }
        switch runner {
        case .swift?:
            return found.map { test in
                (test.effects.contains("throws") ? "try " : "") + (test.effects.contains("async") ? "await " : "")
                    + "\(test.name)()"
            }.joined(separator: "\n") + "\n"
        default: return found.map { "__atomforgeTest(\($0.name));" }.joined(separator: "\n") + "\n"
        }
    }

    /// Those of `names` that `code` mentions as a word: all the harness needs of a large plan's names, sent with
    /// every attempt.
    static func namesUsed(of names: [String], in code: String) -> [String] {
        guard !names.isEmpty else { return [] }
        let words = Set(code.split { !($0.isLetter || $0.isNumber || $0 == "_") })
        return names.filter { words.contains(Substring($0)) }
    }

    /// 128 random bits in hex: what the harness prints after the last test (or, with another prefix, the marker of
    /// the Python harness's report).
    static func makeToken(prefix: String = "atomforge-tests-finished-") -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return prefix + String(high, radix: 16) + String(low, radix: 16)
    }

    /// The harness's report of a failure in `output`: the text after its marker line (`<marker>:report:<kind>`),
    /// and the kind that line names (nil for a kind this version does not know).
    static func report(after marker: String, in output: String) -> (kind: FailureKind?, text: String)? {
        var searched = output.startIndex
        while let range = output.range(of: marker, range: searched..<output.endIndex) {
            searched = range.upperBound
            let rest = output[range.upperBound...]
            guard let newline = rest.firstIndex(of: "\n") else { return nil }
            let header = rest[..<newline]
            guard header.isEmpty || header.first == ":" else { continue }
            return (
                FailureKind(rawValue: String(header.dropFirst())),
                String(rest[rest.index(after: newline)...]).trimmingWhitespace()
            )
        }
        return nil
    }

    static func containsLine(_ line: String, _ text: String) -> Bool {
        text.split(separator: "\n").contains { String($0).trimmingWhitespace() == line }
    }

    static func removingLine(_ line: String, from text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { String($0).trimmingWhitespace() != line }
            .joined(separator: "\n")
    }
}
