"""A webhook receiver on 127.0.0.1 for the tests: records each POST (headers and raw body)
and answers with the next status of `statuses` (then 200)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    def signed_with(self, secret: str) -> bool:
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers.get("x-omni-signature", ""))


class Receiver:
    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.received: list[Received] = []
        self.lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"receiver": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait_for(self, predicate, timeout: float = 15.0) -> Received:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = [r for r in self.received if predicate(r)]
            if found:
                return found[0]
            time.sleep(0.05)
        raise AssertionError(f"nothing matching arrived in {timeout} s; got {[r.body[:200] for r in self.received]}")


class _Handler(BaseHTTPRequestHandler):
    receiver: Receiver

    def log_message(self, *args) -> None:
        return

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.receiver.lock:
            self.receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status = self.receiver.statuses.pop(0) if self.receiver.statuses else 200
        answer = b'{"ok": true}' if status < 400 else b'{"error": "receiver failed"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
