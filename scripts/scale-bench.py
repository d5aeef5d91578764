#!/usr/bin/env python3
"""The scale benchmark through the real path: `atomforge run` (the release binary) on a synthetic plan of 800 or 2,000
Python atoms against benchmarks/scale/model_server.py (OpenAI-compatible, lognormal latency), with the real
validators (syntax check and tests, in the sandbox) and the real outbox.

For each case it prints, as `name value unit` lines:
  scale_ratio_<case>            makespan ÷ the model-time lower bound, max(longest dependency chain of model time,
                                total model time ÷ workers), from the server's own log of every call
  scale_model_slots_busy_<case> model time ÷ (workers × makespan)
  scale_validations_per_s_<case> attempts validated per second of the run
  scale_handoff_p50/p90_<case>  from the reply that passed a dependency to the dependent's first request
  scale_cpu_per_atom_<case>     CPU of atomforge and everything it ran (validators), per atom
  scale_atomforge_cpu_per_atom_<case>  atomforge's own CPU per atom
  scale_peak_memory_<case>      atomforge's peak resident memory
  scale_server_cpu_<case>       the model server's CPU share of the run (it shares the two cores)
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import random
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import benchlib  # noqa: E402

ROOT = benchlib.ROOT
SERVER = ROOT / "benchmarks" / "scale" / "model_server.py"
sys.path.insert(0, str(SERVER.parent))
from model_server import constant  # noqa: E402


def plan_for(atoms: int, seed: int = 3) -> tuple[str, dict[str, list[str]]]:
    """A DAG of `atoms` Python atoms over ten levels, each depending on one to three atoms of earlier levels (one of
    them of the level just before), 25 atoms to a file. Returns the plan's YAML and each atom's dependencies."""
    rng = random.Random(seed)
    levels = 10
    by_level: list[list[str]] = [[] for _ in range(levels)]
    names = [f"f{index:05d}" for index in range(atoms)]
    for index, name in enumerate(names):
        by_level[min(levels - 1, index * levels // atoms)].append(name)
    dependencies: dict[str, list[str]] = {}
    lines = ["plan: scale", "language: python", "atoms:"]
    for level, members in enumerate(by_level):
        for name in members:
            chosen: list[str] = []
            if level > 0:
                chosen.append(rng.choice(by_level[level - 1]))
                for _ in range(rng.randint(0, 2)):
                    pick = rng.choice(by_level[rng.randrange(level)])
                    if pick not in chosen:
                        chosen.append(pick)
            dependencies[name] = chosen
            file = f"scale/m{int(name[1:]) // 25:03d}.py"
            lines += [
                f"  - id: {name}", f"    name: {name}",
                f"    description: \"{name}(x: int) -> int: x plus {constant(name)}.\"",
                f"    file: {file}", "    estimated_loc: 2",
                f"    depends_on: [{', '.join(chosen)}]",
                f"    tests: \"assert {name}(1) == {1 + constant(name)}\"",
            ]
    return "\n".join(lines) + "\n", dependencies


def config_for(port: int, workers: int, warm_python: bool) -> str:
    return f"""provider:
  kind: openai
  base_url: http://127.0.0.1:{port}/v1
  model: scale-bench
  max_tokens: 128
  timeout_s: 120
  max_retries: 2
generation:
  max_attempts: 3
  ladder:
    - {{kind: sample, temperature: 0.2}}
    - {{kind: repair, temperature: 0.8}}
execution:
  max_workers: {workers}
validation:
  warm_python: {"true" if warm_python else "false"}
"""


def cpu_seconds(pid: int) -> float:
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_case(
    atomforge: str, atoms: int, workers: int, median: float, warm_python: bool, work: pathlib.Path
) -> dict[str, float]:
    case = work / f"{atoms}-{workers}-{warm_python}"
    case.mkdir()
    plan, dependencies = plan_for(atoms)
    (case / "plan.yaml").write_text(plan)
    log = case / "calls.jsonl"
    server = subprocess.Popen(
        [sys.executable, str(SERVER), "--port", "0", "--log", str(log), "--median-s", str(median)],
        stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline().split()[1])
    (case / "pipeline.yaml").write_text(config_for(port, workers, warm_python))
    server_cpu_before = cpu_seconds(server.pid)
    meter = benchlib.CPUMeter(f"{atoms}-{workers}")
    started = time.monotonic()
    process = subprocess.Popen(
        [atomforge, "run", str(case / "plan.yaml"), "--config", str(case / "pipeline.yaml"),
         "--outbox", str(case / "outbox"), "--log-level", "warning"],
        stdout=open(case / "run.log", "w"), stderr=subprocess.STDOUT, preexec_fn=meter.preexec)
    own_cpu = peak_kib = 0.0
    while process.poll() is None:
        try:
            own_cpu = cpu_seconds(process.pid)
            for line in pathlib.Path(f"/proc/{process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kib = max(peak_kib, float(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
        time.sleep(0.1)
    makespan = time.monotonic() - started
    total_cpu = meter.seconds()
    meter.close()
    server_cpu = cpu_seconds(server.pid) - server_cpu_before
    server.terminate()
    server.wait()
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    figures = summarize(case, calls, dependencies, workers, makespan, own_cpu, peak_kib, server_cpu)
    # The machine's busy time includes the server's; a cgroup does not.
    figures["cpu_per_atom"] = (total_cpu - (server_cpu if meter.kind == "machine" else 0)) / atoms
    figures["cpu_meter"] = meter.kind
    return figures


def summarize(case, calls, dependencies, workers, makespan, own_cpu, peak_kib, server_cpu):
    model_time: dict[str, float] = {}
    first_request: dict[str, float] = {}
    last_reply: dict[str, float] = {}
    for call in calls:
        model_time[call["atom"]] = model_time.get(call["atom"], 0) + call["replied"] - call["arrived"]
        first_request[call["atom"]] = min(first_request.get(call["atom"], call["arrived"]), call["arrived"])
        last_reply[call["atom"]] = max(last_reply.get(call["atom"], 0), call["replied"])
    chain: dict[str, float] = {}
    for name in dependencies:  # in plan order, which is a topological order
        chain[name] = model_time.get(name, 0) + max((chain[d] for d in dependencies[name]), default=0)
    total = sum(model_time.values())
    bound = max(max(chain.values()), total / workers)
    handoffs = sorted(
        first_request[name] - max(last_reply[d] for d in deps)
        for name, deps in dependencies.items() if deps and name in first_request)
    summary = json.loads(next((case / "outbox").glob("*/summary.json")).read_text())
    validated = sum(atom["attempts"] for atom in summary["atoms"])
    atoms = len(dependencies)
    return {
        "makespan": makespan, "bound": bound, "ratio": makespan / bound, "busy": total / (workers * makespan),
        "validations_per_s": validated / makespan, "handoff_p50": statistics.median(handoffs) if handoffs else 0,
        "handoff_p90": handoffs[int(len(handoffs) * 0.9)] if handoffs else 0,
        "own_cpu_per_atom": own_cpu / atoms, "peak_mb": peak_kib / 1024, "server_cpu": server_cpu / makespan,
        "passed": summary["counts"]["passed"], "atoms": atoms, "calls": len(calls), "attempts": validated,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--atomforge", required=True)
    parser.add_argument("--cases", default="800:20:1.0,2000:200:0.5",
                        help="atoms:workers:median_s, comma-separated")
    parser.add_argument("--write", help="BENCHMARKS.md, to write the scale section into")
    parser.add_argument("--parsers", default="warm,cold",
                        help="warm (validation.warm_python: true), cold (false), or both: each case runs with each")
    parser.add_argument("--warm-cases", default="10000:200:0.5",
                        help="cases run warm only (the memory target's size), after the others; empty for none")
    args = parser.parse_args()
    rows = []
    runs = [(s, p) for s in args.cases.split(",") if s for p in args.parsers.split(",")]
    runs += [(s, "warm") for s in args.warm_cases.split(",") if s]
    with tempfile.TemporaryDirectory() as folder:
        work = pathlib.Path(folder)
        for spec, parser_mode in runs:
            atoms, workers, median = spec.split(":")
            figures = run_case(
                args.atomforge, int(atoms), int(workers), float(median), parser_mode == "warm", work)
            name = f"{atoms}_w{workers}_{median}s_{parser_mode}"
            rows.append((name, figures))
            for key, unit, scale in [
                ("ratio", "x_bound", 1), ("makespan", "s", 1), ("bound", "s", 1), ("busy", "%", 100),
                ("validations_per_s", "attempts/s", 1), ("handoff_p50", "ms", 1000), ("handoff_p90", "ms", 1000),
                ("cpu_per_atom", "ms", 1000), ("own_cpu_per_atom", "ms", 1000), ("peak_mb", "MB", 1),
                ("server_cpu", "%", 100),
            ]:
                print(f"scale_{key}_{name} {figures[key] * scale:.3f} {unit}", flush=True)
            print(f"scale_passed_{name} {figures['passed']}/{figures['atoms']} atoms "
                  f"({figures['calls']} calls, {figures['attempts']} attempts)", flush=True)
    if args.write:
        write(pathlib.Path(args.write), rows)


def write(path: pathlib.Path, rows) -> None:
    lines = [
        "## Scale through the real path: `atomforge run` against a model server with latency", "",
        f"Machine: {benchlib.machine()}.  ",
        "Command: `scripts/bench --scale` (the release binary; `benchmarks/scale/model_server.py` answers the "
        "OpenAI-compatible API after a lognormal latency, σ 0.5, and makes the first call of 15 % of the atoms fail "
        "its tests; the validators are the real ones in the sandbox; the outbox is real). The in-process figures "
        "above (`makespan_ratio_*`) use a simulated model and a validator that runs nothing; these do not.", "",
        "Each case runs with warm Python (`validation.warm_python: true`, the default: parsing in a long-lived "
        "sandboxed `python3`, each test run forked in namespaces of its own) and with a fresh sandbox and `python3` per "
        "check (`false`), one after the other in the same run (the 10,000-atom case, for memory, warm only). The "
        "model-time bound is max(longest dependency chain "
        "of model time, total model time ÷ workers), from the server's log of every call; CPU is that of a cgroup "
        "holding `atomforge` and everything it ran (the server is outside it).", "",
        "| case (atoms, workers, median latency, Python) | makespan ÷ bound | makespan | bound | model slots busy "
        "| attempts validated/s | dependency reply → dependent request p50 / p90 | CPU per atom (all / atomforge) "
        "| atomforge peak memory | server CPU | passed |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, f in rows:
        lines.append(
            f"| {name} | {f['ratio']:.2f}× | {f['makespan']:.1f} s | {f['bound']:.1f} s | {f['busy'] * 100:.0f} % "
            f"| {f['validations_per_s']:.1f} | {f['handoff_p50'] * 1000:.0f} / {f['handoff_p90'] * 1000:.0f} ms "
            f"| {f['cpu_per_atom'] * 1000:.1f} / {f['own_cpu_per_atom'] * 1000:.1f} ms | {f['peak_mb']:.0f} MB "
            f"| {f['server_cpu'] * 100:.0f} % | {f['passed']}/{f['atoms']} |")
    benchlib.write_section(path, "\n".join(lines), "scale")


if __name__ == "__main__":
    main()
