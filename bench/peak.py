"""`python -m bench.peak OUT MODULE [ARGS...]`: run `python -m MODULE ARGS...` in this process and,
at exit, write its own peak resident memory (kB) to the file OUT.

Why not the child's `ru_maxrss`: on Linux a process started by `fork`/`vfork` and `exec` inherits
its parent's high-water mark at the `exec` (the kernel keeps the larger of the old and the new
memory map's peak), so a command started by a benchmark process that holds a large template in
memory would be reported as large as the benchmark. `VmHWM` in `/proc/self/status` is the peak of
this process's own memory map only. Elsewhere (no `/proc`) nothing is written and the caller falls
back to `ru_maxrss`.
"""

from __future__ import annotations

import atexit
import runpy
import sys


def _peak_kb() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def main() -> None:
    out, module, *args = sys.argv[1:]

    def write() -> None:
        kb = _peak_kb()
        if kb is not None:
            with open(out, "w", encoding="ascii") as handle:
                handle.write(str(kb))

    atexit.register(write)
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
