"""The AWS stand-in on the local stack: moto's server application, as moto's ThreadedMotoServer
runs it, behind the host check of hosts.py (ThreadedMotoServer builds its application inside its
thread, with no place to put a check in front of it)."""

from __future__ import annotations

import threading

from infra.local.hosts import HostGuard, host_checked


class AwsStandIn:
    def __init__(self, host: str, port: int, guard: HostGuard) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        application = host_checked(one_table_request_at_a_time(DomainDispatcherApplication(create_backend_app)), guard)
        # Bound here, so a taken port fails the caller rather than a thread nobody watches.
        self._server = make_server(host, port, application, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="aws-stand-in", daemon=True)

    def start(self) -> AwsStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()


def one_table_request_at_a_time(app):
    """DynamoDB requests answered one at a time, as DynamoDB applies each atomically. moto copies
    the tables a transaction touches and puts the copy back when the transaction is refused, which
    would undo a write another thread made meanwhile; the feed handler files a batch's patients
    side by side (chalicelib/feeds/lanes.py). Other services (SQS's long polls) are not held up."""
    lock = threading.Lock()

    def serialised(environ, start_response):
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return app(environ, start_response)
        with lock:  # (the answer is read whole inside: moto works while it is iterated)
            answer = app(environ, start_response)
            try:
                return [b"".join(answer)]
            finally:
                if hasattr(answer, "close"):
                    answer.close()

    return serialised
