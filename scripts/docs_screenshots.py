"""Check that the built documentation's search box works, in headless Chromium, and save
screenshots of the home page and of a search result.

    mkdocs build -d /tmp/site && python scripts/docs_screenshots.py /tmp/site docs/assets/screenshots

The site is served over HTTP (Material's search runs in a web worker, which Chromium does
not start from file://). Chromium is driven through the DevTools protocol on a pipe
(--remote-debugging-pipe: JSON messages ended by NUL on file descriptors 3 and 4), so
nothing beyond the standard library and the browser is needed. The query is typed key by
key into the search box, as a person types it. Prints the result as JSON; exit 1 when the
search shows no result.
"""
from __future__ import annotations

import argparse
import base64
import fcntl
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

WIDTH, HEIGHT = 1280, 800
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


class BrowserError(RuntimeError):
    pass


@dataclass
class SearchCheck:
    query: str
    results: int  # result items shown under the search box
    titles: list[str]  # the first results' titles
    links: list[str]  # and where they lead
    screenshots: list[str]


def find_browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


class DevTools:
    """A Chromium started with --remote-debugging-pipe, and one page of it."""

    def __init__(self, browser: str, profile: Path) -> None:
        to_chrome, self._send_fd = os.pipe()
        self._recv_fd, from_chrome = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_chrome, from_chrome)]

        def pipes_at_3_and_4() -> None:
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.process = subprocess.Popen(
            [browser, "--headless", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
             "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars", "--force-device-scale-factor=1",
             f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(3, 4), preexec_fn=pipes_at_3_and_4, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for fd in (to_chrome, from_chrome, *high):
            os.close(fd)
        self._buffer, self._next_id, self.session = b"", 0, ""

    def call(self, method: str, timeout: float = 30, **params) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self._send_fd, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise BrowserError("Chromium stopped answering" + self._last_words())
            chunk = os.read(self._recv_fd, 1 << 16)
            if not chunk:
                raise BrowserError("Chromium closed its DevTools pipe" + self._last_words())
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def _last_words(self) -> str:
        if self.process.poll() is None:
            return ""
        return ": " + (self.process.stderr.read() or b"").decode(errors="replace").strip()[-500:]

    def open(self, url: str) -> None:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)
        self.call("Page.navigate", url=url)
        self.wait_for("document.readyState === 'complete' && !!document.querySelector('.md-search__input')")

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.1)
        raise BrowserError(f"timed out after {timeout:g} s waiting for {expression}")

    def type(self, text: str) -> None:
        for char in text:
            self.call("Input.dispatchKeyEvent", type="keyDown", key=char, text=char)
            self.call("Input.dispatchKeyEvent", type="keyUp", key=char)

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except BrowserError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._send_fd)
        os.close(self._recv_fd)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve(site: Path) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


RESULTS = "document.querySelectorAll('.md-search-result__item').length"


def check_search(site: Path, out: Path, query: str = "fleet", browser: str | None = None) -> SearchCheck:
    """Open SITE's home page, save home.png, type QUERY into the search box, wait for its
    results and save search.png, both in OUT."""
    browser = browser or find_browser()
    if not browser:
        raise BrowserError(f"no Chromium found (looked for {', '.join(BROWSERS)}): apt-get install chromium")
    out.mkdir(parents=True, exist_ok=True)
    server = serve(site)
    with tempfile.TemporaryDirectory(prefix="nonroot-chromium-") as profile:
        tools = DevTools(browser, Path(profile))
        try:
            tools.open(f"http://127.0.0.1:{server.server_address[1]}/")
            tools.screenshot(out / "home.png")
            # The search box as a person uses it: click it, then type.
            tools.evaluate("document.querySelector('label[for=\"__search\"]').click()")
            tools.wait_for("document.activeElement === document.querySelector('.md-search__input')")
            tools.type(query)
            # Material says "N matching documents" or "No matching document" once the worker answered.
            tools.wait_for("/matching document/i.test(document.querySelector('.md-search-result__meta').textContent)")
            count = tools.evaluate(RESULTS)
            titles = tools.evaluate("[...document.querySelectorAll('.md-search-result__item h1')]"
                                    ".slice(0, 5).map(h => h.textContent.trim())")
            links = tools.evaluate("[...document.querySelectorAll('.md-search-result__item > a')]"
                                   ".slice(0, 5).map(a => new URL(a.href).pathname)")
            tools.screenshot(out / "search.png")
        finally:
            tools.close()
            server.shutdown()
            server.server_close()
    return SearchCheck(query, count, titles, links, [str(out / "home.png"), str(out / "search.png")])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the built site (mkdocs build -d SITE)")
    parser.add_argument("out", type=Path, help="where home.png and search.png go")
    parser.add_argument("--query", default="fleet", help="what to type into the search box (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        result = check_search(args.site, args.out, args.query)
    except BrowserError as error:
        print(f"docs_screenshots: {error}", file=sys.stderr)
        return 2
    print(json.dumps(asdict(result), indent=2))
    if not result.results:
        print(f"docs_screenshots: the search for {args.query!r} showed no result", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
