"""The folder this machine last used for bundles (the USB stick), remembered between runs.

Kept in the data directory, not in the database: a stick's drive letter or mount point belongs
to the PC it is plugged into, and the database travels (backups, restores) where it does not.
"""

from __future__ import annotations

import json
from contextlib import suppress
from pathlib import Path

from clerk.support.paths import data_dir

FILE_NAME = "stick.json"


def last_folder() -> Path | None:
    """The folder last written to or read from, if it was remembered (it may be unplugged now)."""
    try:
        raw = json.loads((data_dir() / FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    folder = raw.get("folder") if isinstance(raw, dict) else None
    return Path(folder) if isinstance(folder, str) and folder else None


def remember_folder(folder: Path) -> None:
    """Remember `folder` for next time; a failure to remember never stops the clerk's work."""
    target = data_dir() / FILE_NAME
    partial = target.with_name(FILE_NAME + ".partial")
    with suppress(OSError):
        partial.write_text(
            json.dumps({"folder": str(folder)}, ensure_ascii=False), encoding="utf-8"
        )
        partial.replace(target)
