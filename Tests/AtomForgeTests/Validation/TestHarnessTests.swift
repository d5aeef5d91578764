import AtomForgeTestSupport
import Testing

@testable import AtomForge

/// The tests validator with the real toolchains: tests that cannot be skipped, and feedback a model can act on.
@Suite("test harness")
struct TestHarnessTests {
    let validator = AtomTestValidator(runner: ToolRunner.standard(ValidationSettings.forTests))

    func run(_ language: String, code: String, tests: String, dependencies: [String] = []) async -> [ValidationIssue] {
        let atom = Atom(
            id: "f", name: "f", description: "d", file: "a.\(Language.named(language).fileExtensions[0])",
            language: .named(language), tests: tests)
        return await validator.validate(ValidationSubject(atom: atom, code: code, dependencyCode: dependencies))
    }

    @Test(
        "code that exits before its tests fails, with a message that says so",
        arguments: [
            ("python", "import sys\ndef f():\n    return 0\nsys.exit(0)", "assert f() == 1", "sys.exit(0)"),
            ("python", "import os\ndef f():\n    return 0\nos._exit(0)", "assert f() == 1", "before its tests ran"),
            (
                "python", "import sys\ndef f():\n    return 0\nif __name__ == \"__main__\":\n    sys.exit(0)",
                "assert f() == 1", "sys.exit(0)"
            ),
            ("python", "def f():\n    raise SystemExit\n", "assert f() == 1", "sys.exit(None)"),
            (
                "javascript", "function f() { return 0; }\nprocess.exit(0);", "console.assert(f() === 1);",
                "before its tests ran"
            ),
            ("swift", "import Glibc\nfunc f() -> Int { 0 }\nexit(0)", "assert(f() == 1)", "before its tests ran"),
        ])
    func skippedTestsFail(language: String, code: String, tests: String, expected: String) async {
        let issues = await run(language, code: code, tests: tests)
        #expect(issues.count == 1)
        #expect(issues.first?.severity == .error)
        #expect(issues.first?.message.contains(expected) == true, "\(issues)")
    }

    /// What each harness names a failure, through the real toolchains: the kind the ladder routes on, said where
    /// the failure is (the harness has the exception; Swift's compiler and runtime say it in their diagnostics).
    static let kinds: [(String, String, String, FailureKind)] = [
        ("python", "def f():\n    return g()", "assert f() == 1", .name),
        ("python", "import nowhere_at_all\ndef f():\n    return 1", "assert f() == 1", .import),
        ("python", "def f():\n    return 1 + 'a'", "assert f() == 1", .type),
        ("python", "def f():\n    return 2", "assert f() == 1", .assertion),
        ("python", "def f():\n    return 2", "def test_f():\n    assert f() == 1", .assertion),
        ("python", "def f():\n    return 1 / 0", "assert f() == 1", .exception),
        ("python", "def f():\n    assert False\n    return 1", "assert f() == 1", .exception),
        ("python", "import sys\ndef f():\n    sys.exit(3)", "assert f() == 1", .exited),
        ("python", "def f():\n    return 1", "assert f() == 1 +", .syntax),
        ("javascript", "function f() { return g(); }", "console.assert(f() === 1);", .name),
        ("javascript", "function f() { return null.x; }", "console.assert(f() === 1);", .type),
        ("javascript", "function f() { return 2; }", "console.assert(f() === 1);", .assertion),
        (
            "javascript", "function f() { return 2; }",
            "const assert = require('assert');\ntest('f', () => { assert.strictEqual(f(), 1); });", .assertion
        ),
        ("javascript", "function f() { throw new RangeError('no'); }", "console.assert(f() === 1);", .exception),
        ("swift", "func f() -> Int { g() }", "assert(f() == 1)", .name),
        ("swift", "func f() -> Int { \"a\" }", "assert(f() == 1)", .compile),
        ("swift", "func f() -> Int { 2 }", "assert(f() == 1)", .assertion),
    ]

    /// One case at a time: seventeen sandboxed toolchain runs at once (three of them swiftc) starve the other suites'
    /// timers on a 2-core machine.
    @Test(
        "each failure comes with the kind the ladder routes on, named by the harness that saw it", .serialized,
        arguments: kinds)
    func failureKinds(language: String, code: String, tests: String, expected: FailureKind) async {
        let issues = await run(language, code: code, tests: tests)
        #expect(issues.first?.kind == expected, "\(issues)")
        #expect(FailureKind.classify(issues, truncated: false) == expected, "\(issues)")
    }

    @Test(
        "the same code without the trick passes",
        arguments: [
            ("python", "def f():\n    return 1", "assert f() == 1"),
            ("javascript", "function f() { return 1; }", "console.assert(f() === 1);"),
            ("swift", "func f() -> Int { 1 }", "assert(f() == 1)"),
        ])
    func honestCodePasses(language: String, code: String, tests: String) async {
        #expect(await run(language, code: code, tests: tests).isEmpty)
    }

    @Test("what the program prints does not hide the report, and a long output does not cut it off")
    func printedOutput() async {
        let issues = await run(
            "python", code: "def f():\n    print('x' * 40000)\n    return g()", tests: "assert f() == 1")
        let message = issues.first?.message ?? ""
        #expect(message.hasPrefix("NameError: name 'g' is not defined"), "\(message.prefix(200))")
        #expect(message.contains("the program printed: xxx"), "\(message.prefix(400))")
        #expect(FailureKind.classify(issues, truncated: false) == .name)
    }

    @Test("code cannot switch console.assert off, nor find the token in the harness's namespace")
    func tamperedHarness() async {
        let javascript = await run(
            "javascript", code: "function f() { return 0; }\ntry { console.assert = () => {}; } catch (e) {}",
            tests: "console.assert(f() === 1);")
        #expect(javascript.first?.message.contains("Assertion failed") == true, "\(javascript)")
        let python = await run(
            "python",
            code:
                "import __main__, os\ndef f():\n    return 0\nprint(getattr(__main__, 'token', ''), flush=True)\nos._exit(0)",
            tests: "assert f() == 1")
        #expect(python.first?.message.contains("before its tests ran") == true, "\(python)")
    }

    /// Python that looks for the token in the locals of every frame from `frame` down and, found, prints it and ends
    /// the process with status 0: what a forged pass looks like.
    static let tokenWalk = #"""
        while frame is not None:
            for value in list(frame.f_locals.values()):
                if isinstance(value, (bytes, bytearray)):
                    value = bytes(value).decode("ascii", "replace")
                if isinstance(value, str) and value.startswith("atomforge-tests-finished-") and ":" not in value:
                    print(value, flush=True)
                    os._exit(0)
            frame = frame.f_back
        """#

    static let unittestRunReplaced = #"""
        import unittest
        unittest.TestCase.run = lambda self, result=None: (
            result.startTest(self), result.addSuccess(self), result.stopTest(self))
        def f():
            return 0
        """#

    static let unittestCase = #"""
        import unittest
        class FTestCase(unittest.TestCase):
            def test_f(self):
                self.assertEqual(f(), 1)
        """#

    /// ``tokenWalk`` one level in, for the body of a function.
    static let indentedWalk = tokenWalk.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")

    static let signalWalk =
        "import os, signal\ndef f():\n    return 0\ndef walk(number, frame):\n" + indentedWalk
        + "\nsignal.signal(signal.SIGALRM, walk)\nsignal.setitimer(signal.ITIMER_REAL, 0.05)"

    static let collectorSearch = #"""
        import gc, os
        def f():
            for value in gc.get_objects():
                if isinstance(value, dict):
                    for item in list(value.values()):
                        if isinstance(item, str) and item.startswith("atomforge-tests-finished-"):
                            print(item, flush=True)
                            os._exit(0)
            return 0
        """#

    static let ctypesWalk =
        #"""
        import os
        def find(name):
            todo, seen = [object], set()
            while todo:
                for kind in type.__subclasses__(todo.pop()):
                    if id(kind) not in seen:
                        seen.add(id(kind))
                        todo.append(kind)
                        if f"{kind.__module__}.{kind.__qualname__}" == name:
                            return kind
        def f():
            return 0
        Simple, Union = find("_ctypes._SimpleCData"), find("_ctypes.Union")
        if Simple is not None and Union is not None:
            class Z(Simple):
                _type_ = "z"
            class P(Simple):
                _type_ = "P"
            class O(Simple):
                _type_ = "O"
            class U(Union):
                _fields_ = [("a", P), ("o", O)]
            def byte_at(address):
                value = Z(address).value
                return value[0] if value else 0
            u = U()
            try:
                raise ValueError()
            except ValueError as error:
                u.a = int.from_bytes(bytes(byte_at(id(error.__traceback__) + 24 + i) for i in range(8)), "little")
            frame = u.o
        """# + "\n" + indentedWalk

    @Test(
        "Python code cannot forge a pass: no frame, object or function of the harness is within its reach",
        arguments: [
            // The frame walk: from its own frame up to the harness's, the token read and printed.
            (
                "import os, sys\ndef f():\n    return 0\nframe = sys._getframe()\n" + TestHarnessTests.tokenWalk,
                "assert f() == 1"
            ),
            // The same from an exception's traceback.
            (
                "import os\ndef f():\n    return 0\ntry:\n    raise ValueError()\nexcept ValueError as error:\n"
                    + "    frame = error.__traceback__.tb_frame\n" + TestHarnessTests.tokenWalk, "assert f() == 1"
            ),
            // The same from the frames of every thread.
            (
                "import os, sys\ndef f():\n    return 0\nframe = list(sys._current_frames().values())[0]\n"
                    + TestHarnessTests.tokenWalk, "assert f() == 1"
            ),
            // The harness's exit made to do nothing: its failure path must not carry on to the token.
            ("import os\nos._exit = lambda status: None\ndef f():\n    return 0", "assert f() == 1"),
            // What the harness finds tests with made to find none.
            (
                "import inspect\ninspect.isfunction = lambda value: False\ndef f():\n    return 0",
                "def test_f():\n    assert f() == 1"
            ),
            // unittest's runner replaced: a TestCase's test started and stopped, never run.
            (TestHarnessTests.unittestRunReplaced, TestHarnessTests.unittestCase),
            // A signal handler, handed the frame the main thread is running.
            (TestHarnessTests.signalWalk, "import time\ntime.sleep(0.5)\nassert f() == 1"),
            // Every object the collector knows, searched for the token.
            (TestHarnessTests.collectorSearch, "assert f() == 1"),
            // No import at all: ctypes' classes (the warm runner's zygote loads ctypes) found through
            // object.__subclasses__(), reading memory to turn a traceback's frame pointer into the frame.
            (TestHarnessTests.ctypesWalk, "assert f() == 1"),
        ])
    func pythonForgeries(code: String, tests: String) async {
        let issues = await run("python", code: code, tests: tests)
        #expect(issues.count == 1, "\(issues)")
        #expect(issues.first?.severity == .error, "\(issues)")
    }

    @Test("Python code that sets a signal handler gets an error: the tests run outside the main thread")
    func signalHandlers() async {
        let issues = await run(
            "python", code: "import signal\ndef f():\n    signal.signal(signal.SIGALRM, lambda *a: None)\n    return 1",
            tests: "assert f() == 1")
        #expect(issues.first?.message.contains("ValueError: signal only works in main thread") == true, "\(issues)")
    }

    @Test("JavaScript's console.assert fails a test (in Node it only prints)")
    func consoleAssert() async {
        let issues = await run("javascript", code: "function f() { return 0; }", tests: "console.assert(f() === 1);")
        let message = issues.first?.message ?? ""
        #expect(message.contains("Assertion failed"), "\(issues)")
        #expect(message.contains("tests line 1: console.assert(f() === 1);"), "\(message)")
    }

    @Test(
        "feedback names what failed, with the values and the call that led to it",
        arguments: [
            // An assertion inside a helper the tests call: both values from that helper's frame.
            (
                "python", "def f(x):\n    return x * 3",
                "def check(candidate):\n    assert candidate(2) == 4\n\ncheck(f)",
                [
                    "test failed at tests line 2: assert candidate(2) == 4", "got:      6", "expected: 4",
                    "called from tests line 4: check(f)",
                ]
            ),
            // An exception: the line that raised it, the call with its arguments, the test that made it.
            (
                "python", "def f(a, b):\n    return a / b", "assert f(4, 2) == 2\nassert f(1, 0) == 0",
                [
                    "ZeroDivisionError: division by zero", "at your code line 2: return a / b",
                    "in the call f(a=1, b=0)", "called from tests line 2: assert f(1, 0) == 0",
                ]
            ),
            // A multi-line assertion, shown whole.
            (
                "python", "def f():\n    return [1, 2]", "assert f() == [\n    1,\n    3,\n]",
                ["assert f() == [ 1, 3, ]", "got:      [1, 2]"]
            ),
            // Swift: the line and both values of a failed comparison.
            (
                "swift", "func f(_ x: Int) -> Int { x * 3 }", "assert(f(1) == 3)\nassert(f(2) == 4)",
                ["test failed at tests line 2: assert(f(2) == 4)", "got:      6", "expected: 4"]
            ),
        ])
    func feedback(language: String, code: String, tests: String, expected: [String]) async {
        let message = await run(language, code: code, tests: tests).first?.message ?? ""
        for fragment in expected {
            #expect(message.contains(fragment), "\(message)")
        }
    }

    @Test("a failing Swift assertion that is no comparison still names its line and text")
    func swiftPlainAssertion() async {
        let issues = await run("swift", code: "func f() -> Bool { false }", tests: "let x = 1\nassert(f())")
        let message = issues.first?.message ?? ""
        #expect(message.contains("tests line 2"), "\(message)")
        #expect(message.contains("assert(f())"), "\(message)")
    }

    @Test("a rewrite that does not compile falls back to the tests as written")
    func swiftRewriteFallback() async {
        // Tuples have an `==` but are not Equatable: the rewritten check cannot compile; the original can.
        let issues = await run("swift", code: "func f() -> (Int, Int) { (1, 2) }", tests: "assert(f() == (1, 2))")
        #expect(issues.isEmpty, "\(issues)")
    }

    @Test("Swift assertions are rewritten only where the comparison is the whole expression")
    func swiftRewriteRules() {
        #expect(
            SwiftAssertions.rewriteLine("    assert(f(\"a == b\") == [1, 2])", testLine: 3)
                == "    __atomforgeExpectEqual(f(\"a == b\"), [1, 2], \"tests line 3: assert(f(\\\"a == b\\\") == [1, 2])\")"
        )
        #expect(SwiftAssertions.rewriteLine("assert(a == b, \"message\")", testLine: 1) == nil)
        #expect(SwiftAssertions.rewriteLine("assert(a == b && c == d)", testLine: 1) == nil)
        #expect(SwiftAssertions.rewriteLine("assert(a === b)", testLine: 1) == nil)
        #expect(SwiftAssertions.rewriteLine("assert(a != b)", testLine: 1) == nil)
        #expect(SwiftAssertions.rewriteLine("let x = a == b", testLine: 1) == nil)
        #expect(SwiftAssertions.rewriteLine("assert(f().isEmpty == false && f().count < 3)", testLine: 1) == nil)
        #expect(SwiftAssertions.rewriteLine("assert(a == b || c)", testLine: 1) == nil)
        #expect(SwiftAssertions.rewriteLine("assert(a == b ? x : y)", testLine: 1) == nil)
        #expect(SwiftAssertions.rewriteLine("assert(a); assert(b == c)", testLine: 1) == nil)
        #expect(SwiftAssertions.rewriteLine("assert(a?.b == c)", testLine: 1) != nil)
    }
}

/// Taking the unit out of a reply's code.
@Suite("unit extraction")
struct UnitExtractorTests {
    let extractor = UnitExtractor(runner: ToolRunner.standard(ValidationSettings.forTests))
    let python = Language.named("python")

    @Test("Python keeps imports, definitions and constants; drops example calls, prints, asserts and main blocks")
    func python() async {
        let reply = """
            import re
            from math import sqrt

            LIMIT = 10

            @staticmethod
            def helper(x):
                return x

            def f(x):
                # the answer
                return helper(x) + LIMIT

            print(f(2))
            result = f(3)
            assert f(1) == 11
            check(f)
            for i in range(3):
                print(i)
            if __name__ == "__main__":
                print(f(4))
            """
        let unit = await extractor.unit(of: reply, language: python, name: "f")
        #expect(
            unit == """
                import re
                from math import sqrt

                LIMIT = 10

                @staticmethod
                def helper(x):
                    return x

                def f(x):
                    # the answer
                    return helper(x) + LIMIT
                """, "\(unit)")
    }

    @Test("what the unit needs at the top level stays: a table a helper fills, a setting, a loop that builds data")
    func neededTopLevel() async {
        let code = """
            import sys
            sys.setrecursionlimit(10000)

            def sieve(n):
                return [p for p in range(2, n) if all(p % d for d in range(2, p))]

            PRIMES = sieve(100)
            SQUARES = {}
            for i in range(10):
                SQUARES[i] = i * i

            def f(x):
                return x in PRIMES or x in SQUARES.values()

            print(f(7))
            answer = f(4)
            """
        let unit = await extractor.unit(of: code, language: python, name: "f")
        #expect(!unit.contains("print(f(7))") && !unit.contains("answer = f(4)"), "\(unit)")
        #expect(unit.contains("sys.setrecursionlimit(10000)") && unit.contains("PRIMES = sieve(100)"), "\(unit)")
        #expect(unit.contains("    SQUARES[i] = i * i"), "\(unit)")
    }

    @Test("a warning from the parser never becomes part of the unit")
    func parserWarning() async {
        let code = "import re\n\ndef f(s):\n    return re.match(\"\\d+\", s)\n\nprint(f(\"12\"))"
        let unit = await extractor.unit(of: code, language: python, name: "f")
        #expect(unit == "import re\n\ndef f(s):\n    return re.match(\"\\d+\", s)", "\(unit)")
    }

    @Test("an import of what a dependency defines is dropped: it is in scope")
    func providedImport() async {
        let code =
            "from textkit.normalize import tokenize\nfrom collections import Counter\n\ndef f(t):\n    return Counter(tokenize(t))"
        let unit = await extractor.unit(of: code, language: python, provided: ["tokenize"])
        #expect(unit == "from collections import Counter\n\ndef f(t):\n    return Counter(tokenize(t))")
    }

    @Test("a dependency written again is dropped: the validated one is in scope")
    func redefinedDependency() async {
        let code = "import re\n\ndef tokenize(t):\n    return t.split()\n\ndef f(t):\n    return len(tokenize(t))"
        let unit = await extractor.unit(of: code, language: python, provided: ["tokenize"])
        #expect(unit == "import re\n\n\ndef f(t):\n    return len(tokenize(t))", "\(unit)")
    }

    @Test("code with nothing to drop, or that does not parse, is left as it came")
    func untouched() async {
        #expect(await extractor.unit(of: "def f():\n    return 1", language: python) == "def f():\n    return 1")
        #expect(await extractor.unit(of: "def f(:\nprint(1)", language: python) == "def f(:\nprint(1)")
    }

    @Test("Swift and JavaScript drop one-line top-level prints and exits")
    func otherLanguages() async {
        #expect(
            await extractor.unit(of: "func f() -> Int { 1 }\nprint(f())\nexit(0)", language: .named("swift"))
                == "func f() -> Int { 1 }")
        #expect(
            await extractor.unit(
                of: "function f() {\n  console.log(1);\n  return 1;\n}\nconsole.log(f());",
                language: .named("javascript"))
                == "function f() {\n  console.log(1);\n  return 1;\n}")
    }
}
