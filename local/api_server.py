"""The Chalice app's HTTP API, served in this process the way `chalice local` serves it.

In process and without autoreload: `chalice local`'s reloader leaves a child holding the port when
the parent is killed. The config is built as `chalice local` builds it (chalice.cli:
.chalice/config.json, the given stage), so stage settings and environment variables apply here too.
"""
from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from chalice.config import Config
from chalice.constants import DEFAULT_APIGATEWAY_STAGE_NAME, DEFAULT_ENDPOINT_TYPE
from chalice.deploy.validate import validate_routes
from chalice.local import LocalChalice, LocalDevServer, create_local_server

log = logging.getLogger(__name__)
PROJECT_DIR = Path(__file__).resolve().parent.parent
STAGE = "local"


def chalice_config(app=None, stage: str = STAGE, project_dir: Path = PROJECT_DIR) -> Config:
    """What `chalice local --stage <stage>` uses (chalice.cli.factory.CLIFactory.create_config_obj). Without
    the app it still answers stage settings such as the environment, which must be set before the import."""
    config_from_disk = json.loads((project_dir / ".chalice" / "config.json").read_text())
    params = {} if app is None else {"chalice_app": app}
    return Config(chalice_stage=stage, user_provided_params=params, config_from_disk=config_from_disk,
                  default_params={"project_dir": str(project_dir), "autogen_policy": True,
                                  "api_gateway_stage": DEFAULT_APIGATEWAY_STAGE_NAME,
                                  "api_gateway_endpoint_type": DEFAULT_ENDPOINT_TYPE})


class ApiServer:
    def __init__(self, app, host: str = "127.0.0.1", port: int = 8000, stage: str = STAGE) -> None:
        # As `chalice local` does: refuse routes that `chalice deploy` would refuse.
        validate_routes(app.routes)
        self.host, self.port = host, port
        config = chalice_config(app, stage)
        # Binds now: a busy port fails here, not inside the thread. create_local_server swaps the app's class
        # for a thread-safe one (current_request per thread), and fails if asked twice in one process.
        self._server = (LocalDevServer(app, config, host, port) if isinstance(app, LocalChalice)
                        else create_local_server(app, config, host, port))
        # Chalice's server keeps a non-daemon thread per connection and server_close() joins them all: one
        # client holding a keep-alive connection open (a browser) would hold the stop. Lambda keeps nothing.
        self._server.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "ApiServer":
        # Not LocalDevServer.serve_forever: it prints "Serving on ..."; the runtime prints one banner.
        self._thread = threading.Thread(target=self._server.server.serve_forever, name="api-server", daemon=True)
        self._thread.start()
        log.info("API on %s", self.url)
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server.server_close()  # release the port now
