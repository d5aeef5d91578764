"""The Python unit extractor (Extraction/Scripts/unit-extractor.py): a reply's code less its example calls."""
from conftest import script


def extract(scratch, code, unit="", provided=""):
    scratch.write("extractor.py", script("Extraction/Scripts/unit-extractor.py"))
    scratch.write("unit.py", code)
    return scratch.python("extractor.py", "unit.py", unit, provided)


def test_example_calls_and_prints_are_dropped_definitions_kept(scratch):
    code = "import math\n\nLIMIT = 3\n\ndef area(r):\n    return math.pi * r * r\n\nprint(area(2))\narea(3)\n"
    result = extract(scratch, code, unit="area")
    assert result.returncode == 0, result.stderr
    kept = result.stdout
    assert "def area(r):" in kept and "LIMIT = 3" in kept and "import math" in kept
    assert "print(area(2))" not in kept and "area(3)" not in kept


def test_code_with_nothing_to_drop_or_that_does_not_parse_exits_3(scratch):
    assert extract(scratch, "def f():\n    return 1\n", unit="f").returncode == 3
    assert extract(scratch, "def f(:\n", unit="f").returncode == 3
