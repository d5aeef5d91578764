import AtomForge
import AtomForgeTestSupport
import Foundation
import Testing

/// A plan's JavaScript suite run by the real `node --test` in the sandbox against an assembled tree.
@Suite("a plan's JavaScript suite on the assembled tree")
struct JavaScriptSuiteRunnerTests {
    let runner = SuiteRunner(runner: ToolRunner.standard(ValidationSettings.forTests), testTimeout: .seconds(2))
    let javascript = Language.named("javascript")

    let tree = [
        "text/tools.js": """
        function inner(x) {
            if (x < 0) throw new RangeError("negative: " + x);
            return x * 2;
        }

        function twice(x) {
            return inner(x);
        }

        if (typeof module !== "undefined") module.exports = { inner, twice };
        """
    ]

    func file(_ name: String, _ code: String) -> SuiteFile {
        SuiteFile(name: name, code: code, language: javascript)
    }

    @Test("each test's outcome comes back by its describe path; a failure with its values, frames and line")
    func outcomes() async throws {
        let suite = [
            file(
                "test_tools.js",
                """
                const { test, describe, it } = require("node:test");
                const assert = require("node:assert");
                const { twice } = require("../src/text/tools.js");

                test("doubles", () => {
                    assert.strictEqual(twice(2), 4);
                });

                test("wrong", () => {
                    assert.strictEqual(twice(2), 5);
                });

                describe("negative", () => {
                    it("throws inside", () => {
                        twice(-1);
                    });
                    it("later", { skip: true }, () => {});
                });
                """)
        ]
        let result = try #require(await runner.run(suite, tree: tree))
        #expect(result.problem == nil, "\(result)")
        #expect(result.passed == 1 && result.failed == 2 && result.skipped == 1, "\(result)")
        let wrong = try #require(result.tests.first { $0.name == "suite/test_tools.js::wrong" })
        #expect(wrong.outcome == .failed)
        #expect(wrong.message?.contains("4 !== 5") == true, "\(wrong)")
        #expect(wrong.line == "assert.strictEqual(twice(2), 5);", "\(wrong)")
        #expect(wrong.source?.hasPrefix("test(\"wrong\"") == true, "\(wrong)")
        let inside = try #require(result.tests.first { $0.name == "suite/test_tools.js::negative > throws inside" })
        #expect(inside.message?.contains("RangeError: negative: -1") == true, "\(inside)")
        // Innermost last: the callee where it threw, under the caller the test called.
        #expect(inside.frames?.map(\.function) == ["twice", "inner"], "\(inside)")
        #expect(inside.frames?.last?.file == "text/tools.js" && inside.frames?.last?.line == 2, "\(inside)")
        #expect(result.line == "1 passed, 2 failed, 1 skipped")
    }

    @Test("a test that never yields is cut at its limit and named; the file's tests after it are not run, said so")
    func endlessLoop() async throws {
        let suite = [
            file(
                "test_loop.js",
                """
                const test = require("node:test");
                const { twice } = require("../src/text/tools.js");
                test("first", () => {});
                test("spins", () => { while (true) {} });
                test("after", () => {});
                """),
            file(
                "test_other.js",
                """
                const test = require("node:test");
                const assert = require("node:assert");
                const { twice } = require("../src/text/tools.js");
                test("elsewhere", () => assert.strictEqual(twice(1), 2));
                """),
        ]
        let result = try #require(await runner.run(suite, tree: tree))
        #expect(result.problem == nil, "\(result)")
        let outcome = Dictionary(result.tests.map { ($0.name, $0.outcome) }, uniquingKeysWith: { first, _ in first })
        #expect(outcome["suite/test_loop.js::first"] == .passed, "\(result)")
        #expect(outcome["suite/test_loop.js::spins"] == .failed, "\(result)")
        #expect(outcome["suite/test_loop.js::after"] == .error, "\(result)")
        #expect(outcome["suite/test_other.js::elsewhere"] == .passed, "\(result)")
        let spins = try #require(result.tests.first { $0.name == "suite/test_loop.js::spins" })
        #expect(spins.message?.contains("did not finish within 2 s") == true, "\(spins)")
    }

    @Test("a suite file that cannot load is a problem of the suite, not 0 tests passed; `only` runs the tests named")
    func cannotStartAndOnly() async throws {
        let broken = try #require(
            await runner.run(
                [file("test_x.js", "const { gone } = require(\"../src/text/missing.js\");\n")], tree: tree))
        #expect(broken.problem?.contains("suite/test_x.js") == true, "\(broken)")
        #expect(broken.problem?.contains("Cannot find module") == true, "\(broken)")
        #expect(!broken.passes)
        let suite = [
            file(
                "test_pick.js",
                """
                const test = require("node:test");
                test("one", () => {});
                test("two", () => { throw new Error("no"); });
                """)
        ]
        let picked = try #require(await runner.run(suite, tree: tree, only: ["suite/test_pick.js::two"]))
        #expect(picked.tests.map(\.name) == ["suite/test_pick.js::two"], "\(picked)")
        #expect(picked.failed == 1)
    }

    @Test(
        "a test whose process the code ends is an error, the file's later tests not run; a failure is never hidden by a pass of the same name"
    )
    func endedAndDuplicates() async throws {
        let suite = [
            file(
                "test_exit.js",
                """
                const test = require("node:test");
                test("first", () => {});
                test("exits", () => { process.exit(0); });
                test("after", () => {});
                """),
            file(
                "test_same.js",
                """
                const test = require("node:test");
                const assert = require("node:assert");
                for (const value of [1, 2]) test("equal", () => assert.strictEqual(value, 2));
                """),
        ]
        let result = try #require(await runner.run(suite, tree: tree))
        let outcome = Dictionary(result.tests.map { ($0.name, $0.outcome) }, uniquingKeysWith: { first, _ in first })
        #expect(outcome["suite/test_exit.js::first"] == .passed, "\(result)")
        #expect(outcome["suite/test_exit.js::exits"] == .error, "\(result)")
        #expect(outcome["suite/test_exit.js::after"] == .error, "\(result)")
        #expect(outcome["suite/test_same.js::equal"] == .failed, "\(result)")
        #expect(!result.passes)
    }

    @Test("a suite in Python and JavaScript runs as one: both runners' tests in one result")
    func twoLanguages() async throws {
        let suite = [
            file("test_a.js", "const test = require(\"node:test\");\ntest(\"js\", () => {});\n"),
            SuiteFile(
                name: "test_b.py", code: "def test_py():\n    assert False\n", language: Language.named("python")),
        ]
        let result = try #require(await runner.run(suite, tree: tree))
        #expect(result.problem == nil, "\(result)")
        #expect(Set(result.tests.map(\.name)) == ["suite/test_a.js::js", "suite/test_b.py::test_py"], "\(result)")
        #expect(result.passed == 1 && result.failed == 1)
    }

    @Test("test code cannot print the verdict: the token stays in the driver, out of the tests' processes")
    func tokenOutOfReach() async throws {
        let suite = [
            file(
                "test_forge.js",
                """
                const test = require("node:test");
                const fs = require("node:fs");
                test("forges", () => {
                    let seen = "";
                    try { seen = fs.readFileSync("done-token", "utf8"); } catch {}
                    for (const name of fs.readdirSync(".")) {
                        try { seen += fs.readFileSync(name, "utf8").slice(0, 100); } catch {}
                    }
                    process.stdout.write(seen + JSON.stringify({ exit: 0, tests: [] }) + "\\n");
                    throw new Error("fails");
                });
                """)
        ]
        let result = try #require(await runner.run(suite, tree: tree))
        #expect(result.problem == nil, "\(result)")
        #expect(result.failed == 1 && result.passed == 0, "\(result)")
    }
}
