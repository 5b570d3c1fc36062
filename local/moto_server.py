"""moto's server (fake AWS over HTTP) in this process, on a loopback port.

Not moto's ThreadedMotoServer: that one binds inside its thread, so a busy port leaves `start()` waiting
forever, and its `stop()` never closes the socket. Here binding happens in the caller (a busy port raises
OSError at once) and `stop()` releases the port.

moto keeps its state in process-global backends: two servers in one process share it.

DynamoDB requests are served one at a time. moto's DynamoDB is not thread-safe: a transaction that
races another can be half applied (its rollback deep-copies a table another thread is changing). Real
DynamoDB transactions are serializable, so serializing them here is faithful, and lets tests race
writers (the open-ticket limit under parallel submissions) and trust the result.
"""
from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.request

log = logging.getLogger(__name__)


def _one_dynamodb_request_at_a_time(app):
    lock = threading.Lock()

    def serve(environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB"):
            with lock:
                # The body is produced lazily by some moto handlers: materialize it under the lock.
                return list(app(environ, start_response))
        return app(environ, start_response)

    return serve


class MotoServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 5000) -> None:
        self.host, self.port = host, port
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, ready_timeout: float = 30.0) -> "MotoServer":
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        # werkzeug logs every request at INFO; moto is plumbing here, its requests are noise.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        app = _one_dynamodb_request_at_a_time(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self.host, self.port, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto-server", daemon=True)
        self._thread.start()
        self._wait_until_answering(ready_timeout)
        log.info("moto server on %s", self.url)
        return self

    def _wait_until_answering(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=2):
                    return
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto did not answer on {self.url} within {timeout}s") from None
                time.sleep(0.05)

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()  # releases the port now, not at garbage collection
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None
