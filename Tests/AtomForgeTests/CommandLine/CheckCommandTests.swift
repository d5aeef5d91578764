import AtomForge
import Foundation
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
        let lines = outcome.standardOutput.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("broken.yaml:4:5: error: dependency cycle: a → b → a") })
        #expect(lines.contains { $0.hasPrefix("broken.yaml:5:61: error: atom 'b': file '../up.py' must not use '..'") })
        #expect(lines.last == "broken.yaml: invalid: 2 problems")
    }

    @Test("a missing file is exit 2 with a message")
    func missingFile() async throws {
        let outcome = try await CommandRunner.atomforge(["check", "no/such/plan.yaml"])
        #expect(outcome.status == 2)
        #expect(outcome.standardOutput.contains("no/such/plan.yaml: error: no such plan file"))
    }

    @Test("a folder given as the plan or the config is named as a folder; a missing config says it does not exist")
    func foldersAndMissingConfig() async throws {
        let folder = FileManager.default.temporaryDirectory.path
        let plan = try await CommandRunner.atomforge(["check", folder])
        #expect(plan.status == 2)
        #expect(plan.standardOutput.contains("\(folder): error: is a directory, not a plan file"))
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
    }

    @Test("--help shows an example")
    func help() async throws {
        let outcome = try await CommandRunner.atomforge(["check", "--help"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.contains("atomforge check examples/plans/textkit.yaml"))
    }
}
