#!/usr/bin/env python3
"""The start-up of a large run: `atomforge run` on a generated plan of N atoms (up to three dependencies on the 50
atoms before each, 50 atoms a file), timed from the process's start to its first `atom_started` event. The
provider is a closed port, so the run then stops as an outage: only the start-up is measured."""
from __future__ import annotations

import argparse
import pathlib
import random
import shutil
import subprocess
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--atomforge", required=True)
    parser.add_argument("--atoms", type=int, default=10000)
    options = parser.parse_args()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="atomforge-startup-"))
    try:
        rng = random.Random(1)
        lines = ["plan: big", "language: python", "atoms:"]
        for index in range(options.atoms):
            earlier = range(max(0, index - 50), index)
            depends = ", ".join(f"a{j}" for j in rng.sample(earlier, min(len(earlier), 3)))
            lines.append(f"  - {{id: a{index}, name: f{index}, description: \"Returns {index}.\", "
                         f"file: m{index // 50}.py, depends_on: [{depends}]}}")
        (folder / "big.yaml").write_text("\n".join(lines) + "\n")
        (folder / "pipeline.yaml").write_text("provider:\n  base_url: http://127.0.0.1:9/v1\n  max_retries: 0\n")
        started = time.monotonic()
        process = subprocess.Popen([options.atomforge, "run", "big.yaml", "--output-format", "stream-json"],
                                   cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        first = None
        for line in process.stdout:
            if first is None and '"atom_started"' in line:
                first = time.monotonic() - started
        process.wait()
        print(f"run_startup_{options.atoms}_atoms_to_first_atom {first:.2f} s", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
