"""A local HTTP server that answers like the Hugging Face hub for the repos in a folder.

It serves what huggingface_hub asks for: ``/api/models/<id>`` (with file sizes, LFS sha256 and git
blob ids), ``/api/models?author=&search=``, and ``/<id>/resolve/<revision>/<file>`` with the hub's
headers (X-Repo-Commit, ETag, X-Linked-Etag, X-Linked-Size) and Range requests. Faults can be injected
per file name: ``corrupt`` (right size, wrong bytes), ``truncate`` (connection closed half-way, every
time), ``truncate-once`` (closed half-way once, then served whole) and ``slow`` (served in small pieces).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

COMMIT = "0123456789abcdef0123456789abcdef01234567"
LFS_SUFFIXES = (".safetensors", ".bin")


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()


class FakeHub:
    """Serve every ``<owner>/<name>`` folder under ``root`` as a model repo."""

    def __init__(self, root: Path):
        self.root = root
        self.faults: dict[str, str] = {}
        self.requests: list[str] = []
        self.file_gets: list[str] = []
        self._truncated: set[str] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def repos(self) -> list[str]:
        return sorted(f"{p.parent.name}/{p.name}" for p in self.root.glob("*/*") if p.is_dir())

    def info(self, repo_id: str) -> dict:
        siblings = []
        for path in sorted((self.root / repo_id).iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            data = path.read_bytes()
            sibling = {"rfilename": path.name, "size": len(data), "blobId": _blob_id(data)}
            if path.suffix in LFS_SUFFIXES:
                sha = hashlib.sha256(data).hexdigest()
                sibling["lfs"] = {"size": len(data), "sha256": sha, "pointerSize": 134}
            siblings.append(sibling)
        return {"id": repo_id, "modelId": repo_id, "sha": COMMIT, "private": False, "siblings": siblings}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                return None

            def do_HEAD(self) -> None:
                self._serve(body=False)

            def do_GET(self) -> None:
                self._serve(body=True)

            def _serve(self, body: bool) -> None:
                hub.requests.append(f"{self.command} {self.path}")
                url = urlparse(self.path)
                path = unquote(url.path)
                if path == "/api/models":
                    return self._json(hub.search(parse_qs(url.query)))
                match = re.fullmatch(r"/api/models/([^/]+/[^/]+)(?:/revision/[^/]+)?", path)
                if match:
                    repo = match.group(1)
                    if repo not in hub.repos():
                        return self._error(404, "RepoNotFound", f"Repository {repo} not found")
                    return self._json(hub.info(repo))
                match = re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path)
                if match:
                    return self._file(match.group(1), match.group(3), body)
                self._error(404, None, "not found")

            def _json(self, payload: object) -> None:
                data = json.dumps(payload).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status: int, code: str | None, message: str) -> None:
                data = json.dumps({"error": message}).encode()
                self.send_response(status)
                if code:
                    self.send_header("X-Error-Code", code)
                    self.send_header("X-Error-Message", message)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _file(self, repo: str, name: str, body: bool) -> None:
                if repo not in hub.repos():
                    return self._error(404, "RepoNotFound", f"Repository {repo} not found")
                path = hub.root / repo / name
                if not path.is_file():
                    return self._error(404, "EntryNotFound", f"{name} does not exist")
                data = path.read_bytes()
                etag = hashlib.sha256(data).hexdigest() if path.suffix in LFS_SUFFIXES else _blob_id(data)
                fault = hub.faults.get(name)
                if body and fault == "corrupt":
                    data = bytes(b ^ 0xFF for b in data[:64]) + data[64:]
                start = 0
                rng = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
                if rng:
                    start = int(rng.group(1))
                self.send_response(206 if start else 200)
                self.send_header("X-Repo-Commit", COMMIT)
                self.send_header("ETag", f'"{etag}"')
                if path.suffix in LFS_SUFFIXES:
                    self.send_header("X-Linked-Etag", f'"{etag}"')
                    self.send_header("X-Linked-Size", str(len(data)))
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.send_header("Content-Length", str(len(data) - start))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                if not body:
                    return
                hub.file_gets.append(f"{repo}/{name}")
                payload = data[start:]
                once = fault == "truncate-once" and name not in hub._truncated
                if fault == "truncate" or once:
                    hub._truncated.add(name)
                    self.wfile.write(payload[: len(payload) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if fault == "slow":  # 4 kB every 50 ms, for tests that cancel a download in progress
                    for i in range(0, len(payload), 4096):
                        self.wfile.write(payload[i : i + 4096])
                        self.wfile.flush()
                        time.sleep(0.05)
                    return
                self.wfile.write(payload)

        return Handler

    def search(self, query: dict[str, list[str]]) -> list[dict]:
        author = query.get("author", [""])[0]
        term = query.get("search", [""])[0]
        found = [r for r in self.repos() if (not author or r.startswith(f"{author}/")) and term in r]
        return [{"id": r, "modelId": r, "private": False} for r in found]
