#!/usr/bin/env python3
"""The class-level quality benchmark: plans of classes and methods through `atomforge run` on one config.

Each plan in benchmarks/classes/ (and the example examples/plans/library.yaml) runs as a user runs it. For the atoms
the model writes (classes and methods; code the plan provides is not counted), it reports how many passed on their
first call, how many at the end, the lift between them and the calls per atom; and for every file of the generated
src/ tree whether it imports (Python) or loads (JavaScript) as it is, failed methods standing in as stubs.

Usage (normally through `scripts/bench --classes`):
  scripts/class-bench.py --atomforge BIN [--config pipeline.yaml] [--write BENCHMARKS.md]
"""
from __future__ import annotations

import argparse
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import machine, pointed_at_repository, write_section

ROOT = pathlib.Path(__file__).resolve().parent.parent
PLANS = sorted((ROOT / "benchmarks/classes").glob("*.yaml")) + [ROOT / "examples/plans/library.yaml"]


def loads(source: pathlib.Path, file: str) -> bool:
    """Whether a generated file imports (Python) or loads (JavaScript) from the src/ tree, in a child process."""
    if file.endswith(".py"):
        module = file[:-3].replace("/", ".")
        command = [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, '.'); import {module}"]
    elif file.endswith(".js"):
        command = ["node", "-e", f"require('./{file}')"]
    else:
        return True
    try:
        return subprocess.run(command, cwd=source, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              timeout=30).returncode == 0
    except subprocess.TimeoutExpired:
        return False


def run_plan(plan: pathlib.Path, args, work: pathlib.Path) -> dict:
    folder = work / plan.stem
    folder.mkdir(parents=True)
    (folder / "pipeline.yaml").write_text(pointed_at_repository(pathlib.Path(args.config).read_text()))
    started = time.monotonic()
    run = subprocess.run(
        [args.atomforge, "run", str(plan), "--config", str(folder / "pipeline.yaml"), "--outbox",
         str(folder / "outbox"), "--log-level", "warning"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.monotonic() - started
    (folder / "run.log").write_text(run.stdout)
    if run.returncode not in (0, 1):
        sys.exit(f"class-bench: atomforge run {plan.name} exited {run.returncode}:\n{run.stdout[-3000:]}")
    runs = sorted((folder / "outbox").glob("*/summary.json"))
    outbox = runs[0].parent
    figures = {"plan": plan.stem, "wall_s": wall, "classes": 0, "methods": 0, "atoms": 0, "first": 0, "final": 0,
               "calls": 0, "files": 0, "loading": 0}
    for report_path in sorted((outbox / "atoms").glob("*/report.json")):
        report = json.loads(report_path.read_text())
        attempts = report["attempts"]
        if attempts and attempts[0].get("kind") == "plan":
            continue  # provided code: nothing was generated
        figures["classes" if report.get("kind") == "class" else "methods"] += 1
        figures["atoms"] += 1
        figures["calls"] += len(attempts)
        figures["first"] += 1 if attempts and attempts[0]["passed"] else 0
        figures["final"] += 1 if report["status"] == "passed" else 0
    source = outbox / "src"
    for file in sorted(p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()):
        figures["files"] += 1
        figures["loading"] += 1 if loads(source, file) else 0
    return figures


def table(results: list[dict]) -> str:
    rows = ["| plan | generated atoms (classes + methods) | first attempt | final | lift | calls/atom | "
            "src files that import | wall |", "|---|---|---|---|---|---|---|---|"]
    total = {key: sum(r[key] for r in results) for key in
             ("atoms", "classes", "methods", "first", "final", "calls", "files", "loading", "wall_s")}
    for r in results + [dict(total, plan="**all**")]:
        n = max(r["atoms"], 1)
        rows.append(
            f"| {r['plan']} | {r['atoms']} ({r['classes']} + {r['methods']}) | {100 * r['first'] / n:.1f}% "
            f"({r['first']}/{r['atoms']}) | {100 * r['final'] / n:.1f}% ({r['final']}/{r['atoms']}) | "
            f"{100 * (r['final'] - r['first']) / n:+.1f} pt | {r['calls'] / n:.2f} | {r['loading']}/{r['files']} | "
            f"{r['wall_s'] / 60:.1f} min |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--atomforge", required=True, help="the atomforge binary")
    parser.add_argument("--config", default=str(ROOT / "pipeline.yaml"))
    parser.add_argument("--keep", help="keep every run's outbox in this folder")
    parser.add_argument("--write", help="write the figures into this markdown file (between quality-classes markers)")
    args = parser.parse_args()
    work = pathlib.Path(args.keep) if args.keep else pathlib.Path(tempfile.mkdtemp(prefix="atomforge-classes-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for plan in PLANS:
        print(f"class-bench: {plan.relative_to(ROOT)}", file=sys.stderr, flush=True)
        results.append(run_plan(plan, args, work))
        print(table(results[-1:]).splitlines()[2], file=sys.stderr, flush=True)
    (work / "results.json").write_text(json.dumps(results, indent=1))
    config = pathlib.Path(args.config).resolve()
    shown = config.relative_to(ROOT) if config.is_relative_to(ROOT) else config.name
    text = (f"## Quality: classes and methods as atoms ({len(PLANS)} plans)\n\n"
            f"Machine: {machine()}; config `{shown}`.  \n"
            f"Command: `scripts/bench --classes` — the plans in `benchmarks/classes/` and "
            f"`examples/plans/library.yaml`, one `atomforge run` each.\n\n" + table(results) + "\n\n"
            "*generated atoms*: the classes and methods the model writes (code a plan provides is validated but not "
            "counted); *first attempt*: those whose first call passed; *final*: passed at the end; *lift*: final − "
            "first; *src files that import*: files of the generated `src/` that import (Python) or load (JavaScript) "
            "as they are, a method that failed standing in as a stub that raises.")
    print(text)
    if args.write:
        write_section(pathlib.Path(args.write), text, "quality-classes")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
