"""Serving a fake vendor API on 127.0.0.1 for the pull tests, so no request leaves the machine."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on 127.0.0.1, on a free port, in a thread; yields the server's base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # A short poll interval: shutdown waits for the loop to notice, once per test module or fixture.
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class JsonHandler(BaseHTTPRequestHandler):
    """A fake vendor's request handler that answers JSON and logs nothing (the test output stays clean)."""

    def send_json(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        """Answer `status` with `body` as JSON, and any extra `headers`."""
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass
