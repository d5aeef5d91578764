#!/usr/bin/env python3
"""The quality benchmark: MBPP+ problems through `atomforge run`, one run per strategy, side by side.

Each problem becomes an atom: its name is the function the tests call, its description MBPP's sentence, its tests the
three `test_list` assertions (`--tests thin`, the default). With `--tests none` the plan has no tests at all: the
description is MBPP's sentence followed by `Example:` and its first visible assertion (with the imports it needs).
Every strategy runs the same plan with the same model server settings; only the `generation:` (or `provider:`,
`evidence:`) section differs. The final code of each atom (the accepted code, or a failed atom's last attempt) is then
run against MBPP+'s hidden tests (many more inputs than the loop ever saw), in a sandbox of its own (bubblewrap, no
network, limits), with numpy installed.

Usage (normally through `scripts/bench --quality`):
  scripts/quality-bench.py --atomforge BIN [--set dev|full] [--limit N] [--strategies a,b] [--tests thin|none]
                           [--write BENCHMARKS.md] [--section NAME]
"""
from __future__ import annotations

import argparse
import ast
import gzip
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import machine, pointed_at_repository, write_section

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATASET = ROOT / "benchmarks/mbppplus/MbppPlus-OriginFmt-v0.2.0.jsonl.gz"

# The strategies, as the `generation:` section each one runs with.
STRATEGIES = {
    # A plain prompt: the description and the function's name, "write the complete function", no tests shown.
    "plain": {"max_attempts": 1, "ladder": [{"kind": "sample", "temperature": 0.2, "prompt": "plain"}]},
    # AtomForge's loop before the ladder: repair every failure, temperatures rising.
    "repair-loop": {"max_attempts": 4, "temperatures": [0.2, 0.5, 0.7, 0.9]},
    # The default's shape with repair routed by the kind of failure: syntax, name, import, type errors and
    # cut-off replies are repaired, anything else gets a fresh sample.
    "routed-repair": {"max_attempts": 7, "ladder": [
        {"kind": "sample", "temperature": 0.2},
        {"kind": "repair", "temperature": 0.8, "candidates": 2},
        {"kind": "repair", "temperature": 0.9, "candidates": 2},
        {"kind": "repair", "temperature": 1.0, "candidates": 2}]},
    # The default's shape with the third step's two samples asked with the plain prompt: another distribution
    # to draw from, and no dependency code in the prompt to copy.
    "mixed-prompts": {"max_attempts": 7, "ladder": [
        {"kind": "sample", "temperature": 0.2},
        {"kind": "sample", "temperature": 0.8, "candidates": 2},
        {"kind": "sample", "temperature": 0.9, "candidates": 2, "prompt": "plain"},
        {"kind": "sample", "temperature": 1.0, "candidates": 2}]},
    # The default: whatever pipeline.yaml's generation section says.
    "default": None,
}
# Strategies that change the provider's settings instead: the default ladder with each key added under provider:.
PROVIDER_STRATEGIES = {"default+prefill": {"prefill": "true"}}
# Strategies that add keys to the default's generation section: the system prompt's wording.
GENERATION_STRATEGIES = {
    # No system prompt: the user message alone (it states the task, the tests and the reply's form).
    "no-system": {"system_prompt": '""'},
    # One line: the language and the reply's form, nothing about the model's role or the unit.
    "terse-system": {"system_prompt": json.dumps("Write {language} code. Reply with one ```{fence} block.")},
}
# Strategies that replace the default's top-level `evidence:` section (or add one): what a `passed` may rest on.
EVIDENCE_STRATEGIES = {
    # No agreement between candidates: the description's examples are still run.
    "examples-only": "{agreement: {candidates: 0}}",
    # Candidates compared by behaviour for atoms with tests of their own too (thin tests let wrong code pass).
    "agreement-with-tests": "{agreement: {with_tests: true}}",
    # Candidates compared without the model's expected values (its proposal call asks for inputs only).
    "no-expectations": "{agreement: {expectations: false}}",
}
# The evidence levels, strongest first, in the order the evidence table lists them ("none": a report without the key).
EVIDENCE_LEVELS = ["tests", "examples", "agreement", "loaded", "parsed", "none"]


def load_problems(which: str, limit: int | None) -> list[dict]:
    rows = [json.loads(line) for line in gzip.open(DATASET, "rt", encoding="utf-8")]
    rows.sort(key=lambda row: int(row["task_id"]))
    if which == "dev":
        # Every fourth problem by task number (95 of 378): a fixed subset for iterating; the full set for the record.
        rows = rows[::4]
    problems = []
    for row in rows:
        name = function_name(row)
        if name is None:
            continue
        tests = list(row["test_imports"]) + list(row["test_list"])
        example = list(row["test_imports"]) + list(row["test_list"][:1])
        # The reference's signature line (its parameters' names), as an upstream planner would give it.
        signature = re.search(rf"^def {re.escape(name)}\(.*?\).*?:", row["code"], re.M)
        problems.append({
            "id": f"p{row['task_id']}", "name": name, "description": row["prompt"].strip(),
            "tests": "\n".join(tests), "example": "\n".join(example), "hidden": row["test"], "reference": row["code"],
            "signature": signature.group(0) if signature else f"def {name}(...):",
        })
    return problems[:limit] if limit else problems


def function_name(row: dict) -> str | None:
    """The function the visible tests call that the reference defines (its name only; its code is never shown)."""
    try:
        defined = [n.name for n in ast.parse(row["code"]).body if isinstance(n, ast.FunctionDef)]
    except SyntaxError:
        return None
    called = []
    for test in row["test_list"]:
        for node in ast.walk(ast.parse(test)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                called.append(node.func.id)
    for name in called:
        if name in defined:
            return name
    return None


def plan_for(problems: list[dict], plan_id: str, tests: str = "thin") -> dict:
    """thin: the three visible assertions are the atom's tests. none: no `tests:` at all; the description carries
    MBPP's first visible assertion (and the imports it needs) as its example. bare: no tests and no example; the
    description carries the reference's signature line."""
    atoms = []
    for p in problems:
        atom = {"id": p["id"], "name": p["name"], "description": p["description"], "file": f"mbpp/{p['id']}.py"}
        if tests == "none":
            atom["description"] = f"{p['description']}\nExample:\n{p['example']}"
        elif tests == "bare":
            # Nothing to check but the signature: the planner's sentence and the function's def line.
            atom["description"] = f"{p['description']}\nSignature: {p['signature']}"
        else:
            atom["tests"] = p["tests"]
        atoms.append(atom)
    return {"plan": plan_id, "language": "python", "atoms": atoms}


def config_for(strategy: str, base: str) -> str:
    """pipeline.yaml with the strategy's generation section (YAML is a superset of JSON: the section is JSON)."""
    if strategy in PROVIDER_STRATEGIES:
        keys = "".join(f"\n  {key}: {value}" for key, value in PROVIDER_STRATEGIES[strategy].items())
        return re.sub(r"^provider:", "provider:" + keys, base, count=1, flags=re.M)
    if strategy in GENERATION_STRATEGIES:
        keys = "".join(f"\n  {key}: {value}" for key, value in GENERATION_STRATEGIES[strategy].items())
        return re.sub(r"^generation:", lambda _: "generation:" + keys, base, count=1, flags=re.M)
    if strategy in EVIDENCE_STRATEGIES:
        section = "evidence: " + EVIDENCE_STRATEGIES[strategy]
        # The top-level block: `evidence:` and the indented lines after it (blank lines inside it included).
        block = re.compile(r"^evidence:[^\n]*(?:\n(?:[ \t]*\n)*[ \t]+[^\n]*)*", re.M)
        if block.search(base):
            return block.sub(lambda _: section, base, count=1)
        return base.rstrip("\n") + "\n" + section + "\n"
    generation = STRATEGIES[strategy]
    if generation is None:
        return base
    lines, skipping = [], False
    for line in base.splitlines():
        if re.match(r"^generation:", line):
            skipping = True
            lines.append("generation: " + json.dumps(generation))
            continue
        if skipping and (line.startswith(" ") or not line.strip()):
            continue
        skipping = False
        lines.append(line)
    return "\n".join(lines) + "\n"


def sandboxed(command: list[str], scratch: pathlib.Path) -> list[str]:
    """The hidden tests run like AtomForge's validators: no network, read-only file system but a scratch folder."""
    limits = ["prlimit", "--as=4294967296", "--cpu=60", "--fsize=67108864", "--nofile=256", "--core=0", "--"]
    if shutil.which("bwrap"):
        # The interpreter's environment (the benchmark's venv) stays visible even when the checkout is under /tmp.
        prefix = str(pathlib.Path(command[0]).parent.parent)
        return ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                "--ro-bind", prefix, prefix, "--bind", str(scratch), str(scratch), "--chdir", str(scratch), "--unshare-net", "--unshare-pid",
                "--unshare-ipc", "--die-with-parent", "--new-session", "--clearenv",
                "--setenv", "PATH", "/usr/local/bin:/usr/bin:/bin", "--setenv", "HOME", str(scratch), "--"
                ] + limits + command
    return limits + command


def hidden_test(code: str, hidden: str, python: str, timeout: float = 60) -> bool:
    with tempfile.TemporaryDirectory(prefix="atomforge-hidden-") as folder:
        scratch = pathlib.Path(folder)
        os.chmod(scratch, 0o777)
        (scratch / "program.py").write_text(code + "\n\n" + hidden + "\n", encoding="utf-8")
        try:
            run = subprocess.run(sandboxed([python, "-I", "program.py"], scratch), cwd=scratch,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return run.returncode == 0


def run_strategy(strategy: str, args, problems: list[dict], work: pathlib.Path, base: str) -> dict:
    folder = work / strategy
    folder.mkdir(parents=True)
    (folder / "pipeline.yaml").write_text(config_for(strategy, base), encoding="utf-8")
    # The model server's paths in pipeline.yaml are relative to the config's folder: point them at the repository.
    (folder / "pipeline.yaml").write_text(pointed_at_repository((folder / "pipeline.yaml").read_text()))
    plan_path = folder / "plan.json"
    plan_path.write_text(json.dumps(plan_for(problems, "mbppplus", args.tests)), encoding="utf-8")
    started = time.monotonic()
    run = subprocess.run(
        [args.atomforge, "run", str(plan_path), "--config", str(folder / "pipeline.yaml"),
         "--outbox", str(folder / "outbox"), "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wall = time.monotonic() - started
    (folder / "run.log").write_text(run.stdout)
    if run.returncode not in (0, 1):
        sys.exit(f"quality-bench: atomforge run ({strategy}) exited {run.returncode}:\n{run.stdout[-3000:]}")
    figures = {"strategy": strategy, "atoms": len(problems), "wall_s": wall, "tests": args.tests}
    figures.update(outbox_figures(folder / "outbox" / "mbppplus", problems, args.python))
    return figures


def evidence_level(report: dict) -> str:
    """What the atom's `passed` rests on: report["evidence"]["level"]; "none" for reports without it."""
    evidence = report.get("evidence")
    return (evidence.get("level") or "none") if isinstance(evidence, dict) else "none"


def final_code(report: dict, atom_folder: pathlib.Path) -> str | None:
    """A passed atom's accepted code; a failed one's last attempt that is not a duplicate and has code."""
    if report["status"] == "passed":
        return (atom_folder / "code.py").read_text()
    for attempt in reversed(report.get("attempts") or []):
        if attempt.get("duplicate_of") is None and (attempt.get("code") or "").strip():
            return attempt["code"]
    return None


def outbox_figures(outbox: pathlib.Path, problems: list[dict], python: str) -> dict:
    """The figures of one strategy's run from its reports: model calls (attempts that are not the plan's or a
    person's, plus the calls made to gather evidence), first and final passes, the final code against the hidden
    tests, and the evidence each `passed` rests on with how many of those pass the hidden tests."""
    first = final = attempts_total = evidence_calls = duplicates = hidden = final_code_hidden = 0
    most_calls = 0
    levels: dict[str, dict[str, int]] = {}
    # Each atom's status, evidence and verdict, kept in the results for reading afterwards (not rendered).
    per_atom = []
    for problem in problems:
        atom_folder = outbox / "atoms" / problem["id"]
        report = json.loads((atom_folder / "report.json").read_text())
        attempts = [a for a in report.get("attempts") or [] if a.get("kind") not in ("plan", "person")]
        gathering = int(report.get("evidence_calls") or 0)
        attempts_total += len(attempts)
        evidence_calls += gathering
        most_calls = max(most_calls, len(attempts) + gathering)
        duplicates += sum(1 for a in attempts if a.get("duplicate_of") is not None)
        first += 1 if attempts and attempts[0].get("passed") else 0
        code = final_code(report, atom_folder)
        correct = code is not None and hidden_test(code, problem["hidden"], python)
        final_code_hidden += 1 if correct else 0
        evidence = report.get("evidence") if isinstance(report.get("evidence"), dict) else {}
        per_atom.append({"id": problem["id"], "status": report["status"], "level": evidence_level(report),
                         "correct": correct, "calls": len(attempts) + gathering,
                         "agreement": evidence.get("agreement")})
        if report["status"] == "passed":
            final += 1
            hidden += 1 if correct else 0
            level = levels.setdefault(evidence_level(report), {"atoms": 0, "hidden": 0})
            level["atoms"] += 1
            level["hidden"] += 1 if correct else 0
    return {"first": first, "final": final, "calls": attempts_total + evidence_calls, "attempts": attempts_total,
            "evidence_calls": evidence_calls, "most_calls": most_calls, "duplicates": duplicates, "hidden": hidden,
            "final_code_hidden": final_code_hidden, "levels": levels, "per_atom": per_atom}


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}% ({part}/{whole})" if whole else f"– ({part}/{whole})"


def table(results: list[dict]) -> str:
    rows = ["| strategy | first attempt | final | final code correct | lift | calls/atom | max calls | duplicates | "
            "hidden tests | wall |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        n = r["atoms"]
        correct = percent(r["final_code_hidden"], n) if "final_code_hidden" in r else "–"
        # Results from before the evidence calls were counted: every call was an attempt.
        attempts = r.get("attempts", r["calls"])
        rows.append(
            f"| `{r['strategy']}` | {percent(r['first'], n)} | {percent(r['final'], n)} | {correct} | "
            f"{100 * (r['final'] - r['first']) / n:+.1f} pt | {r['calls'] / n:.2f} | {r['most_calls']} | "
            f"{100 * r['duplicates'] / max(attempts, 1):.1f}% | {percent(r['hidden'], n)} | "
            f"{r['wall_s'] / 60:.1f} min |")
    return "\n".join(rows)


def ordered_levels(levels: dict) -> list[str]:
    known = [level for level in EVIDENCE_LEVELS if level in levels]
    return known + sorted(level for level in levels if level not in EVIDENCE_LEVELS)


def evidence_table(results: list[dict]) -> str:
    """One row per strategy and evidence level that some passed atom rests on; empty for results without levels."""
    rows = []
    for r in results:
        levels = r.get("levels") or {}
        for level in ordered_levels(levels):
            figures = levels[level]
            if figures.get("atoms", 0) > 0:
                rows.append(f"| `{r['strategy']}` | {level} | {figures['atoms']} | "
                            f"{percent(figures.get('hidden', 0), figures['atoms'])} |")
    if not rows:
        return ""
    return "\n".join(["### Evidence: what each `passed` rests on, and its precision", "",
                      "| strategy | evidence | atoms passed on it | of those, pass hidden tests (precision) |",
                      "|---|---|---|---|"] + rows)


def notes(tests: str) -> str:
    plan = ("""Each problem's atom has no tests (`--tests none`): the plan has no `tests:` key, and the
description is MBPP's sentence followed by `Example:` and its first visible assertion (with the imports it needs), so
a `passed` rests on that example and on what AtomForge gathers itself."""
            if tests == "none" else
            """Each problem's atom has no tests and no example (`--tests bare`): the description is MBPP's sentence and the
reference's signature line (`Signature: def f(a, b):`), so a `passed` rests on what AtomForge gathers itself."""
            if tests == "bare" else
            "Each problem's atom has MBPP's three visible assertions as its `tests:` (`--tests thin`).")
    return plan + """
Each row is one strategy over the same problems: `plain` is a plain prompt (the description and the function's name,
"write the complete function", no tests shown, one call); `repair-loop` is AtomForge's loop before the ladder
(`generation.temperatures: [0.2, 0.5, 0.7, 0.9]`: repair every failure); `routed-repair` is the default's shape with
`repair` steps (syntax, name, import and type errors and cut-off replies repaired, anything else sampled); `default`
is `pipeline.yaml` as committed; `examples-only` is the default with `evidence: {agreement: {candidates: 0}}` (no
agreement between candidates; the description's examples still used); `agreement-with-tests` is the default with
`evidence: {agreement: {with_tests: true}}` (candidates compared by behaviour for atoms with tests too);
`no-expectations` is the default with `evidence: {agreement: {expectations: false}}` (the vote without the model's
expected values); `mixed-prompts` is the default with the third
step's two samples asked with the plain prompt; `default+prefill` adds `provider.prefill: true`; `escalate` is
`examples/config/escalate-1.5b.yaml` (the last two calls go to Qwen2.5-Coder-1.5B). *first attempt*: atoms whose first
call passed; *final*: atoms passed at the end; *final code correct*: atoms whose final code (the accepted code; for an
atom that did not pass, its last attempt that has code and is not a duplicate) passes MBPP+'s hidden tests (many more
inputs, run in a sandbox after the run; the loop never sees them), whatever its status, of all atoms; *lift*: final −
first; *calls/atom*: model calls per atom, every candidate included, and the calls made to gather evidence (proposing
inputs) too; *max calls*: the most for one atom; *duplicates*: attempts whose code equalled an earlier attempt's of
the same atom; *hidden tests*: atoms that passed and whose accepted code also passes the hidden tests, of all atoms;
*wall*: the whole `atomforge run`, model server start included. The evidence table splits each strategy's passed
atoms by what their `passed` rests on (the report's `evidence.level`: `tests`, the atom's tests; `examples`, the
description's examples; `agreement`, candidates agreeing on inputs; `loaded`, the code loads; `parsed`, it parses;
`none`, a report without it) and gives the share of those that pass the hidden tests: the precision of that
evidence."""


def level_precision(r: dict, levels: list[str]) -> tuple[int, int] | None:
    """(hidden, atoms) over the given evidence levels; None for results without levels."""
    if "levels" not in r:
        return None
    figures = [r["levels"].get(level) or {} for level in levels]
    return sum(f.get("hidden", 0) for f in figures), sum(f.get("atoms", 0) for f in figures)


def precision_check(name: str, r: dict, levels: list[str]) -> tuple[str, str, bool | None] | None:
    counts = level_precision(r, levels)
    if counts is None:
        return None
    hidden, atoms = counts
    return name, percent(hidden, atoms), (hidden >= 0.90 * atoms) if atoms else None


def targets(results: list[dict], tests: str = "thin") -> str:
    by = {r["strategy"]: r for r in results}
    if "plain" not in by or "default" not in by:
        return ""
    plain, default = by["plain"], by["default"]
    n = default["atoms"]
    rows = ["| target (default vs plain, same run) | value | met |", "|---|---|---|"]
    if tests in ("none", "bare"):
        correct = lambda r: r.get("final_code_hidden", 0)
        checks = [
            ("final code correct ≥ plain first attempt + 12 points",
             f"{100 * correct(default) / n:.1f}% vs {100 * correct(plain) / n:.1f}% "
             f"({100 * (correct(default) - correct(plain)) / n:+.1f} pt)",
             correct(default) - correct(plain) >= 0.12 * n),
            ("≤ 6 model calls per atom on average", f"{default['calls'] / n:.2f}", default["calls"] <= 6 * n),
            ("≤ 7 calls for any atom", f"{default['most_calls']}", default["most_calls"] <= 7),
            precision_check("precision of examples and agreement ≥ 90%", default, ["examples", "agreement"]),
        ]
    else:
        attempts = default.get("attempts", default["calls"])
        checks = [
            ("first attempt ≥ plain", f"{100 * default['first'] / n:.1f}% vs {100 * plain['first'] / n:.1f}%",
             default["first"] >= plain["first"]),
            ("final ≥ plain + 10 points", f"{100 * (default['final'] - plain['first']) / n:+.1f} pt",
             default["final"] - plain["first"] >= 0.10 * n),
            ("≤ 4 calls per atom on average", f"{default['calls'] / n:.2f}", default["calls"] <= 4 * n),
            ("≤ 8 calls for any atom", f"{default['most_calls']}", default["most_calls"] <= 8),
            ("duplicate rate ≤ 10%", f"{100 * default['duplicates'] / max(attempts, 1):.1f}%",
             default["duplicates"] <= 0.10 * attempts),
            precision_check("precision of tests ≥ 90%", default, ["tests"]),
        ]
    met = {True: "yes", False: "**no**", None: "–"}
    rows += [f"| {name} | {value} | {met[ok]} |" for name, value, ok in filter(None, checks)]
    return "\n".join(rows)


def default_section(tests: str) -> str:
    return {"none": "quality-no-tests", "bare": "quality-bare"}.get(tests, "quality")


def render(results: list[dict], args) -> str:
    command = f"scripts/bench --quality{' --full' if args.set == 'full' else ''}"
    if args.limit:
        command += f" --limit {args.limit}"
    if args.strategies != "plain,repair-loop,routed-repair,default":
        command += f" --strategies {args.strategies}"
    if args.tests != "thin":
        command += f" --tests {args.tests}"
    if args.escalation_config:
        command += f" --escalation-config {args.escalation_config}"
    if args.section != default_section(args.tests):
        command += f" --section {args.section}"
    n = results[0]["atoms"] if results else 0
    title = {"none": "Quality without tests", "bare": "Quality without tests or examples"}.get(args.tests, "Quality")
    parts = (table(results), evidence_table(results), targets(results, args.tests), notes(args.tests))
    return (f"## {title}: MBPP+ through `atomforge run` ({args.set} set, {n} problems)\n\n"
            f"Machine: {machine()}; the embedded default (Qwen2.5-Coder-0.5B-Instruct Q4_K_M, llama.cpp, CPU).  \n"
            f"Command: `{command}` — every strategy in the same run, one after another, on the same server "
            f"settings.\n\n" + "\n\n".join(part for part in parts if part))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--atomforge", required=True, help="the atomforge binary")
    parser.add_argument("--python", default=sys.executable, help="python with numpy, for the hidden tests")
    parser.add_argument("--set", choices=["dev", "full"], default="dev")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--strategies", default="plain,repair-loop,routed-repair,default")
    parser.add_argument("--tests", choices=["thin", "none", "bare"],
                        help="thin (the default): the three visible assertions are each atom's tests; none: no "
                        "tests, the description carries the first assertion as its example")
    parser.add_argument("--config", default=str(ROOT / "pipeline.yaml"))
    parser.add_argument("--escalation-config", help="a config whose ladder escalates; run as strategy 'escalate'")
    parser.add_argument("--keep", help="keep every run's outbox in this folder")
    parser.add_argument("--write", help="write the figures into this markdown file (between quality markers)")
    parser.add_argument("--section", help="the markers' name: one section per kind of run (default quality, or "
                        "quality-no-tests with --tests none)")
    parser.add_argument("--render", help="write the figures of an earlier run kept with --keep (its folder) again")
    parser.add_argument("--self-check", action="store_true", help="run the reference solutions through the hidden "
                        "tests instead (checks the harness, not AtomForge)")
    args = parser.parse_args()
    if args.render:
        results = json.loads((pathlib.Path(args.render) / "results.json").read_text())
        # The mode the kept run was made with, unless told otherwise.
        args.tests = args.tests or (results[0].get("tests") if results else None) or "thin"
        args.section = args.section or default_section(args.tests)
        text = render(results, args)
        print(text)
        if args.write:
            write_section(pathlib.Path(args.write), text, args.section)
        return
    args.tests = args.tests or "thin"
    args.section = args.section or default_section(args.tests)
    problems = load_problems(args.set, args.limit)
    if args.self_check:
        passed = sum(hidden_test(p["reference"], p["hidden"], args.python) for p in problems)
        print(f"reference solutions passing the hidden tests: {passed}/{len(problems)}")
        return
    base = pathlib.Path(args.config).read_text()
    strategies = [s for s in args.strategies.split(",") if s]
    if args.escalation_config:
        STRATEGIES["escalate"] = None
        strategies.append("escalate")
    work = pathlib.Path(args.keep) if args.keep else pathlib.Path(tempfile.mkdtemp(prefix="atomforge-quality-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    for strategy in strategies:
        print(f"quality-bench: {strategy} on {len(problems)} problems", file=sys.stderr, flush=True)
        config = pathlib.Path(args.escalation_config).read_text() if strategy == "escalate" else base
        results.append(run_strategy(strategy, args, problems, work, config))
        print(table(results[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    (work / "results.json").write_text(json.dumps(results, indent=1))
    text = render(results, args)
    print(text)
    if args.write:
        write_section(pathlib.Path(args.write), text, args.section)
        print(f"quality-bench: wrote {args.write}", file=sys.stderr)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
