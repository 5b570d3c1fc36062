"""web/ served as CloudFront serves it in AWS: one origin, /customer/ and /portal/ (and /shared/, which
both use); / redirects to the customer site. Each site's config.js is generated in memory from the local
stack (never written into the repository) — in AWS it is uploaded at deploy.
"""
from __future__ import annotations

import functools
import io
import json
import logging
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

log = logging.getLogger(__name__)
WEB_ROOT = Path(__file__).resolve().parent.parent / "web"
SITES = ("customer", "portal")
# Explicit types (with charset): the platform's mimetypes table varies, and browsers refuse ES modules
# served as anything but JavaScript.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8", ".map": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8", ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8", ".png": "image/png", ".jpg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".ico": "image/x-icon", ".woff": "font/woff", ".woff2": "font/woff2",
    ".xml": "application/xml; charset=utf-8", ".pdf": "application/pdf", ".zip": "application/zip",
}
# Published articles are written to the site's bucket, not to web/: served from there (CloudFront does the same).
BUCKET_PREFIX = "/customer/kb/"


def bucket_reader(bucket: str):
    """key -> the object's bytes from the stack's web bucket (None when there is none)."""
    from urllib.parse import unquote

    from chalicelib.adapters.kb import S3StaticSite

    site = S3StaticSite(bucket)
    return lambda key: site.get(unquote(key))


def site_config(*, api_url: str, region: str, cognito_endpoint: str, client_id: str) -> dict:
    return {"apiUrl": api_url,
            "cognito": {"region": region, "endpoint": cognito_endpoint, "clientId": client_id}}


def config_script(config: dict) -> bytes:
    return f"window.HELPDESK_CONFIG = {json.dumps(config, ensure_ascii=False)};\n".encode("utf-8")


class SiteHandler(SimpleHTTPRequestHandler):
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, **CONTENT_TYPES}

    def __init__(self, *args, config_js: bytes, bucket_read=None, **kwargs) -> None:
        self.config_js = config_js
        self.bucket_read = bucket_read  # key -> bytes | None: what publishing wrote into the site's bucket
        super().__init__(*args, **kwargs)

    def send_head(self):
        path = urlsplit(self.path).path
        if path == "/":
            self.send_response(HTTPStatus.FOUND)
            self.send_header("Location", "/customer/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path in {f"/{site}/config.js" for site in SITES}:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", CONTENT_TYPES[".js"])
            self.send_header("Content-Length", str(len(self.config_js)))
            self.end_headers()
            return io.BytesIO(self.config_js)
        if path.startswith(BUCKET_PREFIX) and self.bucket_read is not None:
            return self._from_bucket(path)
        return super().send_head()

    def _from_bucket(self, path: str):
        """The knowledge base's static pages and sitemap, which only exist in the bucket (issue 15)."""
        body = self.bucket_read(path.lstrip("/"))
        if body is None:
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        self.send_response(HTTPStatus.OK)
        suffix = Path(path).suffix.lower()
        self.send_header("Content-Type", CONTENT_TYPES.get(suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def list_directory(self, path):
        self.send_error(HTTPStatus.NOT_FOUND)  # S3 behind CloudFront lists nothing either
        return None

    def end_headers(self) -> None:
        # Edits to web/ show on reload; and no guessing of types, as in production.
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:
        log.debug("web: " + format, *args)


class WebServer:
    def __init__(self, config: dict, host: str = "127.0.0.1", port: int = 8080, root: Path = WEB_ROOT,
                 bucket_read=None) -> None:
        self.host, self.port = host, port
        handler = functools.partial(SiteHandler, directory=str(root), config_js=config_script(config),
                                    bucket_read=bucket_read)
        self._server = ThreadingHTTPServer((host, port), handler)  # binds now: a busy port fails here
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "WebServer":
        self._thread = threading.Thread(target=self._server.serve_forever, name="web-server", daemon=True)
        self._thread.start()
        log.info("web sites on %s", self.url)
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
            self._thread = None
        self._server.server_close()
