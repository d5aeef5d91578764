#!/usr/bin/env python3
"""Scripted LLM API test server (standard library only, Python 3.11+).

Speaks just enough of the Anthropic Messages API (POST /v1/messages) and the
OpenAI Chat Completions API (POST /v1/chat/completions) for client tests, and
lets each test script failures that a real or off-the-shelf server cannot
produce on demand.

Start:
    python3 Tests/Servers/scripted_server.py --port 0 [--host 127.0.0.1]
Once listening it prints exactly one line, "READY <port>", to stdout.
SIGTERM or SIGINT stops it cleanly (exit status 0).

Default behaviour (echo): reply with the text of the last user message.
Token counts: input = whitespace-separated words in all messages + system,
output = words in the reply (at least 1).

Control endpoints:
    POST /_script   {"steps": [STEP, ...], "match": "SUBSTRING"}  (match optional)
    POST /_reset    clear every queue and the request log
    GET  /_requests {"requests": [{"path", "headers", "body", "time", "step"}, ...]}
    GET  /health    {"status": "ok"}

Each API request consumes one step. A request whose last user message contains
the "match" of one or more queues takes its step from the first non-empty such
queue (in creation order) and never falls through to the unmatched queue; any
other request takes its step from the unmatched queue. No step means echo.

STEP kinds (JSON objects); every kind also accepts "delay_ms" (sleep before
answering) and "headers" (extra response headers):
    {"reply": "TEXT", "stop": "max_tokens", "input_tokens": N, "output_tokens": M}
                                             (Anthropic also "cache_read": N, "cache_write": M)
    {"status": 429, "error_type": "rate_limit_error", "message": "...",
     "headers": {"retry-after": "1"}}        HTTP error in the API's own shape
    {"malformed": true}                      200 with a truncated, non-JSON body
    {"close_mid_reply": true}                announce 500 bytes, send ~50, close
    {"hang_ms": N}                           sleep N ms, then the echo reply
    {"echo": true}                           explicit default behaviour
"""
from __future__ import annotations

import argparse
import json
import signal
import socket
import sys
import threading
import time
import uuid
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ANTHROPIC_PATH = "/v1/messages"
OPENAI_PATH = "/v1/chat/completions"
STEP_KINDS = ("reply", "status", "malformed", "close_mid_reply", "hang_ms", "echo")

# Error "type" used when a status step names none (Anthropic's names).
DEFAULT_ERROR_TYPES = {
    400: "invalid_request_error", 401: "authentication_error",
    403: "permission_error", 404: "not_found_error", 413: "request_too_large",
    429: "rate_limit_error", 500: "api_error", 504: "timeout_error",
    529: "overloaded_error",
}
# Anthropic stop_reason -> OpenAI finish_reason, and OpenAI spellings back.
FINISH_REASONS = {"end_turn": "stop", "max_tokens": "length",
                  "stop_sequence": "stop", "tool_use": "tool_calls"}
STOP_REASONS = {"stop": "end_turn", "length": "max_tokens"}
# Reason phrases http.server does not know.
EXTRA_REASONS = {529: "Overloaded"}
# Body for {"malformed": true}: starts like JSON, but is cut short.
MALFORMED_BODY = b'{"id": "trunc'
# Body prefix for {"close_mid_reply": true}, 50 bytes of an announced 500.
PARTIAL_BODY = b'{"id": "msg_partial", "type": "message", "content":'
PARTIAL_LENGTH = 500


# --- Request-content helpers -----------------------------------------------

def content_text(content: Any) -> str:
    """Text of a message content: a string or a list of text blocks/parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            part["text"] for part in content
            if isinstance(part, dict) and part.get("type", "text") == "text"
            and isinstance(part.get("text"), str))
    return ""


def message_list(body: dict[str, Any]) -> list[dict[str, Any]]:
    messages = body.get("messages")
    if not isinstance(messages, list):
        return []
    return [m for m in messages if isinstance(m, dict)]


def last_user_text(body: dict[str, Any]) -> str:
    for message in reversed(message_list(body)):
        if message.get("role") == "user":
            return content_text(message.get("content"))
    return ""


def input_words(body: dict[str, Any]) -> int:
    texts = [content_text(m.get("content")) for m in message_list(body)]
    texts.append(content_text(body.get("system")))
    return sum(len(text.split()) for text in texts)


def validate_step(step: Any) -> None:
    """Raise ValueError unless step is an object with a known kind."""
    if not isinstance(step, dict) or not any(k in step for k in STEP_KINDS):
        raise ValueError(f"step must be an object with one of {STEP_KINDS}: {step!r}")
    if "status" in step and not (isinstance(step["status"], int)
                                 and 100 <= step["status"] <= 599):
        raise ValueError(f"status must be an integer 100-599: {step!r}")
    if not isinstance(step.get("headers", {}), dict):
        raise ValueError(f"headers must be an object: {step!r}")


# --- Shared state: step queues and the request log, behind one lock --------

class Script:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.matched: dict[str, deque[dict[str, Any]]] = {}  # insertion-ordered
        self.unmatched: deque[dict[str, Any]] = deque()
        self.log: list[dict[str, Any]] = []

    def add(self, steps: list[dict[str, Any]], match: str | None) -> None:
        with self.lock:
            queue = self.unmatched if match is None else self.matched.setdefault(match, deque())
            queue.extend(steps)

    def reset(self) -> None:
        with self.lock:
            self.matched.clear()
            self.unmatched.clear()
            self.log.clear()

    def take(self, path: str, headers: dict[str, str], body: Any,
             user_text: str | None) -> dict[str, Any] | None:
        """Log a request and pop its step (None: echo). user_text None: no step."""
        with self.lock:
            step = None
            if user_text is not None:
                queues = [q for m, q in self.matched.items() if m in user_text]
                if not queues:
                    queues = [self.unmatched]
                step = next((q.popleft() for q in queues if q), None)
            self.log.append({"path": path, "headers": headers, "body": body,
                             "time": time.time(), "step": step})
            return step

    def requests(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.log)


# --- HTTP handling ---------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every response has Content-Length
    # Headers and body go out as separate writes; without TCP_NODELAY, Nagle and delayed ACKs add 40 ms to each reply.
    disable_nagle_algorithm = True
    server_version = "ScriptedLLMServer/1.0"
    script: Script  # set by main()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no per-request noise

    def do_GET(self) -> None:
        self.route()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    # -- plumbing ----------------------------------------------------------

    def read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()  # CRLF after each chunk
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailer fields
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def send_body(self, status: int, data: bytes, headers: dict[str, Any] | None = None,
                  length: int | None = None) -> None:
        self.send_response(status, EXTRA_REASONS.get(status))
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data) if length is None else length))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, status: int, obj: Any, headers: dict[str, Any] | None = None) -> None:
        self.send_body(status, json.dumps(obj).encode(), headers)

    def send_api_error(self, anthropic: bool, status: int, error_type: str,
                       message: str, headers: dict[str, Any] | None = None) -> None:
        if anthropic:
            body: dict[str, Any] = {"type": "error",
                                    "error": {"type": error_type, "message": message}}
        else:
            body = {"error": {"message": message, "type": error_type, "code": None}}
        self.send_json(status, body, headers)

    # -- routing -----------------------------------------------------------

    def route(self) -> None:
        path = self.path.split("?", 1)[0]
        raw = self.read_body()  # always drain, so keep-alive stays in sync
        route = (self.command, path)
        if route == ("GET", "/health"):
            self.send_json(200, {"status": "ok"})
        elif route == ("GET", "/_requests"):
            self.send_json(200, {"requests": self.script.requests()})
        elif route == ("POST", "/_reset"):
            self.script.reset()
            self.send_json(200, {"ok": True})
        elif route == ("POST", "/_script"):
            self.handle_script(raw)
        elif self.command == "POST" and path in (ANTHROPIC_PATH, OPENAI_PATH):
            self.handle_api(path, raw)
        else:
            self.send_api_error(False, 404, "invalid_request_error",
                                f"Invalid URL ({self.command} {path})")

    def handle_script(self, raw: bytes) -> None:
        try:
            spec = json.loads(raw or b"{}")
            steps, match = spec["steps"], spec.get("match") or None
            if not isinstance(steps, list):
                raise ValueError("steps must be a list")
            if match is not None and not isinstance(match, str):
                raise ValueError("match must be a string")
            for step in steps:
                validate_step(step)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self.send_json(400, {"error": f"bad script: {exc}"})
            return
        self.script.add(steps, match)
        self.send_json(200, {"ok": True, "queued": len(steps)})

    def handle_api(self, path: str, raw: bytes) -> None:
        anthropic = path == ANTHROPIC_PATH
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            body = json.loads(raw)
            if not isinstance(body, dict):
                raise ValueError("request body must be a JSON object")
        except ValueError as exc:  # includes JSONDecodeError, UnicodeDecodeError
            self.script.take(path, headers, raw.decode("utf-8", "replace"), None)
            self.send_api_error(anthropic, 400, "invalid_request_error",
                                f"Request body is not valid JSON: {exc}")
            return
        step = self.script.take(path, headers, body, last_user_text(body))
        self.apply(anthropic, body, step or {})

    # -- step execution ----------------------------------------------------

    def apply(self, anthropic: bool, body: dict[str, Any], step: dict[str, Any]) -> None:
        delay_ms = float(step.get("delay_ms", 0)) + float(step.get("hang_ms", 0))
        if delay_ms > 0:
            time.sleep(delay_ms / 1000)
        headers = step.get("headers") or {}
        if step.get("close_mid_reply"):
            self.close_mid_reply(headers)
        elif step.get("malformed"):
            self.send_body(200, MALFORMED_BODY, headers)
        elif "status" in step:
            status = step["status"]
            error_type = step.get("error_type") or DEFAULT_ERROR_TYPES.get(status, "api_error")
            message = step.get("message") or f"Scripted error with status {status}"
            self.send_api_error(anthropic, status, error_type, message, headers)
        else:
            self.send_json(200, self.success_body(anthropic, body, step), headers)

    def close_mid_reply(self, headers: dict[str, Any]) -> None:
        """Announce PARTIAL_LENGTH bytes, send a few, then drop the connection."""
        self.send_body(200, PARTIAL_BODY, headers, length=PARTIAL_LENGTH)
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.connection.close()

    def success_body(self, anthropic: bool, body: dict[str, Any],
                     step: dict[str, Any]) -> dict[str, Any]:
        text = str(step["reply"]) if "reply" in step else last_user_text(body)
        stop = str(step.get("stop") or "end_turn")
        stop = STOP_REASONS.get(stop, stop)
        n_in = int(step.get("input_tokens", input_words(body)))
        n_out = int(step.get("output_tokens", max(1, len(text.split()))))
        model = body.get("model", "")
        if anthropic:
            return {
                "id": "msg_" + uuid.uuid4().hex[:24], "type": "message",
                "role": "assistant", "model": model,
                "content": [{"type": "text", "text": text}],
                "stop_reason": stop, "stop_sequence": None,
                "usage": {"input_tokens": n_in, "output_tokens": n_out,
                          "cache_read_input_tokens": int(step.get("cache_read", 0)),
                          "cache_creation_input_tokens": int(step.get("cache_write", 0))},
            }
        return {
            "id": "chatcmpl-" + uuid.uuid4().hex[:24], "object": "chat.completion",
            "created": int(time.time()), "model": model,
            "choices": [{"index": 0,
                         "message": {"role": "assistant", "content": text},
                         "finish_reason": FINISH_REASONS.get(stop, stop)}],
            "usage": {"prompt_tokens": n_in, "completion_tokens": n_out,
                      "total_tokens": n_in + n_out},
        }


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default of 5 makes bursts of clients time out
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout, reset) is expected in tests: stay quiet.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scripted Anthropic/OpenAI test server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args(argv)

    Handler.script = Script()
    if ":" in args.host:
        Server.address_family = socket.AF_INET6
    server = Server((args.host, args.port), Handler)

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # unwinds serve_forever in the main thread

    # Install both explicitly: a shell starts background jobs with SIGINT ignored.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"READY {server.server_address[1]}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
