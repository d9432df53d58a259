"""What the process has loaded by the time the window app is built, or a command is run, kept
out of the cyclic garbage collector's passes (`gc.freeze`), once a process.

By then the heap holds some 37,000 objects that live as long as the process: modules,
classes, functions, Textual's and Rich's tables, the open store. Each pass over the oldest
generation walked all of them again: 34 ms of collections on the way to the dashboard (a bare
Textual app: 11 ms), one pass 14 ms, and through an eight-hour day each such pass held the window
as long. Frozen here, the dashboard's start took 414 ms of CPU instead of 459 and the login
screen's 272 instead of 314 (demo database, medians of 15). Frozen objects are still freed when
their last reference goes; only a cycle among them would never be collected, and what start-up
loaded is not garbage later. Called by `make_app` before the app (and any widget: widgets hold
cycles and come and go) is built, and only once: a second call would also freeze what the first
app left. A command (`clerk.cli.main`) freezes once its modules are loaded, before it runs:
`clerk verify` at 1,000,000 cases took 100 ms of CPU instead of 112, `clerk report` 163 instead
of 169.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_start_up() -> bool:
    """Freeze the objects alive now, the first time only; whether this call froze them."""
    global _frozen
    if _frozen:
        return False
    _frozen = True
    gc.freeze()
    return True
