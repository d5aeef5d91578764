import AtomForge
import Foundation
import Testing

/// `atomforge export`: a finished run's `src/` copied into a working tree, committed on a branch of a real git
/// repository (its working tree and checked-out branch untouched), or written as a patch `git apply` takes; the
/// stubs of atoms that did not pass said. Through the real binary, a real run against the scripted server, real git.
@Suite("atomforge export", .serialized)
struct ExportTests: EndToEndSuite {
    let server: ScriptedServer
    let folder: URL
    var run: String { folder.appendingPathComponent("outbox/lib").path }
    var repository: URL { folder.appendingPathComponent("repo") }

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.temporaryFolder("export")
        try writeConfig(
            retries: 0,
            """
            generation:
              max_attempts: 1
            evidence: {agreement: {candidates: 0}}
            """)
        try write(
            """
            plan: lib
            language: python
            atoms:
              - {id: one, name: one, description: "returns 1", file: lib/one.py, tests: "assert one() == 1"}
              - {id: two, name: two, description: "returns 2", file: lib/two.py, tests: "assert two() == 2"}
            """, to: "plan.yaml")
    }

    /// A finished run: `one` passes, `two` fails (its file holds a stub).
    func finishedRun() async throws {
        try await server.script([["reply": "```python\ndef one():\n    return 1\n```"]], match: "defines `one`")
        try await server.script([["reply": "```python\ndef two():\n    return 3\n```"]], match: "defines `two`")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 1, "\(outcome.standardError)")
    }

    func atomforge(_ arguments: [String]) async throws -> CommandRunner.Outcome {
        try await CommandRunner.atomforge(["export", run] + arguments, in: folder.path)
    }

    func git(_ arguments: [String]) async throws -> String {
        let outcome = try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["git", "-c", "user.name=Person", "-c", "user.email=person@example.org"] + arguments,
            in: repository.path)
        #expect(outcome.status == 0, "git \(arguments): \(outcome.standardError)")
        return outcome.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A repository with one commit on `main` and a change not committed.
    func repositoryWithWork() async throws {
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        _ = try await git(["init", "-q", "-b", "main"])
        try write("mine\n", to: "repo/README")
        _ = try await git(["add", "README"])
        _ = try await git(["commit", "-q", "-m", "start"])
        try write("mine, not committed\n", to: "repo/README")
    }

    @Test("a copy writes src/'s files, names the stubs, and never overwrites a file that differs without --force")
    func copy() async throws {
        try await finishedRun()
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("tree"), withIntermediateDirectories: true)
        let first = try await atomforge(["--to", "tree"])
        #expect(first.status == 0, "\(first.standardError)")
        #expect(try read("tree/lib/one.py") == read("outbox/lib/src/lib/one.py"))
        #expect(first.standardOutput.contains("lib/two.py: two (failed)"), "\(first.standardOutput)")
        try write("a person's work\n", to: "tree/lib/one.py")
        let refused = try await atomforge(["--to", "tree"])
        #expect(refused.status == 1)
        #expect(refused.standardError.contains("would be overwritten: lib/one.py"), "\(refused.standardError)")
        #expect(try read("tree/lib/one.py") == "a person's work\n")
        let forced = try await atomforge(["--to", "tree", "--force"])
        #expect(forced.status == 0)
        #expect(try read("tree/lib/one.py") == read("outbox/lib/src/lib/one.py"))
    }

    @Test("--git commits on a branch of its own; the checked-out branch, index and working tree stay as they were")
    func commit() async throws {
        try await finishedRun()
        try await repositoryWithWork()
        let head = try await git(["rev-parse", "HEAD"])
        let exported = try await atomforge(["--to", repository.path, "--git", "--prefix", "vendor"])
        #expect(exported.status == 0, "\(exported.standardError)")
        #expect(try await git(["rev-parse", "--abbrev-ref", "HEAD"]) == "main")
        #expect(try await git(["rev-parse", "HEAD"]) == head)
        #expect(try read("repo/README") == "mine, not committed\n")
        #expect(try await git(["status", "--porcelain"]) == "M README")
        let files = try await git(["ls-tree", "-r", "--name-only", "atomforge/lib"])
        #expect(files.split(separator: "\n") == ["README", "vendor/lib/one.py", "vendor/lib/two.py"], "\(files)")
        #expect(try await git(["rev-parse", "atomforge/lib^"]) == head)
        let message = try await git(["log", "-1", "--format=%B", "atomforge/lib"])
        #expect(message.hasPrefix("AtomForge: plan lib (1 of 2 atoms passed, 1 failed, 0 blocked)"), "\(message)")
        #expect(message.contains("- lib/two.py: two (failed)"), "\(message)")
        #expect(
            try await git(["show", "atomforge/lib:vendor/lib/one.py"])
                == read("outbox/lib/src/lib/one.py").trimmingCharacters(in: .newlines))
        let again = try await atomforge(["--to", repository.path, "--git", "--prefix", "vendor"])
        #expect(again.status == 0)
        #expect(again.standardOutput.contains("nothing to commit"), "\(again.standardOutput)")
    }

    @Test("--patch writes the commit as a patch git applies, and makes no branch")
    func patch() async throws {
        try await finishedRun()
        try await repositoryWithWork()
        let exported = try await atomforge(["--to", repository.path, "--patch", "lib.patch"])
        #expect(exported.status == 0, "\(exported.standardError)")
        #expect(try read("lib.patch").contains("Subject: [PATCH] AtomForge: plan lib"))
        #expect(try await git(["branch", "--list", "atomforge/*"]).isEmpty)
        _ = try await git(["apply", "--check", folder.appendingPathComponent("lib.patch").path])
    }

    @Test("what cannot be exported says why: a run not finished, a folder that is no repository, a missing folder")
    func refusals() async throws {
        try await finishedRun()
        try FileManager.default.removeItem(at: folder.appendingPathComponent("outbox/lib/summary.json"))
        let unfinished = try await atomforge(["--to", "."])
        #expect(unfinished.status == 2)
        #expect(unfinished.standardError.contains("has not finished"), "\(unfinished.standardError)")
        try await finishedRun()
        let notGit = try await atomforge(["--to", folder.path, "--git"])
        #expect(notGit.status == 2)
        #expect(notGit.standardError.contains("is not a git repository"), "\(notGit.standardError)")
        let missing = try await atomforge(["--to", "nowhere"])
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("nowhere: no such folder"), "\(missing.standardError)")
    }
}
