import AtomForge
import AtomForgeTestSupport
import Foundation
import Glibc
import Testing

@Suite("atomforge check")
struct CheckCommandTests {
    @Test("accepts every example plan with exit 0 and prints levels and critical path")
    func examples() async throws {
        let plans = try FileManager.default.contentsOfDirectory(atPath: RepositoryFiles.path("examples/plans"))
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".json") }.sorted()
        #expect(plans.count >= 3)
        let outcome = try await CommandRunner.atomforge(["check"] + plans.map { "examples/plans/\($0)" })
        #expect(outcome.status == 0, "\(outcome.standardOutput)")
        for plan in plans {
            #expect(outcome.standardOutput.contains("examples/plans/\(plan): valid plan"))
        }
        #expect(
            outcome.standardOutput.contains(
                "critical path: 4 atoms: tokenize → word_frequencies → top_words → summarize"))
    }

    @Test("parses the code a plan provides in the sandbox: a syntax error there is a plan error; prints the nesting")
    func providedCode() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = """
            plan: provided
            atoms:
              - {id: good, name: Queue, file: q.js, code: "class Queue {\\n  constructor() { this.items = []; }\\n}"}
              - {id: size, name: size, parent: good, code: "size() {\\n  return this.items.length;\\n}"}
              - {id: bad, name: helper, file: h.py, code: "def helper(:\\n    return 1"}
            """
        try plan.write(to: directory.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        let outcome = try await CommandRunner.atomforge(["check", "p.yaml"], in: directory.path)
        #expect(outcome.status == 2, "\(outcome.standardOutput)\n\(outcome.standardError)")
        #expect(outcome.standardError.contains("error: atom 'bad': its provided code does not parse:"))
        #expect(outcome.standardError.contains("SyntaxError"), "\(outcome.standardError)")
        #expect(!outcome.standardError.contains("atom 'good'") && !outcome.standardError.contains("atom 'size'"))
        let fixed = plan.replacing("def helper(:", with: "def helper():")
        try fixed.write(to: directory.appendingPathComponent("p.yaml"), atomically: true, encoding: .utf8)
        let valid = try await CommandRunner.atomforge(["check", "p.yaml"], in: directory.path)
        #expect(valid.status == 0, "\(valid.standardError)")
        #expect(valid.standardOutput.contains("classes: 1 with 1 method\n    Queue (good, q.js)\n      .size (size)"))
        #expect(valid.standardOutput.contains("provided code: good, size, bad"))
    }

    @Test("refuses a bad plan with exit 2 and every problem on its own line")
    func badPlan() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = """
            plan: broken
            language: python
            atoms:
              - {id: a, name: A, description: d, depends_on: [b]}
              - {id: b, name: B, description: d, depends_on: [a], file: ../up.py}
            """
        try plan.write(to: directory.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        let outcome = try await CommandRunner.atomforge(["check", "broken.yaml"], in: directory.path)
        #expect(outcome.status == 2)
        #expect(outcome.standardOutput.isEmpty, "problems go to stderr: \(outcome.standardOutput)")
        let lines = outcome.standardError.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("broken.yaml:4:5: error: dependency cycle: a → b → a") })
        #expect(lines.contains { $0.hasPrefix("broken.yaml:5:61: error: atom 'b': file '../up.py' must not use '..'") })
        #expect(lines.last == "broken.yaml: invalid: 2 problems")
    }

    @Test("a missing file is exit 2 with a message")
    func missingFile() async throws {
        let outcome = try await CommandRunner.atomforge(["check", "no/such/plan.yaml"])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("no/such/plan.yaml: error: no such plan file"))
    }

    @Test("a folder given as the plan or the config is named as a folder; a missing config says it does not exist")
    func foldersAndMissingConfig() async throws {
        let folder = FileManager.default.temporaryDirectory.path
        let plan = try await CommandRunner.atomforge(["check", folder])
        #expect(plan.status == 2)
        #expect(plan.standardError.contains("\(folder): error: is a directory, not a plan file"))
        let config = try await CommandRunner.atomforge(["run", "examples/plans/textkit.yaml", "--config", folder])
        #expect(config.status == 2)
        #expect(config.standardError.contains("is a directory; --config names the config file"))
        let missing = try await CommandRunner.atomforge(["run", "examples/plans/textkit.yaml", "--config", "none.yaml"])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("none.yaml: error: the config file does not exist"))
        #expect(!missing.standardError.contains("pass --config"))
    }

    @Test("--version prints the version; an unknown option is exit 64")
    func versionAndUsage() async throws {
        let version = try await CommandRunner.atomforge(["--version"])
        #expect(version.status == 0)
        #expect(version.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == AtomForgeVersion.current)
        let usage = try await CommandRunner.atomforge(["run", "--bogus"])
        #expect(usage.status == 64)
        // A mistyped command is named with the one meant, not "2 unexpected arguments".
        let typo = try await CommandRunner.atomforge(["rnu", "plan.yaml"])
        #expect(typo.status == 64)
        #expect(typo.standardError.contains("unknown command 'rnu'; did you mean 'run'?"), "\(typo.standardError)")
        let status = try await CommandRunner.atomforge(["stauts"])
        #expect(status.standardError.contains("did you mean 'status'?"), "\(status.standardError)")
    }

    @Test("--help shows an example")
    func help() async throws {
        let outcome = try await CommandRunner.atomforge(["check", "--help"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.contains("atomforge check examples/plans/textkit.yaml"))
    }

    /// Runs `script` with /bin/sh in `directory`, with `environment` added.
    func shell(_ script: String, in directory: String, environment: [String: String] = [:]) async throws
        -> CommandRunner.Outcome
    {
        var variables = ProcessInfo.processInfo.environment
        variables["ATOMFORGE"] = CommandRunner.executable.path
        variables.merge(environment) { $1 }
        return try await CommandRunner.run(
            URL(fileURLWithPath: "/bin/sh"), ["-c", script], in: directory, environment: variables)
    }

    @Test("check - reads the plan from standard input")
    func standardInput() async throws {
        let good = try await shell(
            "printf 'plan: piped\\nlanguage: python\\natoms:\\n  - {id: a, name: a, description: d}\\n' "
                + "| \"$ATOMFORGE\" check -", in: RepositoryFiles.root.path)
        #expect(good.status == 0, "\(good.standardError)")
        #expect(good.standardOutput.contains("<stdin>: valid plan 'piped'"))
        let bad = try await shell("printf 'atoms: [' | \"$ATOMFORGE\" check -", in: RepositoryFiles.root.path)
        #expect(bad.status == 2)
        #expect(bad.standardError.contains("<stdin>:2:1: error: not valid YAML or JSON"), "\(bad.standardError)")
    }

    @Test("under GitHub Actions each problem is also an ::error annotation on its file, line and column")
    func annotations() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("annotate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "plan: p\nlanguage: python\natoms:\n  - {id: a, name: a, description: d, depends_on: [zz]}\n".write(
            to: directory.appendingPathComponent("p,1.yaml"), atomically: true, encoding: .utf8)
        let annotated = try await CommandRunner.atomforge(
            ["check", "p,1.yaml"], in: directory.path,
            environment: ProcessInfo.processInfo.environment.merging(["GITHUB_ACTIONS": "true"]) { $1 })
        #expect(annotated.status == 2)
        let command = try #require(
            annotated.standardOutput.split(separator: "\n").first { $0.hasPrefix("::error ") }, "\(annotated)")
        #expect(command.hasPrefix("::error file=p%2C1.yaml,line=4,col="), "\(command)")
        #expect(command.hasSuffix("::atom 'a' depends on unknown atom 'zz'"), "\(command)")
        let plain = try await CommandRunner.atomforge(["check", "p,1.yaml"], in: directory.path)
        #expect(!(plain.standardOutput + plain.standardError).contains("::error"))
    }

    @Test("watch refuses an inbox that does not exist, or is a file, unless --create")
    func watchInbox() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("no-inbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "paths:\n  inbox: inbx\nprovider:\n  base_url: http://127.0.0.1:9/v1\n".write(
            to: directory.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
        let refused = try await CommandRunner.atomforge(["watch"], in: directory.path)
        #expect(refused.status == 2)
        #expect(
            refused.standardError.contains(
                "inbx does not exist; create it, fix paths.inbox in pipeline.yaml, or pass --create"))
        try "".write(to: directory.appendingPathComponent("inbx"), atomically: true, encoding: .utf8)
        let file = try await CommandRunner.atomforge(["watch"], in: directory.path)
        #expect(file.status == 2 && file.standardError.contains("inbx is a file, not a folder"))
        try FileManager.default.removeItem(at: directory.appendingPathComponent("inbx"))
        let daemon = try await ChildProcess.spawn(
            CommandRunner.executable.path, ["watch", "--create"], environment: ProcessInfo.processInfo.environment,
            workingDirectory: directory.path, output: .null)
        var created = false
        for _ in 0..<1200 where !created {
            try await Task.sleep(for: .milliseconds(25))
            var isDirectory: ObjCBool = false
            created =
                FileManager.default.fileExists(
                    atPath: directory.appendingPathComponent("inbx").path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        }
        #expect(created, "--create makes the inbox")
        daemon.signal(SIGTERM)
        #expect(await daemon.wait() == 0)
    }
}
