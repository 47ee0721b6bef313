"""The HTTP side: GET / lists the calendars, GET /<name>.ics serves one."""
from __future__ import annotations

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from agenda import config


class Feeds(BaseHTTPRequestHandler):
    folder = Path("/var/lib/agenda")

    def do_GET(self) -> None:
        if self.path.endswith(".ics"):
            calendar = self.folder / Path(self.path).name
            if not calendar.is_file():
                self.send_error(404)
                return
            self._send(calendar.read_bytes(), "text/calendar")
            return
        names = sorted(p.stem for p in self.folder.glob("*.ics")) if self.folder.is_dir() else []
        self._send(json.dumps({"calendars": names, "uid": os.getuid()}).encode(), "application/json")

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    settings = config.load()
    Feeds.folder = Path(settings.folder)
    server = ThreadingHTTPServer((settings.host, settings.port), Feeds)
    print(f"agenda on {settings.host}:{settings.port}, calendars in {settings.folder}", flush=True)
    server.serve_forever()
