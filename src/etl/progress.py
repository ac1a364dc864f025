"""Progress for long work (downloads, builds): a bar on a terminal, plain lines elsewhere.

On a terminal the bar redraws in place; in a log (a pipe, a file, a scheduled run) it
would flood, so there only each finished step is written, as one line.
"""

from __future__ import annotations

from typing import Callable, TextIO

BAR_WIDTH = 30


def _count(n: int) -> str:
    return f"{n:,}"


class Progress:
    """A text bar on `stream` when it is a terminal; otherwise one quiet line per `finish`."""

    def __init__(self, stream: TextIO, describe: Callable[[int], str] = _count):
        self.stream = stream
        self.describe = describe
        self.bar = stream.isatty()
        self._drawn: tuple[str, int] | None = None

    def update(self, label: str, done: int, total: int) -> None:
        percent = done * 100 // total if total else 100
        if not self.bar or self._drawn == (label, percent):
            return
        filled = BAR_WIDTH * percent // 100
        self.stream.write(f"\r{label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {percent:3d}% "
                          f"{self.describe(done)} of {self.describe(total)}\x1b[K")
        self.stream.flush()
        self._drawn = (label, percent)

    def finish(self, line: str) -> None:
        self.stream.write(("\r" + line + "\x1b[K\n") if self.bar else line + "\n")
        self.stream.flush()
        self._drawn = None

    def interrupt(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self._drawn = None
