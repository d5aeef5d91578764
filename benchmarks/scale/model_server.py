#!/usr/bin/env python3
"""An OpenAI-compatible Chat Completions server for the scale benchmark (standard library only).

Each request names its atom (the prompt's "defines `name`"); the reply is that atom's code after a latency drawn from
a lognormal distribution (median --median-s, shape --sigma). The first call of a --fail-share of the atoms (chosen by a
hash of the name, so both sides of a comparison see the same ones) returns code that fails its tests; every later
call returns the right code. The code is `def name(x): return x + K` with K from the name, as in the plans
plan_for() writes.

Every call is logged as a JSON line in --log: atom, arrival and reply times (time.monotonic() of this process,
seconds), the latency it was given. SIGTERM ends it.

    python3 benchmarks/scale/model_server.py --port 0 --log calls.jsonl --median-s 0.5
prints "READY <port>" once listening.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import random
import re
import signal
import sys
import time

NAME = re.compile(r"defines `([A-Za-z_][A-Za-z0-9_]*)`")


def constant(name: str) -> int:
    return int(hashlib.sha256(name.encode()).hexdigest()[:4], 16) % 97


def fails_first(name: str, share: float) -> bool:
    return int(hashlib.sha256(b"fail:" + name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share


class Server:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.calls: dict[str, int] = {}
        self.random = random.Random(args.seed)
        self.log = open(args.log, "w", buffering=1)

    def latency(self) -> float:
        return self.args.median_s * math.exp(self.random.gauss(0, self.args.sigma))

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                arrived = time.monotonic()
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    key, _, value = line.partition(b":")
                    if key.strip().lower() == b"content-length":
                        length = int(value.strip())
                body = await reader.readexactly(length) if length else b""
                text = body.decode(errors="replace")
                match = NAME.search(text)
                name = match.group(1) if match else "unknown"
                call = self.calls.get(name, 0) + 1
                self.calls[name] = call
                delay = self.latency()
                await asyncio.sleep(delay)
                k = constant(name) + (1 if call == 1 and fails_first(name, self.args.fail_share) else 0)
                code = f"def {name}(x):\n    return x + {k}\n"
                reply = {
                    "id": f"c{call}", "object": "chat.completion", "created": 0, "model": "scale-bench",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": f"```python\n{code}```"}}],
                    "usage": {"prompt_tokens": len(text) // 4, "completion_tokens": 12,
                              "total_tokens": len(text) // 4 + 12},
                }
                payload = json.dumps(reply).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                             + str(len(payload)).encode() + b"\r\n\r\n" + payload)
                await writer.drain()
                self.log.write(json.dumps({"atom": name, "call": call, "arrived": arrived,
                                           "replied": time.monotonic(), "latency": delay}) + "\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", required=True)
    parser.add_argument("--median-s", type=float, default=1.0)
    parser.add_argument("--sigma", type=float, default=0.5)
    parser.add_argument("--fail-share", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    server = Server(args)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", args.port, backlog=1024)
    print(f"READY {listener.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with listener:
        await stop.wait()
    server.log.close()


if __name__ == "__main__":
    asyncio.run(main())
