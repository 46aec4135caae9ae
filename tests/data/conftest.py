"""Shared fixtures: isolation from the user's cache and the network, a local HTTP server."""

from __future__ import annotations

import functools
import hashlib
import http.server
import socket
import threading
from pathlib import Path

import pytest

DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")


@pytest.fixture(autouse=True)
def isolated_data_env(monkeypatch, tmp_path):
    """Never read or write the real cache, never follow a mirror set in the environment, and
    refuse every connection that is not to this machine."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.delenv("CHAINRULE_DATA", raising=False)
    monkeypatch.delenv("CHAINRULE_MIRROR", raising=False)
    real_create_connection = socket.create_connection

    def local_only(address, *args, **kwargs):
        host = address[0]
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise AssertionError(f"test tried to reach the network: {address}")
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", local_only)
    return tmp_path / "xdg-cache" / "chainrule"


def sha256_of(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    requests: list[str]

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass

    def do_GET(self):  # noqa: N802 - name fixed by http.server
        self.requests.append(self.path)
        super().do_GET()


@pytest.fixture
def http_server(tmp_path):
    """Serve ``tmp_path / "www"`` on 127.0.0.1 (port chosen by the OS) in a thread.

    Yields an object with ``url`` (base URL ending in "/"), ``root`` (the served folder) and
    ``requests`` (paths requested so far).
    """
    root = tmp_path / "www"
    root.mkdir()
    requests: list[str] = []
    handler = type("Handler", (_QuietHandler,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()

    class Server:
        url = f"http://127.0.0.1:{server.server_address[1]}/"

    Server.root = root
    Server.requests = requests
    try:
        yield Server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens (connection refused at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
