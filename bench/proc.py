"""Running a command as a new process and measuring its wall time and peak memory.

Peak memory is the child's own maximum resident set size, from `os.wait4` (the rusage of that one
child, not the running maximum over every child that `RUSAGE_CHILDREN` would give).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    peak_mb: float


def run_measured(
    args: list[str], *, env: dict[str, str] | None = None, cwd: str | None = None
) -> Done:
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Done(proc.returncode, out.read(), err.read(), wall, usage.ru_maxrss / 1024)
