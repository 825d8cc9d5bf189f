"""A web server on the loopback interface, for download tests that never touch the network.

`LoopbackServer` serves the bytes put in its `files` (by path, without the leading slash) from
a thread; `pace` seconds between chunks of `chunk` bytes make a slow server, and `cut_at`
sends that many bytes of a file and then hangs up although the headers promised more.
`unused_port()` is a loopback port nothing listens on: connecting to it is refused at once.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 with a free port; use it as a context manager."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.pace, self.chunk, self.cut_at = 0.0, 1 << 16, None
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = server.files.get(self.path.lstrip("/"))
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                sent = body if server.cut_at is None else body[: server.cut_at]
                try:
                    for start in range(0, len(sent), server.chunk):
                        self.wfile.write(sent[start : start + server.chunk])
                        self.wfile.flush()
                        time.sleep(server.pace)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped reading: a cancelled download

            def log_message(self, *args):
                pass

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._httpd.server_port}/"

    def url(self, name: str) -> str:
        return self.origin + name

    def __enter__(self) -> LoopbackServer:
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
