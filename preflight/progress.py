"""One progress line on stderr, so a large stack does not look hung (stdout stays the report)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """On a terminal the line is rewritten in place; elsewhere (CI logs) a line at most every few seconds."""

    def __init__(self, stream: TextIO | None = None, *, interval_s: float | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr  # stderr as it is now (a caller may redirect it)
        self.tty = self.stream.isatty()
        self.interval_s = interval_s if interval_s is not None else (0.1 if self.tty else 5.0)
        self._last = 0.0
        self._open_line = False

    def step(self, message: str, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval_s:
            return
        self._last = now
        if self.tty:
            self.stream.write(f"\r\033[Kpreflight: {message}")
            self._open_line = True
        else:
            self.stream.write(f"preflight: {message}\n")
        self.stream.flush()

    def counter(self, what: str, total: int):
        """A callback for `done` out of `total`, shown as `<what> done/total`."""
        return lambda done: self.step(f"{what} {done}/{total}", force=done == total)

    def done(self) -> None:
        if self._open_line:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._open_line = False
