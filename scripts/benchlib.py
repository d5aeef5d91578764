"""What the quality benchmarks share: the machine line, a config pointed at the repository, and the section of
BENCHMARKS.md between a benchmark's markers."""
from __future__ import annotations

import os
import pathlib
import platform
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def machine() -> str:
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    memory = next((int(l.split()[1]) // 1024 // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} cores ({cpu}), {memory} GiB, {platform.platform()}"


def pointed_at_repository(config: str) -> str:
    """pipeline.yaml text with the model server's paths (relative to the config's folder) pointed at the repository,
    and the inbox and outbox kept beside the copy."""
    config = re.sub(r"(\.\./)*\.local/", str(ROOT / ".local") + "/", config)
    return re.sub(r"(\.\./)+(inbox|outbox)\b", r"\2", config)


def write_section(path: pathlib.Path, text: str, name: str) -> None:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    current = path.read_text() if path.exists() else "# Benchmarks\n"
    section = f"{begin}\n{text}\n{end}"
    if begin in current:
        current = current[:current.index(begin)] + section + current[current.index(end) + len(end):]
    else:
        current = current.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(current)
