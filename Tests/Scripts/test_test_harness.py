"""The Python test harness (Validation/Scripts/test-harness.py) on its own: the token only when every test ran to
its end, a failure reported behind its marker with both values, and the code kept from what proves the verdict."""
import pytest

from conftest import script

TOKEN, MARKER = "atomforge-token-0123456789", "atomforge-report-9876543210"
ATOM = "def add(a, b):\n    return a + b\n\n"


def run(scratch, tests):
    """Runs the atom `add` (lines 1-2) with `tests` (from line 4) as AtomTestValidator does."""
    scratch.write("harness.py", script("Validation/Scripts/test-harness.py"))
    scratch.write("program.py", ATOM + tests)
    scratch.write("done-token", TOKEN)
    scratch.write("report-token", MARKER)
    scratch.write("known-names", "")
    return scratch.python("harness.py", "program.py", "1", "4", "2", "1", "0")


def test_passing_tests_print_the_token_and_the_secrets_are_gone(scratch):
    result = run(scratch, "assert add(1, 2) == 3\nassert add(-1, 1) == 0\n")
    assert result.returncode == 0, result.stdout + result.stderr
    assert TOKEN in result.stdout
    assert not scratch.exists("done-token") and not scratch.exists("report-token")


def test_a_failing_comparison_is_reported_with_both_values_and_no_token(scratch):
    result = run(scratch, "assert add(1, 2) == 3\nassert add(2, 2) == 5\n")
    assert result.returncode != 0
    assert TOKEN not in result.stdout
    assert f"{MARKER}:report:assertion\n" in result.stdout
    assert "tests line 2: assert add(2, 2) == 5" in result.stdout
    assert "got:      4" in result.stdout and "expected: 5" in result.stdout


@pytest.mark.parametrize("exit_call", ["import sys\nsys.exit(0)", "import os\nos._exit(0)", "raise SystemExit"])
def test_code_that_exits_before_the_last_test_does_not_pass(scratch, exit_call):
    result = run(scratch, f"assert add(1, 2) == 3\n{exit_call}\nassert add(2, 2) == 5\n")
    assert TOKEN not in result.stdout


@pytest.mark.parametrize("tests, kind", [
    ("assert add(1) == 1\n", "type"),
    ("assert sub(1, 2) == -1\n", "name"),
    ("import nowhere_at_all\n", "import"),
    ("assert add(1, 0) / 0\n", "exception"),
    ("import sys\nsys.exit(2)\n", "exited"),
    ("assert add(1, 2) ==\n", "syntax"),
])
def test_the_report_names_the_kind_of_the_failure_from_the_exception(scratch, tests, kind):
    result = run(scratch, tests)
    assert f"{MARKER}:report:{kind}\n" in result.stdout, result.stdout


def test_the_code_cannot_read_the_token_file(scratch):
    result = run(scratch, "print(open('done-token').read())\n")
    assert TOKEN not in result.stdout


def test_a_frame_walk_to_the_harness_is_refused(scratch):
    walk = (
        "import sys\n"
        "frame = sys._getframe()\n"
        "while frame is not None:\n"
        "    for value in frame.f_locals.values():\n"
        "        if isinstance(value, (bytes, bytearray)) and value:\n"
        "            print(bytes(value).decode(errors='replace'))\n"
        "    frame = frame.f_back\n"
    )
    result = run(scratch, walk)
    assert TOKEN not in result.stdout


def test_a_test_function_that_fails_is_run_and_reported(scratch):
    result = run(scratch, "def test_add():\n    assert add(2, 2) == 5\n")
    assert TOKEN not in result.stdout
    assert f"{MARKER}:report" in result.stdout


def test_a_failing_unittest_case_is_reported(scratch):
    cases = (
        "import unittest\n"
        "class AddTests(unittest.TestCase):\n"
        "    def test_add(self):\n"
        "        self.assertEqual(add(2, 2), 5)\n"
        "if __name__ == '__main__':\n"
        "    unittest.main()\n"
    )
    result = run(scratch, cases)
    assert TOKEN not in result.stdout
    assert f"{MARKER}:report" in result.stdout
