import AtomForgeTestSupport
import Testing

@testable import AtomForge

/// Tests in the shapes people write, through the real harnesses in the sandbox: each shape passing and failing with
/// the failure in the retry prompt's short form, and none of them able to pass without running.
@Suite("test shapes")
struct TestShapesTests {
    let validator = AtomTestValidator(runner: ToolRunner.standard(ValidationSettings.forTests))

    func run(_ language: String, code: String, tests: String) async -> [ValidationIssue] {
        let atom = Atom(
            id: "f", name: "f", description: "d", file: "a.\(Language.named(language).fileExtensions[0])",
            language: .named(language), tests: tests)
        return await validator.validate(ValidationSubject(atom: atom, code: code, dependencyCode: []))
    }

    static let double = "def f(x):\n    return x * 2"
    static let wrong = "def f(x):\n    return x + 2"

    @Test("pytest-style functions: all run, each failure reported with its values; async and decorated ones too")
    func pythonFunctions() async {
        let tests = """
            import functools
            def test_two():
                assert f(2) == 4

            def test_three():
                assert f(3) == 6

            async def test_async():
                assert f(5) == 10

            def decorated(function):
                @functools.wraps(function)
                def wrapper():
                    return function()
                return wrapper

            @decorated
            def test_decorated():
                assert f(0) == 0
            """
        #expect(await run("python", code: Self.double, tests: tests).isEmpty)
        let issues = await run("python", code: Self.wrong, tests: tests)
        let message = issues.first?.message ?? ""
        // f(2) == 4 holds for x + 2 too: three of the four fail.
        #expect(
            message.hasPrefix("3 of 4 tests failed:\n- test_three: test failed at tests line 6: assert f(3) == 6"),
            "\(message)")
        #expect(message.contains("got:      5   (the value of f(3))"), "\(message)")
        #expect(message.contains("- test_async: test failed at tests line 9"), "an async test is awaited: \(message)")
        #expect(FailureKind.classify(issues, truncated: false) == .assertion)
    }

    @Test("a test function the tests call themselves runs once, and a helper with arguments is not a test")
    func pythonCalledOnce() async {
        let tests = """
            runs = []
            def test_once():
                runs.append(1)
                assert len(runs) == 1
            def test_helper(x):
                raise AssertionError("a helper taking arguments is not run as a test")
            test_once()
            """
        #expect(await run("python", code: Self.double, tests: tests).isEmpty)
    }

    @Test("unittest.TestCase: setUpClass, setUp, subTest and unittest.main() as unittest runs them")
    func pythonTestCase() async {
        let tests = """
            import unittest
            class DoubleTests(unittest.TestCase):
                @classmethod
                def setUpClass(cls):
                    cls.base = 10
                def setUp(self):
                    self.value = f(1)
                def test_base(self):
                    self.assertEqual(f(self.base), 20)
                def test_values(self):
                    for x in (1, 2):
                        with self.subTest(x=x):
                            self.assertEqual(f(x), 2 * x)
            if __name__ == "__main__":
                unittest.main()
            """
        #expect(await run("python", code: Self.double, tests: tests).isEmpty)
        let message = await run("python", code: Self.wrong, tests: tests).first?.message ?? ""
        #expect(
            message.hasPrefix(
                "2 of 2 tests failed:\n- DoubleTests.test_base: test failed at tests line 9: self.assertEqual(f(self.base), 20)"
            ), "\(message)")
        #expect(message.contains("message: 12 != 20"), "\(message)")
        #expect(message.contains("- DoubleTests.test_values (x=1): test failed at tests line 13"), "\(message)")
    }

    @Test(
        "JavaScript: test() and it() in describe blocks, done callbacks, test functions; a test that never settles fails"
    )
    func javascript() async {
        let code = "function f(x) { return x * 2; }"
        let tests = """
            const assert = require("node:assert");
            describe("f", () => {
              it("doubles", () => { assert.strictEqual(f(2), 4); });
              test("async", async () => { assert.strictEqual(await Promise.resolve(f(3)), 6); });
            });
            test("callback", (done) => { setTimeout(() => done(f(1) === 2 ? undefined : new Error("f(1) is not 2")), 1); });
            function testZero() { assert.strictEqual(f(0), 0); }
            """
        #expect(await run("javascript", code: code, tests: tests).isEmpty)
        let message =
            await run("javascript", code: "function f(x) { return x + 2; }", tests: tests).first?.message ?? ""
        // f(2) == 4 holds for x + 2 too.
        #expect(message.hasPrefix("3 of 4 tests failed:\n- f › async: AssertionError"), "\(message)")
        #expect(message.contains("- callback: Error: f(1) is not 2"), "\(message)")
        #expect(message.contains("- testZero: AssertionError"), "\(message)")
        let hanging = await run(
            "javascript", code: code,
            tests: "test(\"waits\", async () => { await new Promise(() => {}); throw new Error(\"never\"); });")
        #expect(hanging.first?.message.contains("the test \"waits\" never finished") == true, "\(hanging)")
    }

    @Test("Swift: test functions are called, throwing ones with try; a failing one names its line")
    func swift() async {
        let code = "func f(_ x: Int) -> Int { x * 2 }"
        let tests = """
            struct Odd: Error {}
            func testDouble() {
                precondition(f(2) == 4)
            }
            func testThrows() throws {
                if f(1) != 2 { throw Odd() }
            }
            """
        #expect(await run("swift", code: code, tests: tests).isEmpty)
        let message = await run("swift", code: "func f(_ x: Int) -> Int { x + 1 }", tests: tests).first?.message ?? ""
        #expect(message.contains("tests line 3"), "\(message)")
    }
}
