"""Progress of the long steps (image build, verification) on stderr.

Three modes, chosen once from the stream and `--quiet`:
- tty: every build step on a line of its own as it starts, a spinner with the elapsed
  time on the current line while it runs, then a one-line summary;
- plain (not a terminal: CI logs, pipes): every build step on a line, then the summary;
  no carriage returns, no colours;
- quiet: the summary lines only.
"""
from __future__ import annotations

import itertools
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, TextIO

from .build import parse_line

TTY, PLAIN, QUIET = "tty", "plain", "quiet"
FRAMES = "|/-\\"


def choose_mode(stream: TextIO, quiet: bool) -> str:
    if quiet:
        return QUIET
    return TTY if stream.isatty() else PLAIN


@dataclass
class Phase:
    label: str
    summary: str = ""  # set by the caller when the phase succeeded


@dataclass
class Progress:
    """Reports the build's steps and a spinner around any long step; one instance per run."""

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    mode: str = PLAIN
    steps: int = 0
    cached: int = 0
    _seen: set[str] = field(default_factory=set)  # BuildKit vertices already shown
    _label: str = ""
    _started: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def on_build_line(self, line: str) -> None:
        """Feed every line the build prints (either builder); steps are shown, cache hits
        counted, the rest ignored."""
        event = parse_line(line)
        if event is None or event.kind not in ("step", "cached"):
            return
        if event.kind == "cached":
            self.cached += 1
            return
        if event.vertex:  # BuildKit: steps of all stages, each shown once
            if event.vertex in self._seen:
                return
            self._seen.add(event.vertex)
            self.steps += 1
        else:
            self.steps = event.total
        stage = f" ({event.stage})" if event.stage else ""
        text = f"  Step {event.index}/{event.total}{stage} : {event.text}"
        if self.mode == PLAIN:
            self._write(text + "\n")
        elif self.mode == TTY:
            with self._lock:
                self._clear()
                self.stream.write(text[:_width()] + "\n")
                self.stream.flush()

    @contextmanager
    def phase(self, label: str) -> Iterator[Phase]:
        """A long step: spinner (tty) or a start line (plain) while it runs; on success, the
        phase's summary with its duration in every mode. On an exception, just the spinner stops."""
        current = Phase(label)
        self._start(label)
        try:
            yield current
        except BaseException:
            self._stop_spinner()
            raise
        self._stop_spinner()
        if current.summary:
            self._write(f"nonroot: {current.summary} in {time.monotonic() - self._started:.1f}s\n")

    def _start(self, label: str) -> None:
        """Begin a long step: a spinner on a terminal, one line in plain mode."""
        self._label, self._started = label, time.monotonic()
        if self.mode == PLAIN:
            self._write(f"nonroot: {label} ...\n")
        elif self.mode == TTY:
            self._stop.clear()
            self._thread = threading.Thread(target=self._spin, daemon=True)
            self._thread.start()

    def _stop_spinner(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
            with self._lock:
                self._clear()

    def build_summary(self, tag: str) -> str:
        cached = f", {self.cached} cached" if self.cached else ""
        return f"built {tag} ({self.steps} steps{cached})"

    def _spin(self) -> None:
        for frame in itertools.cycle(FRAMES):
            if self._stop.wait(0.1):
                return
            with self._lock:
                seconds = time.monotonic() - self._started
                self.stream.write(f"\r{frame} {self._label} {seconds:4.0f}s"[:_width()] + "\033[K")
                self.stream.flush()

    def _clear(self) -> None:
        self.stream.write("\r\033[K")

    def _write(self, text: str) -> None:
        with self._lock:
            self.stream.write(text)
            self.stream.flush()


def _width() -> int:
    import shutil

    return max(shutil.get_terminal_size((100, 20)).columns - 1, 20)
