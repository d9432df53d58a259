"""Progress of long work (a full verify, a backup, a bundle), told to whoever shows it.

Domain and storage code call a `Progress` with the stage (a Chinese label), how much is done
and the total; they never print. `StreamProgress` is what the command line shows on stderr: on a
terminal one line rewritten in place at most twice a second, elsewhere (a log, a pipe) a line
each tenth of the way, so a supervisor's script log stays short.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

Progress = Callable[[str, int, int], None]


def silent(stage: str, done: int, total: int) -> None:
    """The default: nobody is watching."""


class StreamProgress:
    def __init__(self, stream: TextIO, *, interval: float = 0.5) -> None:
        self.stream = stream
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.interval = interval
        self._stage = ""
        self._shown_at = 0.0
        self._tenth = -1

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        finished = total > 0 and done >= total
        if stage != self._stage:
            if self._stage and self.tty:
                print(file=self.stream, flush=True)
            self._stage, self._tenth, self._shown_at = stage, -1, 0.0
        line = (
            f"{stage}：{done:,} / {total:,}（{done * 100 // total}%）"
            if total > 0
            else f"{stage}……"
        )
        if self.tty:
            if finished or now - self._shown_at >= self.interval:
                print(f"\r{line}", end="\n" if finished else "", file=self.stream, flush=True)
                self._shown_at = now
                if finished:
                    self._stage = ""
            return
        tenth = done * 10 // total if total > 0 else 0
        if tenth > self._tenth:
            print(line, file=self.stream, flush=True)
            self._tenth = tenth
