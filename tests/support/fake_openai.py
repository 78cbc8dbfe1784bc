"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions API.

Tests and benchmarks point litellm at it (``api_base``) so that litellm's and
the OpenAI SDK's real request, retry and parsing code runs, while the answers
and the faults (429, 5xx, slow answers, resets, malformed JSON, truncated
streams, empty content) are scripted per model.
"""

from __future__ import annotations

import json
import socket
import struct
import sys
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    """One scripted answer; the constructors below name the faults."""

    content: str | None = "ok"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    raw_body: bytes | None = None
    delay_s: float = 0.0
    fault: str | None = None  # "reset" | "truncate"
    prompt_tokens: int = 12
    completion_tokens: int = 5

    @classmethod
    def text(cls, content: str, **kwargs: Any) -> Reply:
        return cls(content=content, **kwargs)

    @classmethod
    def json(cls, payload: Any, **kwargs: Any) -> Reply:
        return cls(content=json.dumps(payload), **kwargs)

    @classmethod
    def error(cls, status: int, message: str = "scripted error", retry_after: float | None = None) -> Reply:
        headers = (("Retry-After", f"{retry_after:g}"),) if retry_after is not None else ()
        body = json.dumps({"error": {"message": message, "type": "scripted", "code": status}})
        return cls(content=None, status=status, headers=headers, raw_body=body.encode())

    @classmethod
    def slow(cls, delay_s: float, content: str = "ok") -> Reply:
        return cls(content=content, delay_s=delay_s)

    @classmethod
    def reset(cls) -> Reply:
        return cls(fault="reset")

    @classmethod
    def malformed(cls) -> Reply:
        """A 200 whose JSON (or, when streaming, whose first event's JSON) is cut off."""
        return cls(fault="malformed")

    @classmethod
    def truncated(cls, content: str = "this answer never ends") -> Reply:
        return cls(content=content, fault="truncate")

    @classmethod
    def empty(cls) -> Reply:
        return cls(content="")


ReplySource = Reply | Callable[[dict[str, Any]], Reply]


@dataclass
class RecordedRequest:
    path: str
    headers: dict[str, str]
    """Header names lower-cased: HTTP names are case-insensitive and clients differ in how they send them."""
    body: dict[str, Any]

    @property
    def model(self) -> str:
        return str(self.body.get("model", ""))


@dataclass
class FakeOpenAI:
    """Scripted per model; a model with nothing scripted gets ``default``."""

    default: ReplySource = field(default_factory=lambda: Reply.text("ok"))
    requests: list[RecordedRequest] = field(default_factory=list)
    _scripts: dict[str, deque[ReplySource]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _server: ThreadingHTTPServer | None = None

    def script(self, model: str, *replies: ReplySource) -> None:
        with self._lock:
            self._scripts[model].extend(replies)

    def requests_for(self, model: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.model == model]

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def next_reply(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            queue = self._scripts.get(str(body.get("model", "")))
            source = queue.popleft() if queue else self.default
        return source(body) if callable(source) else source

    def start(self) -> FakeOpenAI:
        self._server = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def wait(self, seconds: float) -> None:
        """Sleep that ends early when the server stops, so slow replies never hang teardown."""
        self._stopping.wait(seconds)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that resets or abandons a connection (faults are our business here) is not news.
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in separate writes; without this, Nagle's algorithm and the client's
        # delayed ACK add 40 ms to every answer and swamp any latency measurement.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            return

        def do_GET(self) -> None:
            self._send_json(200, {"object": "list", "data": []})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._send_json(400, {"error": {"message": "request body is not JSON"}})
                return
            with fake._lock:
                headers = {name.lower(): value for name, value in self.headers.items()}
                fake.requests.append(RecordedRequest(self.path, headers, body))
            reply = fake.next_reply(body)
            if reply.delay_s:
                fake.wait(reply.delay_s)
            try:
                self._answer(body, reply)
            except (BrokenPipeError, ConnectionResetError):
                # The client gave up (its timeout fired first); nothing is left to tell it.
                self.close_connection = True

        def _answer(self, body: dict[str, Any], reply: Reply) -> None:
            if reply.fault == "reset":
                self._reset()
            elif reply.raw_body is not None:
                self._send_raw(reply.status, reply.raw_body, reply.headers)
            elif reply.fault == "malformed" and not body.get("stream"):
                self._send_raw(200, b'{"id": "x", "choices": [{"message": {"content": "unterminated')
            elif body.get("stream"):
                self._stream(body, reply)
            elif reply.fault == "truncate":
                data = json.dumps(_completion(body, reply)).encode()
                self.send_response(reply.status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self._reset()
            else:
                self._send_json(reply.status, _completion(body, reply), reply.headers)

        def _reset(self) -> None:
            # SO_LINGER with a zero timeout makes close() send RST: a real "connection reset by peer".
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True

        def _send_json(self, status: int, payload: Any, headers: tuple[tuple[str, str], ...] = ()) -> None:
            self._send_raw(status, json.dumps(payload).encode(), headers)

        def _send_raw(self, status: int, data: bytes, headers: tuple[tuple[str, str], ...] = ()) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _stream(self, body: dict[str, Any], reply: Reply) -> None:
            self.send_response(reply.status)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            events = list(_stream_events(body, reply))
            if reply.fault == "malformed":
                events = [
                    b'data: {"id": "x", "choices": [{"delta": {"content": "unterm\n\n',
                    b"data: [DONE]\n\n",
                ]
            if reply.fault == "truncate":
                # Half of the events, then the socket closes mid-body with no terminating chunk.
                for event in events[: max(1, len(events) // 2)]:
                    self._chunk(event)
                self.wfile.flush()
                self._reset()
                return
            for event in events:
                self._chunk(event)
            self.wfile.write(b"0\r\n\r\n")

        def _chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    return Handler


def _usage(reply: Reply) -> dict[str, int]:
    return {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
    }


def _completion(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "unknown"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content},
                "finish_reason": "stop",
            }
        ],
        "usage": _usage(reply),
    }


def _stream_events(body: dict[str, Any], reply: Reply) -> Iterator[bytes]:
    model = body.get("model", "unknown")
    base = {
        "id": f"chatcmpl-{time.monotonic_ns()}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
    }
    text = reply.content or ""
    pieces = [text[i : i + 8] for i in range(0, len(text), 8)] or [""]
    yield _sse(
        {
            **base,
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
        }
    )
    for piece in pieces:
        yield _sse({**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
    yield _sse({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    if (body.get("stream_options") or {}).get("include_usage"):
        yield _sse({**base, "choices": [], "usage": _usage(reply)})
    yield b"data: [DONE]\n\n"


def _sse(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload).encode() + b"\n\n"


def main() -> None:
    """Serve in a process of its own (benchmarks: a real model server never shares the caller's GIL).

    Prints the base URL on the first line of stdout, then serves until killed.
    """
    import argparse
    import signal

    parser = argparse.ArgumentParser(description="Loopback OpenAI-compatible server with a fixed answer.")
    parser.add_argument("--answer", default="ok", help="the content of every answer")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each answer")
    args = parser.parse_args()
    server = FakeOpenAI(default=Reply(content=args.answer, delay_s=args.delay)).start()
    sys.stdout.write(server.url + "\n")
    sys.stdout.flush()
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    server.stop()


if __name__ == "__main__":
    main()
