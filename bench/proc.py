"""Running a command as a new process and measuring its wall time and peak memory.

Peak memory is the child's own maximum resident set size, from `os.wait4` (the rusage of that one
child, not the running maximum over every child that `RUSAGE_CHILDREN` would give); so is its CPU
time (user + system).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str
    wall_s: float
    peak_mb: float
    cpu_s: float = 0.0  # the child's own user + system time (steadier than wall when loaded)


def run_measured(
    args: list[str], *, env: dict[str, str] | None = None, cwd: str | None = None
) -> Done:
    """Run `args`; a `python -m MODULE ...` command runs under `bench.peak`, which reports the
    process's own peak memory (see there why the child's `ru_maxrss` can be the parent's)."""
    with tempfile.TemporaryDirectory(prefix="clerk-peak-") as tmp:
        peak_file = os.path.join(tmp, "peak")
        wrapped = args
        if len(args) >= 3 and args[1] == "-m":
            wrapped = [args[0], "-m", "bench.peak", peak_file, *args[2:]]
            env = {**(env if env is not None else os.environ)}
            env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            start = time.perf_counter()
            proc = subprocess.Popen(wrapped, stdout=out, stderr=err, env=env, cwd=cwd)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            peak_mb = usage.ru_maxrss / 1024
            try:
                with open(peak_file, encoding="ascii") as handle:
                    peak_mb = int(handle.read()) / 1024
            except (OSError, ValueError):
                pass
            cpu = usage.ru_utime + usage.ru_stime
            return Done(proc.returncode, out.read(), err.read(), wall, peak_mb, cpu)
