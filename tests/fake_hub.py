"""A stand-in for the Hugging Face hub on 127.0.0.1, serving one file the way the hub does: HEAD and
GET on /<repo>/resolve/<revision>/<file> with X-Repo-Commit, the LFS sha256 as X-Linked-Etag and
ETag, X-Linked-Size, and Range requests (206) to continue a download. It records every request,
can be slowed down (so a test can kill a download midway) and can serve damaged bytes."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Self  # typing.Self is 3.11+

COMMIT = "0123456789abcdef0123456789abcdef01234567"
BLOCK = 256 * 1024


class FakeHub:
    def __init__(self, repo: str, filename: str, source: Path) -> None:
        self.repo, self.filename, self.data = repo, filename, source.read_bytes()
        self.sha256 = hashlib.sha256(self.data).hexdigest()
        self.requests: list[tuple[str, str, str | None]] = []  # method, path, Range header
        self.authorizations: list[str] = []  # any Authorization header a client sent
        self.user_agents: set[str] = set()
        self.delay = 0.0  # seconds per 256 KB block sent
        self.damaged = False
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _route(self) -> bool:
                hub.requests.append((self.command, self.path, self.headers.get("Range")))
                hub.user_agents.add(self.headers.get("User-Agent", ""))
                if self.headers.get("Authorization"):
                    hub.authorizations.append(self.headers["Authorization"])
                if self.path != f"/{hub.repo}/resolve/main/{hub.filename}":
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return False
                return True

            def _common(self, length: int) -> None:
                self.send_header("X-Repo-Commit", COMMIT)
                self.send_header("ETag", f'"{hub.sha256}"')
                self.send_header("X-Linked-Etag", f'"{hub.sha256}"')
                self.send_header("X-Linked-Size", str(len(hub.data)))
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(length))

            def do_HEAD(self) -> None:
                if self._route():
                    self.send_response(200)
                    self._common(len(hub.data))
                    self.end_headers()

            def do_GET(self) -> None:
                if not self._route():
                    return
                body = bytearray(hub.data)
                if hub.damaged:
                    body[len(body) // 2] ^= 0xFF
                start = 0
                match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
                if match:
                    start = int(match.group(1))
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                self._common(len(body) - start)
                self.end_headers()
                try:
                    for i in range(start, len(body), BLOCK):
                        self.wfile.write(body[i : i + BLOCK])
                        if hub.delay:
                            time.sleep(hub.delay)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client was killed: that is the point of some tests

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def ranges(self) -> list[str]:
        return [r for method, _path, r in self.requests if method == "GET" and r]

    def catalog(self, path: Path, sha256: str | None = "right", size: int | None = None) -> Path:
        """A catalog with one entry, "test-model", naming this hub's file (the real catalog's rules)."""
        from app.model_catalog import CATALOG

        data = json.loads(CATALOG.read_text(encoding="utf-8"))
        entry = {
            **data["models"][0],
            "id": "test-model",
            "name": "Test Model",
            "repo": self.repo,
            "file": self.filename,
            "revision": "main",
            "size_bytes": size or len(self.data),
            "sha256": self.sha256 if sha256 == "right" else sha256,
        }
        data["models"] = [entry]
        path.write_text(json.dumps(data), encoding="utf-8")
        return path
