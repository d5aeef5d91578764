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


class CPUMeter:
    """CPU time of a process and of everything it starts, sandboxed children included: a cgroup (v1 cpuacct or v2)
    of its own when this user may make one, else the whole machine's busy time (/proc/stat) during the run.
    getrusage cannot be used: bubblewrap's init in a PID namespace of its own is not reaped by its parent, and the
    CPU of what ran inside is lost to RUSAGE_CHILDREN."""

    def __init__(self, name: str) -> None:
        self.group = None
        for root in ("/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup"):
            usage = "cpuacct.usage" if root.endswith("cpuacct") else "cpu.stat"
            folder = pathlib.Path(root) / f"atomforge-bench-{name}-{os.getpid()}"
            try:
                folder.mkdir()
            except OSError:
                continue
            if (folder / usage).exists():
                self.group, self.usage = folder, folder / usage
                break
            folder.rmdir()
        self.kind = "cgroup" if self.group else "machine"
        self.start = self.read()

    def preexec(self) -> None:
        """In the child, before exec: join the cgroup."""
        if self.group:
            (self.group / "cgroup.procs").write_text(str(os.getpid()))

    def read(self) -> float:
        if self.group:
            text = self.usage.read_text()
            if self.usage.name == "cpuacct.usage":
                return int(text) / 1e9
            return int(next(l.split()[1] for l in text.splitlines() if l.startswith("usage_usec"))) / 1e6
        fields = [int(v) for v in open("/proc/stat").readline().split()[1:]]
        busy = sum(fields[:3]) + sum(fields[5:8])  # user nice system, irq softirq steal
        return busy / os.sysconf("SC_CLK_TCK")

    def seconds(self) -> float:
        return self.read() - self.start

    def close(self) -> None:
        if self.group:
            try:
                self.group.rmdir()
            except OSError:
                pass
