"""moto's server (fake AWS over HTTP) in this process, on a loopback port.

Not moto's ThreadedMotoServer: that one binds inside its thread, so a busy port leaves `start()` waiting
forever, and its `stop()` never closes the socket. Here binding happens in the caller (a busy port raises
OSError at once) and `stop()` releases the port.

moto keeps its state in process-global backends: two servers in one process share it.

DynamoDB requests are served one at a time. moto's DynamoDB is not thread-safe: a transaction that
races another can be half applied (its rollback deep-copies a table another thread is changing). Real
DynamoDB transactions are serializable, so serializing them here is faithful, and lets tests race
writers (the open-ticket limit under parallel submissions) and trust the result.

moto's DynamoDB is patched in process first (local/moto_patches.py): transactions copy only the items they
touch and a cancelled one leaves no trace (items, stream), DynamoDB objects are not tracked for
/moto-api/data.json (they were never let go), and a Query on the table's key reads one partition.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
import urllib.error
from contextlib import contextmanager
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


# Requests that only read (by X-Amz-Target's operation, or GET/HEAD): everything else may change the state.
_READ_ONLY = ("Get", "Describe", "List", "Query", "Scan", "BatchGet", "ReceiveMessage")


class Gate:
    """Lets requests through side by side, and `closed()` waits for those under way, holds new ones, and lets
    the caller see moto's state at rest (to save it). `changes` counts requests that may have changed it."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._inside = 0
        self._closed = False
        self.changes = 0

    def __call__(self, app):
        def serve(environ, start_response):
            operation = environ.get("HTTP_X_AMZ_TARGET", "").rpartition(".")[2]
            changes = environ.get("REQUEST_METHOD") not in ("GET", "HEAD") and not operation.startswith(_READ_ONLY)
            with self._condition:
                self._condition.wait_for(lambda: not self._closed)
                self._inside += 1
                self.changes += changes
            try:
                return list(app(environ, start_response))  # the whole answer, before the gate may close
            finally:
                with self._condition:
                    self._inside -= 1
                    self._condition.notify_all()

        return serve

    @contextmanager
    def closed(self):
        with self._condition:
            self._condition.wait_for(lambda: not self._closed)
            self._closed = True
            self._condition.wait_for(lambda: self._inside == 0)
        try:
            yield
        finally:
            with self._condition:
                self._closed = False
                self._condition.notify_all()


OUTBOX_PATH = "/_local/outbox.json"


def _with_outbox(app, server: "MotoServer"):
    """Adds OUTBOX_PATH: what moto's /moto-api/data.json says of SES and SNS only (the mail and SMS "sent"),
    with the older records that `server.outbox` moved to its file first (local/outbox.py); `?to=<address>`
    keeps only those sent to it. data.json serializes every object of every service, DynamoDB items included,
    and takes seconds once a test session has filled the table; local/mailbox.py reads this instead."""
    from urllib.parse import parse_qs

    from local.outbox import recorded

    def serve(environ, start_response):
        if environ.get("PATH_INFO") != OUTBOX_PATH:
            return app(environ, start_response)
        to = parse_qs(environ.get("QUERY_STRING", "")).get("to", [None])[0]
        outbox = server.outbox
        found = outbox.recorded(to=to) if outbox is not None else recorded(to=to)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(found).encode()]

    return serve


class MotoServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 5000) -> None:
        self.host, self.port = host, port
        self._server = None
        self._thread: threading.Thread | None = None
        self.gate = Gate()  # `with server.gate.closed():` moto's state at rest
        self.outbox = None  # a local.outbox.Outbox once the runtime keeps older mail in a file

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, ready_timeout: float = 30.0) -> "MotoServer":
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        # Authenticator-app codes are checked like Cognito checks them (moto's default accepts any code);
        # moto gives every account the same secret (local/totp.py).
        os.environ.setdefault("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
        # werkzeug logs every request at INFO; moto is plumbing here, its requests are noise.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        from local import moto_patches
        moto_patches.apply()
        app = _with_outbox(self.gate(_one_dynamodb_request_at_a_time(DomainDispatcherApplication(create_backend_app))), self)
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
                # The dashboard page, not data.json: that one serializes all of moto's (process-global)
                # state and takes seconds once earlier tests have filled it.
                with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=2):
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
