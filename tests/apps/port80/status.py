"""An internal status page, hard-wired to port 80 like many legacy services."""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Status(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            body = b"ok"
        else:
            body = json.dumps({"service": "status", "uid": os.getuid()}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", 80), Status).serve_forever()
