import AtomForge
import Foundation
import Testing

/// A plan's own suite through the real binary, the scripted server over HTTP and the real pytest, `node --test` and
/// swiftc in the sandbox.
@Suite("a plan's suite end to end", .serialized)
struct SuiteTests: EndToEndSuite {
    let server: ScriptedServer
    let folder: URL

    init() async throws {
        server = try await ScriptedServer.start()
        folder = try Self.temporaryFolder("suite")
        try """
        provider:
          base_url: \(server.baseURL)/v1
          max_retries: 1
        generation:
          max_attempts: 2
        evidence: {agreement: {candidates: 0}}
        execution:
          max_workers: 1
        """.write(to: folder.appendingPathComponent("pipeline.yaml"), atomically: true, encoding: .utf8)
    }

    func writePlan(_ text: String) throws {
        try text.write(to: folder.appendingPathComponent("plan.yaml"), atomically: true, encoding: .utf8)
    }

    /// The replies the scripted server gives, in order (the last repeating), to requests for atom `name`: each the
    /// given Python code in a fence.
    func script(_ name: String, _ codes: String...) async throws {
        try await server.script(codes.map { ["reply": "```python\n\($0)\n```"] }, match: "defines `\(name)`")
    }

    func plan(_ name: String, test: String) throws {
        try writePlan(
            """
            plan: \(name)
            language: python
            atoms:
              - {id: norm, name: norm, description: "Strips s and lowers it.", file: text/tools.py}
            suite:
              - name: test_tools.py
                code: |
                  from text.tools import norm
                  def test_norm():
                      assert norm(" A ") == \(test)
            """)
    }

    @Test(
        "the suite runs on src/ at the end: a failing test fails the run (exit 1) and is listed; a passing one passes")
    func suiteJudgesTheTree() async throws {
        // The atom passes alone (nothing of its own checks what it does); the suite finds it does not lower.
        try await script("norm", "def norm(s):\n    return s.strip()")
        try plan("failing", test: "\"a\"")
        let failing = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(failing.status == 1, "\(failing.standardOutput)\n\(failing.standardError)")
        let summary = try json("outbox/failing/summary.json")
        #expect(summary["status"] as? String == "failed")
        let suite = try #require(summary["suite"] as? [String: Any])
        #expect(suite["passed"] as? Int == 0 && suite["failed"] as? Int == 1, "\(suite)")
        let tests = try #require(suite["tests"] as? [[String: Any]])
        #expect(tests.first?["name"] as? String == "suite/test_tools.py::test_norm")
        #expect((tests.first?["message"] as? String ?? "").contains("assert 'A' == 'a'"), "\(tests)")
        #expect((summary["counts"] as? [String: Int])?["passed"] == 1)
        let page = try String(contentsOf: folder.appendingPathComponent("outbox/failing/index.html"), encoding: .utf8)
        #expect(page.contains("The plan's suite <span class=\"status failed\">failed</span>"))
        #expect(page.contains("id=\"run-status\">failed</span>"))
        let markdown = try String(
            contentsOf: folder.appendingPathComponent("outbox/failing/summary.md"), encoding: .utf8)
        #expect(markdown.contains("The plan's suite on `src/`: 0 passed, 1 failed."), "\(markdown)")
        #expect(markdown.contains("`suite/test_tools.py::test_norm` failed"))

        try await script("norm", "def norm(s):\n    return s.strip()")
        try plan("passing", test: "\"A\"")
        let passing = try await CommandRunner.atomforge(
            ["run", "plan.yaml", "--output-format", "stream-json"], in: folder.path)
        #expect(passing.status == 0, "\(passing.standardOutput)\n\(passing.standardError)")
        // The plan_finished event says what the suite came to.
        let finished = passing.standardOutput.split(separator: "\n").last { $0.contains("\"plan_finished\"") }
        #expect(finished?.contains("\"suite_passed\":1") == true, "\(passing.standardOutput)")
        #expect(finished?.contains("\"suite_failed\":0") == true)
        let passed = try #require(try json("outbox/passing/summary.json")["suite"] as? [String: Any])
        #expect(passed["passed"] as? Int == 1 && passed["failed"] as? Int == 0)
    }

    @Test("a round fixes the atom the failing test implicates: its new candidate must pass that test on the tree")
    func roundFixesAnAtom() async throws {
        // Alone, the first reply passes; the suite fails it; the round's first candidate still fails the test on the
        // tree and sees why; the next one passes it.
        try await script(
            "norm", "def norm(s):\n    return s.strip()", "def norm(s):\n    return s.strip()",
            "def norm(s):\n    return s.strip().lower()")
        try plan("round", test: "\"a\"")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 0, "\(outcome.standardOutput)\n\(outcome.standardError)")
        let summary = try json("outbox/round/summary.json")
        let suite = try #require(summary["suite"] as? [String: Any])
        #expect(suite["passed"] as? Int == 1 && suite["failed"] as? Int == 0, "\(suite)")
        let rounds = try #require(summary["suite_rounds"] as? [[String: Any]])
        #expect(rounds.count == 1)
        #expect(rounds.first?["implicated"] as? [String] == ["norm"] && rounds.first?["fixed"] as? [String] == ["norm"])
        let source = try String(
            contentsOf: folder.appendingPathComponent("outbox/round/src/text/tools.py"), encoding: .utf8)
        #expect(source.contains("s.strip().lower()"))
        // Every paid attempt is in the report: the first ladder's and the round's, the failed one with the test.
        let report = try json("outbox/round/atoms/norm/report.json")
        let attempts = try #require(report["attempts"] as? [[String: Any]])
        #expect(attempts.count == 3, "\(attempts.count)")
        let issues = (attempts[1]["issues"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        #expect(issues.contains { $0.contains("suite/test_tools.py::test_norm failed") }, "\(issues)")
        // The round's candidates were shown the test and how it fails; the first ladder's were not.
        let prompt = attempts[1]["prompt"] as? String ?? ""
        #expect(prompt.contains("def test_norm():\n    assert norm(\" A \") == \"a\""), "\(prompt)")
        #expect(prompt.contains("assert 'A' == 'a'"), "\(prompt)")
        #expect(!(attempts[0]["prompt"] as? String ?? "").contains("test suite"))
    }

    @Test("an atom no round fixes keeps the code that passed alone, and the run fails with the test named")
    func roundKeepsTheCode() async throws {
        try await script("norm", "def norm(s):\n    return s.strip()")
        try plan("kept", test: "\"a\"")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 1)
        let report = try json("outbox/kept/atoms/norm/report.json")
        #expect(report["status"] as? String == "passed")
        let source = try String(
            contentsOf: folder.appendingPathComponent("outbox/kept/src/text/tools.py"), encoding: .utf8)
        #expect(source.contains("return s.strip()"))
        // One round that fixes nothing ends the rounds: the next would ask the same.
        let rounds = try #require(try json("outbox/kept/summary.json")["suite_rounds"] as? [[String: Any]])
        #expect(rounds.count == 1 && rounds.allSatisfy { ($0["fixed"] as? [String])?.isEmpty == true })
        // It goes before a person: a review page with the failing test, its code to edit, its count in the summary.
        let review = try String(
            contentsOf: folder.appendingPathComponent("outbox/kept/review/norm.md"), encoding: .utf8)
        #expect(review.contains("passed alone; the plan's suite fails on it"), "\(review)")
        #expect(review.contains("`suite/test_tools.py::test_norm` failed"), "\(review)")
        let editable = try String(
            contentsOf: folder.appendingPathComponent("outbox/kept/review/norm.py"), encoding: .utf8)
        #expect(editable.contains("return s.strip()"))
        let lines = try #require(try json("outbox/kept/summary.json")["atoms"] as? [[String: Any]])
        #expect(lines.first?["suite_failures"] as? Int == 1, "\(lines)")
        let tests = try #require(
            (try json("outbox/kept/summary.json")["suite"] as? [String: Any])?["tests"] as? [[String: Any]])
        #expect(tests.first?["atoms"] as? [String] == ["norm"], "the suite as it ends is pinned: \(tests)")
        // Run again, the plan is not "nothing to do": its suite runs again, and still fails.
        let again = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(again.status == 1, "\(again.standardOutput)\n\(again.standardError)")
        #expect(!again.standardOutput.contains("nothing to generate"))
        // A person fixes it on its review page and accepts it: the suite passes, and the page goes.
        let same = try await CommandRunner.atomforge(["accept", "outbox/kept", "norm"], in: folder.path)
        #expect(same.status == 2 && (same.standardOutput + same.standardError).contains("nothing to accept"))
        try "def norm(s):\n    return s.strip().lower()\n".write(
            to: folder.appendingPathComponent("outbox/kept/review/norm.py"), atomically: true, encoding: .utf8)
        let accepted = try await CommandRunner.atomforge(["accept", "outbox/kept", "norm"], in: folder.path)
        #expect(accepted.status == 0, "\(accepted.standardOutput)\n\(accepted.standardError)")
        #expect(
            !FileManager.default.fileExists(atPath: folder.appendingPathComponent("outbox/kept/review/norm.md").path))
    }

    @Test("a round after which fewer tests pass is undone: the atom gets its code back, its attempts stay")
    func worseRoundUndone() async throws {
        try writePlan(
            """
            plan: worse
            language: python
            atoms:
              - {id: norm, name: norm, description: "Strips s and lowers it.", file: text/tools.py}
              - {id: count, name: count, description: "The length of norm(s).", file: text/tools.py, depends_on: [norm]}
            suite:
              - name: test_tools.py
                code: |
                  from text.tools import norm, count
                  def test_norm():
                      assert norm(" A ") == "a"
                  def test_count():
                      assert count(" A b ") == 3
                  def test_count_again():
                      assert count("xy ") == 2
            """)
        // The round's candidate passes test_norm by returning "a" whatever it is given, and breaks both counts.
        try await script("norm", "def norm(s):\n    return s.strip()", "def norm(s):\n    return 'a'")
        try await script("count", "def count(s):\n    return len(norm(s))")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 1)
        let summary = try json("outbox/worse/summary.json")
        let suite = try #require(summary["suite"] as? [String: Any])
        #expect(suite["passed"] as? Int == 2 && suite["failed"] as? Int == 1, "\(suite)")
        let source = try String(
            contentsOf: folder.appendingPathComponent("outbox/worse/src/text/tools.py"), encoding: .utf8)
        #expect(source.contains("return s.strip()") && !source.contains("return 'a'"), "\(source)")
        let attempts = try #require(try json("outbox/worse/atoms/norm/report.json")["attempts"] as? [[String: Any]])
        #expect(attempts.count == 2, "both paid attempts kept: \(attempts.count)")
    }

    @Test("an atom that did not pass is a stub in the suite's tree: the test file still loads, the others' tests run")
    func failedAtomStubbed() async throws {
        try writePlan(
            """
            plan: stubbed
            language: python
            atoms:
              - {id: norm, name: norm, description: "Strips s.", file: text/tools.py}
              - id: broken
                name: broken
                description: "Returns 2."
                file: text/tools.py
                tests: "assert broken() == 2"
            suite:
              - name: test_tools.py
                code: |
                  from text.tools import norm, broken
                  def test_norm():
                      assert norm(" A ") == "A"
                  def test_broken():
                      assert broken() == 2
            """)
        try await script("norm", "def norm(s):\n    return s.strip()")
        try await script("broken", "def broken():\n    return 1")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 1)
        let suite = try #require(try json("outbox/stubbed/summary.json")["suite"] as? [String: Any])
        #expect(suite["problem"] == nil, "\(suite)")
        #expect(suite["passed"] as? Int == 1 && suite["failed"] as? Int == 1, "\(suite)")
        let tests = try #require(suite["tests"] as? [[String: Any]])
        let failed = try #require(tests.first { $0["outcome"] as? String == "failed" })
        #expect(
            (failed["message"] as? String ?? "").contains("broken (atom 'broken') failed: see review/broken.md"),
            "\(failed)")
        // The same stub is in src/: the file imports, and what passed can be used.
        let source = try String(
            contentsOf: folder.appendingPathComponent("outbox/stubbed/src/text/tools.py"), encoding: .utf8)
        #expect(source.contains("def broken(*args, **kwargs):\n    raise NotImplementedError("), "\(source)")
    }

    @Test(
        "JavaScript: src/ files require each other and export their atoms; node --test runs the suite and a round fixes the callee its failure went through"
    )
    func javascriptSuite() async throws {
        try writePlan(
            """
            plan: js
            language: javascript
            atoms:
              - {id: inner, name: inner, description: "Returns x doubled.", file: lib/math.js}
              - {id: twice, name: twice, description: "Returns inner(x).", file: lib/api.js, depends_on: [inner]}
              - id: broken
                name: broken
                description: "Returns 2."
                file: lib/api.js
                tests: "console.assert(broken() === 2)"
            suite:
              - name: test_api.js
                code: |
                  const test = require("node:test");
                  const assert = require("node:assert");
                  const { twice } = require("../src/lib/api.js");
                  test("twice doubles", () => {
                      assert.strictEqual(twice(3), 6);
                  });
            """)
        // Alone `inner` passes (nothing checks what it does); on the tree the test fails inside it, under `twice`.
        try await server.script(
            [
                ["reply": "```javascript\nfunction inner(x) {\n    throw new Error(\"not yet\");\n}\n```"],
                ["reply": "```javascript\nfunction inner(x) {\n    return x * 2;\n}\n```"],
            ], match: "defines `inner`")
        try await server.script(
            [["reply": "```javascript\nfunction twice(x) {\n    return inner(x);\n}\n```"]], match: "defines `twice`")
        try await server.script(
            [["reply": "```javascript\nfunction broken() {\n    return 1;\n}\n```"]], match: "defines `broken`")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 1, "broken failed: \(outcome.standardOutput)\n\(outcome.standardError)")
        let summary = try json("outbox/js/summary.json")
        let suite = try #require(summary["suite"] as? [String: Any])
        #expect(suite["passed"] as? Int == 1 && suite["failed"] as? Int == 0, "\(suite)")
        let rounds = try #require(summary["suite_rounds"] as? [[String: Any]])
        #expect(rounds.first?["implicated"] as? [String] == ["inner"], "\(rounds)")
        #expect(rounds.first?["fixed"] as? [String] == ["inner"], "\(rounds)")
        let api = try String(contentsOf: folder.appendingPathComponent("outbox/js/src/lib/api.js"), encoding: .utf8)
        #expect(api.hasPrefix("const { inner } = require(\"./math.js\");\n"), "\(api)")
        #expect(api.contains("function broken() {\n    throw new Error(\"broken (atom 'broken') failed"), "\(api)")
        #expect(api.hasSuffix("if (typeof module !== \"undefined\") module.exports = { broken, twice };\n"), "\(api)")
        // The tree is what Node loads: the file that requires the other runs.
        let run = try await CommandRunner.run(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["node", "-e", "console.log(require('./outbox/js/src/lib/api.js').twice(21))"], in: folder.path)
        #expect(run.standardOutput == "42\n", "\(run)")
    }

    @Test(
        "TypeScript: src/ files are modules that import each other; the suite, compiled by tsc, runs on node --test and a round fixes the callee"
    )
    func typescriptSuite() async throws {
        try writePlan(
            """
            plan: ts
            language: typescript
            atoms:
              - {id: inner, name: inner, description: "Returns x doubled.", file: lib/math.ts}
              - {id: twice, name: twice, description: "Returns inner(x).", file: lib/api.ts, depends_on: [inner]}
              - id: broken
                name: broken
                description: "Returns 2."
                file: lib/api.ts
                tests: "console.assert(broken() === 2)"
            suite:
              - name: api.test.ts
                code: |
                  import { test } from "node:test";
                  import assert from "node:assert";
                  import { twice } from "../src/lib/api";

                  test("twice doubles", () => {
                      assert.strictEqual(twice(3), 6);
                  });
            """)
        // Alone `inner` passes (nothing checks what it does); on the tree the test fails inside it, under `twice`.
        try await server.script(
            [
                [
                    "reply":
                        "```typescript\nfunction inner(x: number): number {\n    throw new Error(\"not yet\");\n}\n```"
                ],
                ["reply": "```typescript\nfunction inner(x: number): number {\n    return x * 2;\n}\n```"],
            ], match: "defines `inner`")
        try await server.script(
            [["reply": "```typescript\nfunction twice(x: number): number {\n    return inner(x);\n}\n```"]],
            match: "defines `twice`")
        try await server.script(
            [["reply": "```typescript\nfunction broken(): number {\n    return 1;\n}\n```"]], match: "defines `broken`")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 1, "broken failed: \(outcome.standardOutput)\n\(outcome.standardError)")
        let summary = try json("outbox/ts/summary.json")
        let suite = try #require(summary["suite"] as? [String: Any])
        #expect(suite["problem"] == nil, "\(suite)")
        #expect(suite["passed"] as? Int == 1 && suite["failed"] as? Int == 0, "\(suite)")
        let rounds = try #require(summary["suite_rounds"] as? [[String: Any]])
        #expect(rounds.first?["implicated"] as? [String] == ["inner"], "\(rounds)")
        #expect(rounds.first?["fixed"] as? [String] == ["inner"], "\(rounds)")
        let api = try String(contentsOf: folder.appendingPathComponent("outbox/ts/src/lib/api.ts"), encoding: .utf8)
        #expect(api.hasPrefix("import { inner } from \"./math\";\n"), "\(api)")
        #expect(
            api.contains(
                "function broken(..._arguments: any[]): any {\n    throw new Error(\"broken (atom 'broken') failed"),
            "\(api)")
        #expect(api.hasSuffix("export { broken, twice };\n"), "\(api)")
        // The tree is what tsc compiles and Node runs: the module that imports the other works.
        let run = try await CommandRunner.run(
            URL(fileURLWithPath: "/bin/sh"),
            [
                "-c",
                "cd outbox/ts/src && tsc --module commonjs --target es2020 --outDir ../../../compiled lib/api.ts "
                    + "&& node -e \"console.log(require('../../../compiled/api.js').twice(21))\"",
            ], in: folder.path)
        #expect(run.standardOutput == "42\n", "\(run)")
    }

    @Test("Swift: test functions compiled with src/; a trap in the callee pins it, and a round fixes it")
    func swiftSuite() async throws {
        try writePlan(
            """
            plan: swift
            language: swift
            atoms:
              - {id: inner, name: inner, description: "Returns x doubled.", file: Sources/Math.swift}
              - {id: twice, name: twice, description: "Returns inner(x).", file: Sources/Math.swift, depends_on: [inner]}
            suite:
              - name: MathTests.swift
                code: |
                  func testTwice() {
                      precondition(twice(3) == 6)
                  }
            """)
        try await server.script(
            [
                ["reply": "```swift\nfunc inner(_ x: Int) -> Int {\n    let table = [1]\n    return table[x]\n}\n```"],
                ["reply": "```swift\nfunc inner(_ x: Int) -> Int {\n    return x * 2\n}\n```"],
            ], match: "defines `inner`")
        try await server.script(
            [["reply": "```swift\nfunc twice(_ x: Int) -> Int {\n    return inner(x)\n}\n```"]],
            match: "defines `twice`")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 0, "\(outcome.standardOutput)\n\(outcome.standardError)")
        let summary = try json("outbox/swift/summary.json")
        let suite = try #require(summary["suite"] as? [String: Any])
        #expect(suite["passed"] as? Int == 1 && suite["failed"] as? Int == 0, "\(suite)")
        let rounds = try #require(summary["suite_rounds"] as? [[String: Any]])
        #expect(rounds.first?["implicated"] as? [String] == ["inner"], "\(rounds)")
        #expect(rounds.first?["fixed"] as? [String] == ["inner"], "\(rounds)")
    }

    @Test("accept of a fix runs the suite again: the tree it completes passes, and so does the run")
    func acceptRerunsTheSuite() async throws {
        try writePlan(
            """
            plan: fix
            language: python
            atoms:
              - id: norm
                name: norm
                description: "Strips s and lowers it."
                file: text/tools.py
                tests: "assert norm(' A ') == 'a'"
            suite:
              - name: test_tools.py
                code: |
                  from text.tools import norm
                  def test_norm():
                      assert norm(" B ") == "b"
            """)
        try await script("norm", "def norm(s):\n    return s.strip()")
        let failed = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(failed.status == 1)
        let before = try #require(try json("outbox/fix/summary.json")["suite"] as? [String: Any])
        // The failed atom is a stub in the suite's tree: the test runs, and fails on it.
        #expect(before["failed"] as? Int == 1 && before["problem"] == nil, "\(before)")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("fixes"), withIntermediateDirectories: true)
        try "def norm(s):\n    return s.strip().lower()\n".write(
            to: folder.appendingPathComponent("fixes/norm.py"), atomically: true, encoding: .utf8)
        let accepted = try await CommandRunner.atomforge(
            ["accept", "outbox/fix", "norm", "fixes/norm.py"], in: folder.path)
        #expect(accepted.status == 0, "\(accepted.standardOutput)\n\(accepted.standardError)")
        let after = try #require(try json("outbox/fix/summary.json")["suite"] as? [String: Any])
        #expect(after["passed"] as? Int == 1 && after["problem"] == nil, "\(after)")
        #expect(try json("outbox/fix/summary.json")["status"] as? String == "passed")
    }

    @Test("a suite file named by path is read beside the plan and kept in the run folder for later runs")
    func suiteByPath() async throws {
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("tests"), withIntermediateDirectories: true)
        try "from text.tools import norm\n\ndef test_norm():\n    assert norm(' A ') == 'A'\n".write(
            to: folder.appendingPathComponent("tests/test_tools.py"), atomically: true, encoding: .utf8)
        try writePlan(
            """
            plan: bypath
            language: python
            atoms:
              - {id: norm, name: norm, description: "Strips s.", file: text/tools.py}
            suite:
              - path: tests/test_tools.py
            """)
        try await script("norm", "def norm(s):\n    return s.strip()")
        let outcome = try await CommandRunner.atomforge(["run", "plan.yaml"], in: folder.path)
        #expect(outcome.status == 0, "\(outcome.standardOutput)\n\(outcome.standardError)")
        let suite = try #require(try json("outbox/bypath/summary.json")["suite"] as? [String: Any])
        let tests = try #require(suite["tests"] as? [[String: Any]])
        #expect(tests.first?["name"] as? String == "suite/tests/test_tools.py::test_norm", "\(tests)")
        #expect(
            FileManager.default.fileExists(
                atPath: folder.appendingPathComponent("outbox/bypath/suite/tests/test_tools.py").path))
        // The run folder is checked on its own: a later `retry` or `accept` needs nothing beside the plan.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("tests"))
        let again = try await CommandRunner.atomforge(["retry", "outbox/bypath"], in: folder.path)
        #expect(again.status == 0, "\(again.standardOutput)\n\(again.standardError)")
    }
}
