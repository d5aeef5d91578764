#!/usr/bin/env python3
"""The managed model server's tokens per second on a busy machine: alone, beside as many CPU-bound processes as the
machine has cores at the server's own priority, and beside the same processes at `validation.nice` (what AtomForge
gives its validators). Each figure is the median of a few generations of a fixed prompt at temperature 0, the
server started as `pipeline.yaml` starts it (its own port). All three in one run."""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time
import urllib.request

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import benchlib  # noqa: E402

ROOT = benchlib.ROOT
PORT = 8097
HOG = "while True: pass"


def generate(tokens: int) -> float:
    body = json.dumps({"prompt": "def fibonacci(n):", "n_predict": tokens, "temperature": 0,
                       "cache_prompt": False}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}/completion", body,
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as answer:
        return json.load(answer)["timings"]["predicted_per_second"]


def measure(hogs: int, nice: int, repeats: int, tokens: int) -> float:
    started = [subprocess.Popen(["nice", "-n", str(nice), sys.executable, "-c", HOG]) for _ in range(hogs)]
    try:
        time.sleep(0.5)
        return statistics.median(generate(tokens) for _ in range(repeats))
    finally:
        for hog in started:
            hog.kill()
            hog.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=96)
    parser.add_argument("--write", help="BENCHMARKS.md to write the section into")
    options = parser.parse_args()
    config = yaml.safe_load((ROOT / "pipeline.yaml").read_text())
    server = config["server"]
    nice = int(config.get("validation", {}).get("nice", 10))
    arguments = [str(a).replace("{port}", str(PORT)) for a in server["arguments"]]
    arguments = [str(ROOT / a) if (ROOT / a).exists() else a for a in arguments]
    log = open(os.devnull, "w")
    process = subprocess.Popen([str(ROOT / server["command"])] + arguments, stdout=log, stderr=log)
    try:
        for _ in range(600):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            time.sleep(0.2)
        generate(8)  # warm
        cores = os.cpu_count() or 1
        rows = [
            ("server_alone", measure(0, 0, options.repeats, options.tokens)),
            (f"server_beside_{cores}_hogs_nice_0", measure(cores, 0, options.repeats, options.tokens)),
            (f"server_beside_{cores}_hogs_nice_{nice}", measure(cores, nice, options.repeats, options.tokens)),
        ]
    finally:
        process.terminate()
        process.wait()
    for name, value in rows:
        print(f"{name} {value:.1f} tokens/s", flush=True)
    if options.write:
        text = ["## Model server on a busy machine", "",
                f"Machine: {benchlib.machine()}.  ",
                "Command: `scripts/bench --server-priority` — the managed model server as `pipeline.yaml` starts it, "
                f"generating {options.tokens} tokens at temperature 0 (median of {options.repeats}): alone, beside "
                f"{cores} CPU-bound processes at its own priority, and beside them at `validation.nice` ({nice}), "
                "the niceness AtomForge gives every validator run. All three in one run.", "",
                "| figure | value | unit |", "|---|---|---|"]
        text += [f"| `{name}` | {value:.1f} | tokens/s |" for name, value in rows]
        benchlib.write_section(pathlib.Path(options.write), "\n".join(text), "server-priority")


if __name__ == "__main__":
    main()
