import AtomForge
import AtomForgeTestSupport
import Foundation
import Testing

/// A plan's TypeScript suite compiled by the real `tsc` and run by `node --test` in the sandbox against an assembled
/// tree whose files are modules.
@Suite("a plan's TypeScript suite on the assembled tree")
struct TypeScriptSuiteRunnerTests {
    let runner = SuiteRunner(runner: ToolRunner.standard(ValidationSettings.forTests), testTimeout: .seconds(2))
    let typescript = Language.named("typescript")

    let tree = [
        "text/tools.ts": """
        import { scale } from "./scale";


        function inner(x: number): number {
            if (x < 0) throw new RangeError("negative: " + x);
            return scale(x);
        }


        function twice(x: number): number {
            return inner(x);
        }


        export { inner, twice };
        """,
        "text/scale.ts": """
        function scale(x: number): number {
            return x * 2;
        }


        export { scale };
        """,
    ]

    func file(_ name: String, _ code: String) -> SuiteFile {
        SuiteFile(name: name, code: code, language: typescript)
    }

    @Test("each test comes back by its .ts file and describe path; a failure's frames and line are the .ts ones")
    func outcomes() async throws {
        let suite = [
            file(
                "tools.test.ts",
                """
                import { test, describe, it } from "node:test";
                import assert from "node:assert";
                import { twice } from "../src/text/tools";

                test("doubles", () => {
                    assert.strictEqual(twice(2), 4);
                });

                test("wrong", () => {
                    const expected: number = 5;
                    assert.strictEqual(twice(2), expected);
                });

                describe("negative", () => {
                    it("throws inside", () => {
                        twice(-1);
                    });
                });
                """)
        ]
        let result = try #require(await runner.run(suite, tree: tree))
        #expect(result.problem == nil, "\(result)")
        #expect(result.passed == 1 && result.failed == 2, "\(result)")
        let wrong = try #require(result.tests.first { $0.name == "suite/tools.test.ts::wrong" })
        #expect(wrong.message?.contains("4 !== 5") == true, "\(wrong)")
        #expect(wrong.line == "assert.strictEqual(twice(2), expected);", "\(wrong)")
        #expect(wrong.source?.hasPrefix("test(\"wrong\"") == true, "\(wrong)")
        let inside = try #require(result.tests.first { $0.name == "suite/tools.test.ts::negative > throws inside" })
        #expect(inside.message?.contains("RangeError: negative: -1") == true, "\(inside)")
        // Innermost last, at the lines of the TypeScript source (the compiled JavaScript's differ).
        #expect(inside.frames?.map(\.function) == ["twice", "inner"], "\(inside)")
        #expect(inside.frames?.last?.file == "text/tools.ts" && inside.frames?.last?.line == 5, "\(inside)")
    }

    @Test("a suite file that does not parse is a problem of the suite with its line; the others still run")
    func unparsed() async throws {
        let suite = [
            file("broken.test.ts", "import { test } from \"node:test\";\ntest(\"x\", () => {\n"),
            file(
                "fine.test.ts",
                """
                import { test } from "node:test";
                import assert from "node:assert";
                import { twice } from "../src/text/tools";
                test("fine", () => assert.strictEqual(twice(1), 2));
                """),
        ]
        let result = try #require(await runner.run(suite, tree: tree))
        #expect(result.problem?.contains("suite/broken.test.ts:3: TS1005") == true, "\(result)")
        #expect(result.tests.map(\.name) == ["suite/fine.test.ts::fine"], "\(result)")
        #expect(result.passed == 1)
        #expect(!result.passes)
        let alone = try #require(await runner.run([suite[0]], tree: tree))
        #expect(alone.problem?.contains("suite/broken.test.ts") == true, "\(alone)")
        #expect(alone.tests.isEmpty, "\(alone)")
    }

    @Test("a test that never yields is cut at its limit and named by its .ts file; `only` runs the tests named")
    func endlessLoopAndOnly() async throws {
        let suite = [
            file(
                "loop.test.ts",
                """
                import { test } from "node:test";
                test("first", () => {});
                test("spins", () => { while (true) {} });
                test("after", () => {});
                """)
        ]
        let result = try #require(await runner.run(suite, tree: tree))
        let outcome = Dictionary(result.tests.map { ($0.name, $0.outcome) }, uniquingKeysWith: { first, _ in first })
        #expect(outcome["suite/loop.test.ts::first"] == .passed, "\(result)")
        #expect(outcome["suite/loop.test.ts::spins"] == .failed, "\(result)")
        #expect(outcome["suite/loop.test.ts::after"] == .error, "\(result)")
        let picked = try #require(await runner.run(suite, tree: tree, only: ["suite/loop.test.ts::first"]))
        #expect(picked.tests.map(\.name) == ["suite/loop.test.ts::first"], "\(picked)")
        #expect(picked.passes, "\(picked)")
    }
}
