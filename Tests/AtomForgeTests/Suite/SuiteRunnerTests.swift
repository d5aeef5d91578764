import AtomForge
import AtomForgeTestSupport
import Foundation
import Testing

/// The plan's suite run by the real pytest in the sandbox against an assembled tree.
@Suite("a plan's suite on the assembled tree")
struct SuiteRunnerTests {
    let runner = SuiteRunner(runner: ToolRunner.standard(ValidationSettings.forTests))
    let python = Language.named("python")

    let tree = [
        "text/__init__.py": "",
        "text/tools.py": "def norm(s):\n    return s.strip()\n\n\ndef count(s):\n    return len(s)\n",
    ]

    func file(_ name: String, _ code: String) -> SuiteFile {
        SuiteFile(name: name, code: code, language: python)
    }

    @Test("each test's outcome comes back, a failure with pytest's own lines; the tree is importable as a package")
    func outcomes() async throws {
        let suite = [
            file(
                "test_tools.py",
                """
                import pytest
                from text.tools import norm, count

                def test_norm():
                    assert norm(" a ") == "a"

                def test_count():
                    assert count(" ab ") == 2

                @pytest.fixture
                def broken():
                    raise RuntimeError("fixture down")

                def test_uses_broken(broken):
                    assert True

                @pytest.mark.skip(reason="later")
                def test_later():
                    pass
                """)
        ]
        let result = try #require(await runner.run(suite, tree: tree))
        #expect(result.problem == nil, "\(result)")
        #expect(result.passed == 1 && result.failed == 1 && result.errored == 1 && result.skipped == 1, "\(result)")
        #expect(!result.passes)
        let failed = try #require(result.tests.first { $0.outcome == .failed })
        #expect(failed.name == "suite/test_tools.py::test_count")
        #expect(failed.message?.contains("assert 4 == 2") == true, "\(failed)")
        #expect(result.tests.first { $0.outcome == .error }?.message?.contains("fixture down") == true)
        #expect(result.line == "1 passed, 1 failed, 1 errored, 1 skipped")
    }

    @Test("a test that runs past its limit fails with that said (even one that catches Exception); the rest still run")
    func testTimeout() async throws {
        let runner = SuiteRunner(runner: ToolRunner.standard(ValidationSettings.forTests), testTimeout: .seconds(0.5))
        let suite = [
            file(
                "test_loop.py",
                """
                from text.tools import norm

                def test_loops():
                    while True:
                        try:
                            pass
                        except Exception:
                            pass

                def test_norm():
                    assert norm(" a ") == "a"
                """)
        ]
        let result = try #require(await runner.run(suite, tree: tree))
        #expect(result.problem == nil, "\(result)")
        #expect(result.passed == 1 && result.failed == 1, "\(result)")
        let cut = try #require(result.tests.first { $0.outcome == .failed })
        #expect(cut.message?.contains("did not finish within 0.5 s") == true, "\(cut)")
    }

    @Test("a suite that runs past the whole run's limit names the test that was running")
    func suiteTimeout() async throws {
        var whole = ToolRunner.standard(ValidationSettings.forTests)
        // Long enough for pytest to start and reach the test on a loaded machine.
        whole.timeout = .seconds(10)
        let runner = SuiteRunner(runner: whole, testTimeout: .seconds(120))
        let suite = [file("test_slow.py", "import time\n\ndef test_slow():\n    time.sleep(120)\n")]
        let result = try #require(await runner.run(suite, tree: tree))
        #expect(result.problem?.contains("did not finish within") == true, "\(result)")
        #expect(result.problem?.contains("the test running then: suite/test_slow.py::test_slow") == true, "\(result)")
    }

    @Test("a suite whose file does not import cannot start: a problem of the suite, not 0 tests passed")
    func cannotStart() async throws {
        let result = try #require(
            await runner.run(
                [file("test_x.py", "from text.tools import missing\ndef test_x():\n    pass\n")], tree: tree))
        #expect(result.problem?.contains("ImportError") == true, "\(result)")
        #expect(result.problem?.contains("missing") == true, "\(result)")
        #expect(!result.passes)
        let empty = try #require(await runner.run([file("test_y.py", "x = 1\n")], tree: tree))
        #expect(empty.problem == "pytest found no tests in the suite")
    }

    @Test("a passing suite passes")
    func passes() async throws {
        let result = try #require(
            await runner.run(
                [file("test_ok.py", "from text.tools import norm\ndef test_ok():\n    assert norm(' x') == 'x'\n")],
                tree: tree))
        #expect(result.passes && result.line == "1 passed, 0 failed")
    }

    @Test("a failure's frames in the tree come back, innermost last, with the test's failing line")
    func frames() async throws {
        let tree = [
            "text/tools.py": "def norm(s):\n    return s.missing()\n\n\ndef count(s):\n    return len(norm(s))\n"
        ]
        let result = try #require(
            await runner.run(
                [file("test_t.py", "from text.tools import count\ndef test_count():\n    assert count(' a ') == 1\n")],
                tree: tree))
        let test = try #require(result.tests.first)
        #expect(test.outcome == .failed)
        #expect(
            test.frames == [
                .init(file: "text/tools.py", line: 6, function: "count"),
                .init(file: "text/tools.py", line: 2, function: "norm"),
            ], "\(test)")
        #expect(test.line == "assert count(' a ') == 1")
    }
}
