"""Where imported files come from: a path (relative to the import file) or an http(s) URL."""
from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from chalicelib.services.ports import AttachmentSource, FetchFailed

TIMEOUT_S = 30


class PathOrUrlSource(AttachmentSource):
    def __init__(self, base: Path, timeout: float = TIMEOUT_S):
        self.base = base
        self.timeout = timeout

    def fetch(self, ref: str, max_bytes: int) -> tuple[bytes, str | None]:
        if ref.startswith(("http://", "https://")):
            return self._download(ref, max_bytes)
        path = Path(ref.removeprefix("file://"))
        path = path if path.is_absolute() else self.base / path
        try:
            with path.open("rb") as handle:
                return handle.read(max_bytes + 1), None  # one byte more than allowed is enough to say too large
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise FetchFailed("not_found") from None
        except PermissionError:
            raise FetchFailed("unreadable") from None

    def _download(self, url: str, max_bytes: int) -> tuple[bytes, str | None]:
        request = urllib.request.Request(url, headers={"User-Agent": "helpdesk-import/1"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 (http(s) only)
                return answer.read(max_bytes + 1), answer.headers.get("Content-Type")
        except urllib.error.HTTPError as exc:
            raise FetchFailed("not_found" if exc.code in (404, 410) else f"http_{exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError):
            raise FetchFailed("unreachable") from None
