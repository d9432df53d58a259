"""A migrated empty database per test without running the migrations per test.

Most tests start from a new SQLite store, and `Store.open` on a new file runs every migration.
Instead each test process (each xdist worker, or the one process of a serial run) builds one
migrated empty database, the template, on first use, and `fresh_db(path)` copies that file to
`path`; `Store.open(path)` then finds the schema current and migrates nothing. The template is
made by this checkout's `Store.open`, so it always has the current schema, and it holds nothing
but the schema (the migrations write no rows that depend on a clock or a path).

Tests of the migrations themselves, and of what `Store.open` does to a new file, open a path
with no file instead.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

from clerk.db import Store

DB_NAME = "clerk.db"


@cache
def template_db() -> Path:
    """This process's migrated empty database (built once, removed when the process ends)."""
    root = Path(tempfile.mkdtemp(prefix="clerk-template-db-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    path = root / DB_NAME
    Store.open(path).close()
    # Closing the last connection checkpoints the WAL into the main file and deletes it: the
    # main file alone is the whole database (and stays in WAL mode).
    leftovers = sorted(p.name for p in root.iterdir() if p != path)
    assert not leftovers, f"the template database left {leftovers} behind"
    return path


def fresh_db(path: str | Path) -> Path:
    """Put a copy of the migrated empty template at `path` (a new file) and return the path.

    A file already at `path` is left alone: helpers call this before `Store.open(path)` whether
    or not the test made the file itself.
    """
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template_db(), path)
        os.chmod(path, 0o600)
    return path


def open_fresh(path: str | Path, **kwargs) -> Store:  # type: ignore[no-untyped-def]
    """`Store.open(path, **kwargs)` on a copy of the template (or on the file already there)."""
    return Store.open(fresh_db(path), **kwargs)
