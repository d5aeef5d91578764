#!/usr/bin/env python3
"""The daemon's memory after a burst of plans: `atomforge watch` on an inbox into which N one-atom plans are dropped
at once, against a model server on loopback that answers every request at once with the same code. Samples the
daemon's resident memory while it works (peak) and once every plan has its summary.json and the daemon has been
idle for a while (idle): memory a burst took must be given back."""
from __future__ import annotations

import argparse
import http.server
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import benchlib  # noqa: E402

REPLY = "```python\ndef one():\n    return 1\n```"


class Model(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = json.dumps({
            "id": "x", "object": "chat.completion", "model": "m",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": REPLY}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *arguments):
        pass


def rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--atomforge", required=True)
    parser.add_argument("--plans", type=int, default=5000)
    parser.add_argument("--idle-s", type=float, default=30)
    parser.add_argument("--write")
    options = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Model)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    folder = pathlib.Path(tempfile.mkdtemp(prefix="atomforge-memory-"))
    try:
        (folder / "inbox").mkdir()
        (folder / "staging").mkdir()
        (folder / "pipeline.yaml").write_text(
            f"provider:\n  base_url: http://127.0.0.1:{server.server_address[1]}/v1\n  max_retries: 0\n"
            "evidence: {agreement: {candidates: 0}}\n")
        daemon = subprocess.Popen([options.atomforge, "watch", "--config", "pipeline.yaml"], cwd=folder,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(2)
        before = rss_mb(daemon.pid)
        for index in range(options.plans):
            staged = folder / "staging" / f"p{index}.yaml"
            staged.write_text(f"plan: p{index}\nlanguage: python\natoms:\n  - {{id: one, name: one, description: d}}\n")
            os.rename(staged, folder / "inbox" / staged.name)
        started, peak, done = time.monotonic(), before, 0
        while done < options.plans:
            time.sleep(1)
            peak = max(peak, rss_mb(daemon.pid))
            done = sum(1 for entry in os.scandir(folder / "outbox")
                       if entry.name.startswith("p") and os.path.exists(os.path.join(entry.path, "summary.json")))
            if time.monotonic() - started > 3600:
                raise SystemExit(f"only {done} of {options.plans} plans finished within an hour")
        wall = time.monotonic() - started
        time.sleep(options.idle_s)
        idle = rss_mb(daemon.pid)
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)
    finally:
        server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
    rows = [("daemon_rss_before", before, "MB"), ("daemon_rss_peak", peak, "MB"),
            (f"daemon_rss_idle_after_{options.plans}_plans", idle, "MB"),
            (f"daemon_wall_{options.plans}_plans", wall, "s")]
    for name, value, unit in rows:
        print(f"{name} {value:.1f} {unit}", flush=True)
    if options.write:
        text = ["## Daemon memory after a burst of plans", "",
                f"Machine: {benchlib.machine()}.  ",
                f"Command: `scripts/bench --daemon-memory` — `atomforge watch` (release build) with {options.plans} "
                "one-atom plans dropped into its inbox at once, against a model server on loopback that answers at "
                "once; the daemon's resident memory before, at its peak, and after every plan finished and "
                f"{options.idle_s:g} s idle.", "", "| figure | value | unit |", "|---|---|---|"]
        text += [f"| `{name}` | {value:.1f} | {unit} |" for name, value, unit in rows]
        benchlib.write_section(pathlib.Path(options.write), "\n".join(text), "daemon-memory")


if __name__ == "__main__":
    main()
