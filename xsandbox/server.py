"""The threaded HTTP server, and `start_sandbox` to run one in-process.

One thread per connection (daemon threads), HTTP/1.1 keep-alive, a listen backlog of 1024 so a
burst of a few hundred concurrent connections is queued rather than refused.
"""
from __future__ import annotations

import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .config import SandboxConfig, config_field_names
from .faults import FaultSettings, fault_field_names
from .routes import dispatch
from .state import SandboxState
from .web import Request, Response, json_response

IDLE_TIMEOUT_S = 60  # a keep-alive connection idle this long is closed, freeing its thread


class SandboxServer(ThreadingHTTPServer):
    """Serves one `SandboxState`. Tracks open connections so `close_connections` can end them."""

    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: SandboxState, quiet: bool = False):
        self.state = state
        self.quiet = quiet
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, SandboxHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Ends keep-alive connections, so clients cannot keep talking to a stopped sandbox."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def log(self, line: str) -> None:
        if not self.quiet:
            print(line, file=sys.stderr, flush=True)


class SandboxHandler(BaseHTTPRequestHandler):
    """Reads a request, hands it to `routes.dispatch`, writes (or deliberately drops) the answer."""

    server: SandboxServer
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT_S
    server_version = "xsandbox/1.0"

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_DELETE = do_PUT = do_GET

    def _handle(self) -> None:
        started = time.monotonic()
        try:
            response = dispatch(self.server.state, self._read_request())
        except Exception:  # a bug in the sandbox: answer 500 and keep serving
            self.server.log(traceback.format_exc())
            response = json_response(500, {"title": "Internal Sandbox Error", "type": "about:blank",
                                           "status": 500, "detail": "See the sandbox log."})
        if response.lose_answer:
            self._drop_connection()
            outcome = "dropped"
        else:
            self._write(response)
            outcome = str(response.status)
        # Only the path: query strings can carry codes and tokens (/oauth/authorize?oauth_token=...).
        elapsed_ms = (time.monotonic() - started) * 1000
        self.server.log(f"{self.command} {self.path.partition('?')[0]} {outcome} {elapsed_ms:.0f}ms")

    def _read_request(self) -> Request:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self._read_chunked()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path, _, query = self.path.partition("?")
        host = self.headers.get("Host") or "%s:%s" % self.server.server_address[:2]
        return Request(self.command, path, query, self.headers, body, f"http://{host}{self.path}",
                       self.client_address[0])

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(body)
            body += self.rfile.read(size)
            self.rfile.readline()

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    def _drop_connection(self) -> None:
        """Closes the socket without a byte of answer: the client sees a connection error."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        """Silences http.server's own access log; `_handle` writes ours (and errors go to log_error)."""

    def log_error(self, format: str, *args: Any) -> None:
        self.server.log("xsandbox: " + format % args)


class Sandbox:
    """A running sandbox: `url`, `state` (for direct asserts), `stop()`; also a context manager."""

    def __init__(self, server: SandboxServer, thread: threading.Thread | None = None):
        self.server = server
        self.state = server.state
        self._thread = thread
        host, port = server.server_address[:2]
        self.url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"

    def stop(self) -> None:
        """Stops serving, ends open connections and frees the port. Safe to call twice."""
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.server.close_connections()
        self.server.server_close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def split_settings(settings: dict[str, Any]) -> tuple[SandboxConfig, FaultSettings]:
    """Sorts keyword settings into config and faults. Raises TypeError for unknown names."""
    unknown = set(settings) - config_field_names() - fault_field_names()
    if unknown:
        raise TypeError(f"unknown sandbox settings: {sorted(unknown)}")
    config = SandboxConfig(**{k: v for k, v in settings.items() if k in config_field_names()})
    faults = FaultSettings(**{k: v for k, v in settings.items() if k in fault_field_names()})
    return config, faults


def make_server(host: str = "127.0.0.1", port: int = 0, *, quiet: bool = False, **settings: Any) -> SandboxServer:
    """A bound, not yet serving server. `settings` are SandboxConfig and FaultSettings fields."""
    config, faults = split_settings(settings)
    return SandboxServer((host, port), SandboxState(config, faults), quiet=quiet)


def start_sandbox(host: str = "127.0.0.1", port: int = 0, *, quiet: bool = False, **settings: Any) -> Sandbox:
    """Starts a sandbox on a background thread and returns it once it accepts connections.

    `port=0` picks a free port (see `.url`). `settings`: any SandboxConfig field (credentials,
    access_token_ttl, tweet_rate_limit, ...) or FaultSettings field (tweet_fail_rate, seed, ...).
    Raises TypeError for an unknown setting, ValueError for a bad fault value.
    """
    server = make_server(host, port, quiet=quiet, **settings)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="xsandbox", daemon=True)
    thread.start()
    return Sandbox(server, thread)
