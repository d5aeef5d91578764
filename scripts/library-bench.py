#!/usr/bin/env python3
"""The library-rebuild benchmark: a real library's module rebuilt from its signatures and docstrings, judged by the
library's own test file.

The module's sdist comes from PyPI (its license recorded). The plan is what an upstream planner hands over: one atom
per top-level function (its name; its description the `def` line and the docstring; `depends_on` from the names its
body uses of the module's other functions and constants; the module's import lines as `imports`), and the module's
constants and the helper module it imports from the package given as code (`code:`), as a planner passes context.
The library's test file then judges the assembled `src/` (pytest, each test function or parameter case one test).

Modes, run one after another on the same server: `nosuite` (the plan alone, today's default), `suite` (the test file
as the plan's `suite:`, its rounds on, the description's examples not run as checks), `suite+evidence` (the suite and
the default's evidence: examples as checks, candidates compared).

Usage (normally through `scripts/bench --library`):
  scripts/library-bench.py --atomforge BIN --python PY [--modes nosuite,suite,suite+evidence] [--keep DIR]
                           [--write BENCHMARKS.md]
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import pathlib
import re
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET

from benchlib import machine, pointed_at_repository, write_section

ROOT = pathlib.Path(__file__).resolve().parent.parent
CACHE = ROOT / ".local/bench-libraries"

# The library: its sdist on PyPI, the module rebuilt, the helper module it imports from the package (given as code),
# and the test file that judges it.
LIBRARY = {
    "requirement": "toolz==0.12.1", "sdist": "toolz-0.12.1.tar.gz", "folder": "toolz-0.12.1", "license": "BSD-3-Clause",
    "module": "toolz/itertoolz.py", "helpers": ["toolz/utils.py"], "tests": "toolz/tests/test_itertoolz.py",
}
MODES = {
    "nosuite": {"suite": False, "evidence": None},
    "suite": {"suite": True, "evidence": "{examples: false, agreement: {candidates: 0}}"},
    "suite+evidence": {"suite": True, "evidence": None},
}


def fetch() -> pathlib.Path:
    """The library's unpacked sdist, downloaded once into the git-ignored .local/."""
    CACHE.mkdir(parents=True, exist_ok=True)
    if not (CACHE / LIBRARY["sdist"]).exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                        "--dest", str(CACHE), LIBRARY["requirement"]], check=True)
    if not (CACHE / LIBRARY["folder"]).exists():
        with tarfile.open(CACHE / LIBRARY["sdist"]) as archive:
            archive.extractall(CACHE, filter="data")
    return CACHE / LIBRARY["folder"]


def names_used(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def atom_id(name: str) -> str:
    """Plan ids may not start with `_` (reserved): a private function's id is prefixed."""
    return ("private" + name) if name.startswith("_") else name


def plan_for(library: pathlib.Path, with_suite: bool) -> dict:
    module = LIBRARY["module"]
    source = (library / module).read_text()
    tree = ast.parse(source)
    # The module's imports as context, but not those of the package itself: what the module takes from it is
    # planned (its atoms, `depends_on`), and the assembled tree imports it from there.
    package = module.split("/")[0]
    imports = [ast.get_source_segment(source, n) for n in tree.body
               if isinstance(n, (ast.Import, ast.ImportFrom))
               and not (isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] == package)
               and not (isinstance(n, ast.Import) and any(a.name.split(".")[0] == package for a in n.names))]
    defined: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            defined[node.name] = node
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id != "__all__":
                defined[node.targets[0].id] = node
    atoms = []
    # The helper modules: each top-level statement given as code, an atom of its own.
    helper_names: dict[str, str] = {}
    for helper in LIBRARY["helpers"]:
        helper_source = (library / helper).read_text()
        for node in ast.parse(helper_source).body:
            name = node.name if isinstance(node, ast.FunctionDef) else (
                node.targets[0].id if isinstance(node, ast.Assign) else None)
            if name is None:
                continue
            helper_names[name] = atom_id("utils_" + name)
            atoms.append({"id": atom_id("utils_" + name), "name": name, "file": helper,
                          "code": ast.get_source_segment(helper_source, node)})
    for name, node in defined.items():
        uses = sorted(atom_id(other) for other in names_used(node) if other in defined and other != name)
        uses += sorted({helper_names[other] for other in names_used(node) if other in helper_names})
        atom = {"id": atom_id(name), "name": name, "file": module, "imports": imports, "depends_on": uses}
        if isinstance(node, ast.FunctionDef):
            signature = ast.get_source_segment(source, node).split("\n")[0]
            doc = ast.get_docstring(node) or ""
            atom["description"] = f"{signature}\n\n{doc}".strip()
        else:
            atom["code"] = ast.get_source_segment(source, node)
        atoms.append(atom)
    plan = {"plan": "library", "language": "python", "atoms": atoms}
    if with_suite:
        plan["suite"] = [{"name": pathlib.Path(LIBRARY["tests"]).name,
                          "code": (library / LIBRARY["tests"]).read_text()}]
    return plan


def config_for(mode: str) -> str:
    base = pointed_at_repository((ROOT / "pipeline.yaml").read_text())
    evidence = MODES[mode]["evidence"]
    if evidence:
        block = re.compile(r"^evidence:[^\n]*(?:\n(?:[ \t]*\n)*[ \t]+[^\n]*)*", re.M)
        base = block.sub(lambda _: "evidence: " + evidence, base, count=1)
    return base


def judge(src: pathlib.Path, library: pathlib.Path, python: str) -> tuple[int, int]:
    """The library's test file on the generated tree: (tests passed, tests run). Each test runs in a pytest process
    of its own, cut after 20 s and held to 2 GiB, so that generated code looping in C (where no signal reaches it)
    fails its test rather than hanging the judge; outcomes from pytest's JUnit report. A tree the test file cannot
    even import passes none of the tests the reference runs."""
    with tempfile.TemporaryDirectory(prefix="atomforge-library-") as scratch:
        scratch = pathlib.Path(scratch)
        shutil.copytree(src, scratch / "src")
        package = scratch / "src" / LIBRARY["module"].split("/")[0]
        # A regular package, so that no installed copy of the library could be judged instead.
        if package.is_dir() and not (package / "__init__.py").exists():
            (package / "__init__.py").write_text("")
        shutil.copy(library / LIBRARY["tests"], scratch / "test_library.py")
        env = {**os.environ, "PYTHONPATH": str(scratch / "src")}

        def limited() -> None:
            resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

        def pytest(*arguments: str, timeout: int) -> subprocess.CompletedProcess | None:
            try:
                return subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *arguments],
                                      cwd=scratch, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                      text=True, timeout=timeout, preexec_fn=limited)
            except subprocess.TimeoutExpired:
                return None

        listed = pytest("--collect-only", "test_library.py", timeout=120)
        ids = [line for line in (listed.stdout if listed else "").splitlines() if "::" in line]
        if not ids:
            return 0, reference_tests(library, python)
        passed = 0
        for index, test in enumerate(ids):
            report = scratch / f"report-{index}.xml"
            if pytest(f"--junitxml={report}", test, timeout=20) is None or not report.exists():
                continue
            suite = ET.parse(report).getroot()
            suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
            counts = {key: int(suite.get(key, "0")) for key in ("tests", "errors", "failures", "skipped")}
            passed += counts["tests"] - counts["errors"] - counts["failures"] - counts["skipped"]
        return passed, max(len(ids), reference_tests(library, python))


REFERENCE: dict[str, int] = {}


def reference_tests(library: pathlib.Path, python: str) -> int:
    """How many tests the library's test file runs on the library itself (the denominator)."""
    if "tests" not in REFERENCE:
        with tempfile.TemporaryDirectory(prefix="atomforge-reference-") as scratch:
            tree = pathlib.Path(scratch) / "tree"
            for path in [LIBRARY["module"], *LIBRARY["helpers"]]:
                (tree / path).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(library / path, tree / path)
            REFERENCE["tests"] = 0
            REFERENCE["tests"] = judge(tree, library, python)[1]
    return REFERENCE["tests"]


def figures(outbox: pathlib.Path) -> dict:
    summary = json.loads((outbox / "summary.json").read_text())
    generated = [a for a in summary["atoms"] if a.get("attempts", 0) > 0]
    calls = summary.get("attempts", 0) + summary.get("evidence_calls", 0)
    return {"atoms": len(summary["atoms"]), "generated": len(generated),
            "passed": summary["counts"]["passed"], "calls": calls,
            "rounds": len(summary.get("suite_rounds") or [])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--atomforge", required=True)
    parser.add_argument("--python", default=sys.executable, help="python with pytest, to judge the tree")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--keep", help="keep every run's folder here")
    parser.add_argument("--write", help="write the figures into this markdown file")
    args = parser.parse_args()
    library = fetch()
    work = pathlib.Path(args.keep) if args.keep else pathlib.Path(tempfile.mkdtemp(prefix="atomforge-library-"))
    results = []
    for mode in args.modes.split(","):
        folder = work / mode
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        (folder / "plan.json").write_text(json.dumps(plan_for(library, MODES[mode]["suite"]), indent=1))
        (folder / "pipeline.yaml").write_text(config_for(mode))
        print(f"library-bench: {mode}", file=sys.stderr, flush=True)
        started = time.monotonic()
        run = subprocess.run([args.atomforge, "run", "plan.json", "--config", "pipeline.yaml", "--outbox", "outbox",
                              "--log-level", "warning"], cwd=folder, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        wall = time.monotonic() - started
        (folder / "run.log").write_text(run.stdout)
        if run.returncode not in (0, 1):
            sys.exit(f"library-bench: atomforge run ({mode}) exited {run.returncode}:\n{run.stdout[-3000:]}")
        passed, total = judge(folder / "outbox/library/src", library, args.python)
        result = {"mode": mode, "tests_passed": passed, "tests": total, "wall_s": wall,
                  **figures(folder / "outbox/library")}
        results.append(result)
        print(json.dumps(result), flush=True)
    (work / "results.json").write_text(json.dumps(results, indent=1))
    if args.write:
        write_section(pathlib.Path(args.write), render(results, args.modes), "library")


def render(results: list[dict], modes: str) -> str:
    rows = ["| mode | library tests passing | atoms passed | model calls per generated atom | suite rounds | wall |",
            "|---|---|---|---|---|---|"]
    for r in results:
        share = f"{100 * r['tests_passed'] / r['tests']:.1f}% ({r['tests_passed']}/{r['tests']})" if r["tests"] else "–"
        per = r["calls"] / max(r["generated"], 1)
        rows.append(f"| `{r['mode']}` | {share} | {r['passed']}/{r['atoms']} | {per:.2f} | {r['rounds']} | "
                    f"{r['wall_s'] / 60:.1f} min |")
    return "\n".join([
        f"## Library rebuilt from its docstrings: {LIBRARY['requirement']} `{LIBRARY['module']}`", "",
        f"Machine: {machine()}; the embedded default (Qwen2.5-Coder-0.5B-Instruct Q4_K_M, llama.cpp, CPU).  ",
        f"Command: `scripts/bench --library --modes {modes}` — every mode in the same run, one after another.", "",
        *rows, "",
        f"The plan: one atom per top-level function of `{LIBRARY['module']}` ({LIBRARY['license']}, from its PyPI "
        "sdist), described by its `def` line and docstring, `depends_on` from the names its body uses; the module's "
        f"constants and `{', '.join(LIBRARY['helpers'])}` given as code. The judge: the library's own "
        f"`{LIBRARY['tests']}` on the generated `src/` (pytest; each test function or parameter case one test). "
        "`nosuite`: the plan alone (the default's evidence); `suite`: the test file as the plan's `suite:` with its "
        "rounds, the description's examples not run and no candidates compared; `suite+evidence`: the suite and the "
        "default's evidence. *model calls per generated atom*: every call (candidates, repairs, rounds, proposals) "
        "over the atoms the model wrote.",
    ])


if __name__ == "__main__":
    main()
