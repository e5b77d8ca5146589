"""AWS answers recorded once (against moto) and served again over local HTTP, so a fresh process
can make its first request without moto inside it: moto's import and its server-side work would
otherwise be most of what a cold start is charged, and it is no part of what a Lambda pays.

The process under test points AWS_ENDPOINT_URL here. Each answer is served to the request of the
same service and operation, in the order they were recorded (the n-th Query gets the n-th Query's
answer); ``rewind()`` starts the sequence again for the next process. The server runs in the
benchmark's own process, so its CPU is never charged to the process being measured; its latency
is in both sides' wall time alike.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (service, operation, status, headers, body) as botocore's after-call saw it
Answer = tuple[str, str, int, dict[str, str], bytes]

_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")


class Recorder:
    """Register on a client (``recorder.watch(client)``): while ``recording``, every call's
    parameters and answer are kept, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict]] = []  # (service, operation, params)
        self.answers: list[Answer] = []
        self.on = False

    def watch(self, client: Any) -> None:
        client.meta.events.register("provide-client-params", self._params, unique_id="bench-replay-params")
        client.meta.events.register("after-call", self._answer, unique_id="bench-replay-answers")

    @contextlib.contextmanager
    def recording(self) -> Iterator[Recorder]:
        self.calls.clear()
        self.answers.clear()
        self.on = True
        try:
            yield self
        finally:
            self.on = False

    def _params(self, event_name: str, params: dict, **_: Any) -> None:
        if self.on:
            import copy

            _, service, operation = event_name.split(".")
            self.calls.append((service, operation, copy.deepcopy(params)))

    def _answer(self, event_name: str, http_response: Any, **_: Any) -> None:
        if self.on:
            _, service, operation = event_name.split(".")
            headers = {k: v for k, v in http_response.headers.items() if k.lower() != "content-length"}
            self.answers.append((service, operation, http_response.status_code, headers, http_response.content))


class ReplayServer:
    """``with ReplayServer(answers) as server:`` a local endpoint (``server.url``) answering
    each call with its recorded answer; ``server.served`` counts what it answered since rewind."""

    def __init__(self, answers: list[Answer]) -> None:
        self._answers: dict[tuple[str, str], list[Answer]] = defaultdict(list)
        for answer in answers:
            self._answers[(answer[0], answer[1])].append(answer)
        self._next: dict[tuple[str, str], int] = defaultdict(int)
        self.unanswered: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                scope = _SCOPE.search(self.headers.get("Authorization", ""))
                service = scope.group(1) if scope else "?"
                target = self.headers.get("X-Amz-Target", "")
                operation = target.rsplit(".", 1)[-1] if target else self.command
                status, headers, body = replay.answer(service, operation)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _any

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def answer(self, service: str, operation: str) -> tuple[int, dict[str, str], bytes]:
        # The signing name of a service is its key here (dynamodb, kms, s3, ...).
        with self._lock:
            recorded = self._answers.get((service, operation)) or [
                a for key, answers in self._answers.items() if key[0] == service for a in answers
            ]
            if not recorded:
                self.unanswered.append((service, operation))
                return 500, {"Content-Type": "application/json"}, b'{"__type": "NoRecordedAnswer"}'
            index = self._next[(service, operation)]
            self._next[(service, operation)] += 1
            _, _, status, headers, body = recorded[index % len(recorded)]
            return status, headers, body

    @property
    def served(self) -> int:
        return sum(self._next.values())

    def rewind(self) -> None:
        with self._lock:
            self._next.clear()
            self.unanswered.clear()

    def __enter__(self) -> ReplayServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
