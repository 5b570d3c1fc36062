"""Where imported files come from: a path under the files root (by default the import file's folder), or an
http(s) URL of a public host.

An export is data from outside, and what the import fetches becomes a file the ticket's customer may download:
so a path may not leave the files root (`../`, an absolute path elsewhere), and a URL (or a redirect) may not
reach a loopback, private, link-local or otherwise reserved address (the cloud's metadata service, the
operator's own network) unless the operator allows it (`--allow-private-urls`, for a desk on an intranet).
"""
from __future__ import annotations

import ipaddress
import os
import socket
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from chalicelib.services.ports import AttachmentSource, FetchFailed

TIMEOUT_S = 30


def _public(url: str) -> bool:
    host = urlsplit(url).hostname
    if not host:
        return False
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        raise FetchFailed("unreachable") from None
    return all(ipaddress.ip_address(a.split("%", 1)[0]).is_global for a in addresses)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, allow_private: bool):
        self.allow_private = allow_private

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not newurl.startswith(("http://", "https://")) or not (self.allow_private or _public(newurl)):
            raise FetchFailed("private_address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class PathOrUrlSource(AttachmentSource):
    def __init__(self, files_root: Path, *, allow_private: bool = False, timeout: float = TIMEOUT_S):
        self.root = Path(os.path.abspath(files_root))
        self.allow_private = allow_private
        self.timeout = timeout
        self.opener = urllib.request.build_opener(_CheckedRedirects(allow_private))

    def fetch(self, ref: str, max_bytes: int) -> tuple[bytes, str | None]:
        if ref.startswith(("http://", "https://")):
            return self._download(ref, max_bytes)
        path = Path(os.path.abspath(self.root / ref.removeprefix("file://")))  # `..` folded, links not followed
        if not path.is_relative_to(self.root):
            raise FetchFailed("outside_files_root")
        try:
            with path.open("rb") as handle:
                return handle.read(max_bytes + 1), None  # one byte more than allowed is enough to say too large
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise FetchFailed("not_found") from None
        except PermissionError:
            raise FetchFailed("unreadable") from None

    def _download(self, url: str, max_bytes: int) -> tuple[bytes, str | None]:
        if not (self.allow_private or _public(url)):
            raise FetchFailed("private_address")
        request = urllib.request.Request(url, headers={"User-Agent": "helpdesk-import/1"})
        try:
            with self.opener.open(request, timeout=self.timeout) as answer:
                return answer.read(max_bytes + 1), answer.headers.get("Content-Type")
        except urllib.error.HTTPError as exc:
            raise FetchFailed("not_found" if exc.code in (404, 410) else f"http_{exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError):
            raise FetchFailed("unreachable") from None
