import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class LocalServer:
    """A real HTTP server on 127.0.0.1 in a thread: answers each request with the next status of
    `statuses` (the last one repeats) and records what it received."""

    def __init__(self):
        self.statuses = [200]
        self.requests: list[dict] = []
        self.routes: dict[str, tuple[int, dict, bytes]] = {}  # path -> (status, headers, body) for GETs
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                server.requests.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                status = server.statuses[min(len(server.requests) - 1, len(server.statuses) - 1)]
                self.send_response(status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def do_GET(self):
                server.requests.append(
                    {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": b""}
                )
                status, headers, body = server.routes.get(self.path, (404, {}, b""))
                if callable(body):
                    status, headers, body = body(self.headers)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook"):
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def local_server(settings):
    """The local server, on a host the administrator allowed explicitly (SSRF rule)."""
    settings.RSE_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    server = LocalServer()
    yield server
    server.close()
