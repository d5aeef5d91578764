import AtomForgeModel
import AtomForgeSystem
import Foundation

/// Runs a plan's suite against the assembled tree, in the sandbox, with the limits, isolation and timeout of atom
/// tests: the tree written under `src/` (on the import path, as a person's checkout would put it), the suite's files
/// under `suite/`, and the language's own test runner: pytest in one process with a plugin of AtomForge's that
/// collects each test's report, `node --test` with a reporter of AtomForge's (TypeScript compiled by `tsc` first). Outcomes come from the runner's own
/// records rather than from its printed text.
public struct SuiteRunner: Sendable {
    let runner: ToolRunner
    /// One test's limit: a test cut there fails with that said, and the others still run.
    let testTimeout: Duration

    /// `runner`'s timeout bounds one run of the whole suite.
    public init(runner: ToolRunner, testTimeout: Duration = .seconds(10)) {
        self.runner = runner
        self.testTimeout = testTimeout
    }

    /// What the driver reads: the tree, the suite's files, the tests to run, one test's limit in seconds.
    struct Payload: Encodable {
        var tree: [String: String]
        var suite: [String: String]
        var only: [String]
        var testTimeout: Double
        /// The suite and the tree are TypeScript, compiled before they run.
        var typescript = false

        enum CodingKeys: String, CodingKey {
            case tree, suite, only, typescript
            case testTimeout = "test_timeout"
        }
    }


    /// The suite's result on `tree` (path → text); nil when the sandbox gave no answer at all. `only`: the tests to
    /// run, by id (`suite/test_tools.py::test_norm`); all of them when empty. A suite in two languages runs as two,
    /// one after the other, and its results are one.
    public func run(_ suite: [SuiteFile], tree: [String: String], only: [String] = []) async -> SuiteResult? {
        var parts: [SuiteResult] = []
        for runner in [Language.TestRunner.python, .javascript, .typescript, .swift] {
            let files = suite.filter { $0.language.testRunner == runner }
            let wanted = only.filter { id in files.contains { id.hasPrefix("suite/\($0.name)::") } }
            guard !files.isEmpty, only.isEmpty || !wanted.isEmpty else { continue }
            guard let part = await run(files, of: runner, tree: tree, only: wanted) else { return nil }
            parts.append(part)
        }
        guard !parts.isEmpty else { return SuiteResult(tests: [], problem: "no suite file in a language it runs") }
        let problems = parts.compactMap(\.problem)
        return SuiteResult(
            tests: parts.flatMap(\.tests), problem: problems.isEmpty ? nil : problems.joined(separator: "\n"))
    }

    /// One language's part of the suite: its driver run in the sandbox with the tree's files of that language.
    private func run(
        _ files: [SuiteFile], of language: Language.TestRunner, tree: [String: String], only: [String]
    ) async -> SuiteResult? {
        // The Swift suite's driver is a Python program.
        let tools = language.tools + (language == .swift ? ["python3"] : [])
        let missing = tools.filter { Toolchain.find($0) == nil }
        guard missing.isEmpty else {
            return SuiteResult(
                tests: [], problem: "not run: \(missing.joined(separator: " and ")) is not installed")
        }
        let token = AtomTestValidator.makeToken()
        let extensions =
            switch language {
            case .python: [".py"]
            case .swift: [".swift"]
            case .typescript: [".ts"]
            case .javascript: [".js", ".cjs", ".mjs"]
            }
        let payload = Payload(
            tree: tree.filter { entry in extensions.contains { entry.key.hasSuffix($0) } },
            suite: Dictionary(files.map { ($0.name, $0.code) }, uniquingKeysWith: { first, _ in first }), only: only,
            testTimeout: testTimeout.seconds, typescript: language == .typescript)
        guard let data = try? JSONEncoder().encode(payload) else { return nil }
        var scripts = [
            "suite.json": String(decoding: data, as: UTF8.self), TestHarness.tokenFile: token,
        ]
        let started: ToolRunner.Run?
        if language == .python {
            scripts["suite.py"] = Self.python
            started = try? await runner.runPython(["suite.py"], files: scripts)
        } else if language == .swift {
            scripts["suite_swift.py"] = Self.swift
            started = try? await runner.run("python3", ["-I", "suite_swift.py"], files: scripts)
        } else {
            scripts["suite.js"] = Self.javascript
            scripts["reporter.mjs"] = Self.javascriptReporter
            scripts["preload.js"] = Self.javascriptPreload
            started = try? await runner.run("node", ["suite.js"], files: scripts)
        }
        guard let run = started else { return nil }
        if run.timedOut {
            // The driver says each test as it starts: the one running when the time ran out is named.
            let running = run.report(behind: token)?["running"] as? String
            return SuiteResult(
                tests: [],
                problem: "the suite did not finish within \(runner.timeout) (suite.timeout_s)"
                    + (running.map { "; the test running then: \($0)" } ?? ""))
        }
        guard let object = run.report(behind: token) else {
            let said = run.outputTail.split(separator: "\n").suffix(5).joined(separator: "\n")
            return SuiteResult(
                tests: [], problem: "the suite ended before it reported" + (said.isEmpty ? "" : ": \(said)"))
        }
        return Self.result(of: object)
    }

    /// The result the driver reported: its tests, and a problem when pytest could not collect or found none.
    package static func result(of object: [String: Any]) -> SuiteResult {
        if let problem = object["problem"] as? String { return SuiteResult(tests: [], problem: problem) }
        let tests = (object["tests"] as? [[String: Any]] ?? []).compactMap { entry -> SuiteResult.Test? in
            guard let name = entry["name"] as? String, let reported = entry["outcome"] as? String else { return nil }
            // An outcome the drivers do not give is not a pass: it counts as an error, its word kept in the message.
            let outcome = SuiteResult.Test.Outcome(rawValue: reported) ?? .error
            var message = entry["message"] as? String
            if outcome.rawValue != reported {
                message = "the runner reported '\(reported)'" + (message.map { ": " + $0 } ?? "")
            }
            var test = SuiteResult.Test(name: name, outcome: outcome, message: message)
            test.line = entry["line"] as? String
            test.source = entry["source"] as? String
            test.frames = (entry["frames"] as? [Any])?.compactMap { SourceTreeCheck.Place(reported: $0) }
            return test
        }
        let errors = object["errors"] as? [String] ?? []
        let exit = object["exit"] as? Int ?? 0
        if !errors.isEmpty {
            return SuiteResult(tests: tests, problem: errors.prefix(3).joined(separator: "\n"))
        }
        let tool = object["runner"] as? String ?? "pytest"
        if exit == 5 || tests.isEmpty {
            return SuiteResult(tests: tests, problem: "\(tool) found no tests in the suite")
        }
        if exit >= 2 { return SuiteResult(tests: tests, problem: "\(tool) stopped with exit status \(exit)") }
        return SuiteResult(tests: tests)
    }
}
