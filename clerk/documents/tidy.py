"""Tidying the documents folder after a process was killed mid-write.

`tidy_documents` (start-up, and `clerk verify` before it judges orphan files) looks only at what
the pending-writes journals name (`clerk.documents.journal`): its cost is that of the crashes
since the last tidy, not of the folder's size, so start-up does not grow with history.

- A journalled document file that no record names (the process was killed after writing it and
  before the database stored the decision) is set aside as `NAME.unrecorded-N.EXT`: it was never
  handed over, so it must not keep the name of a real document; nothing that looks like a legal
  document is deleted. A recorded one is kept.
- `.part` files are temporary copies a killed process never renamed: in the folders a journal
  names, the dead attempt's own are deleted, and any other older than a few minutes (a second
  window writing right now is left alone).
- The journal is removed once every file it names is settled.

`sweep_documents` is the old full walk (every PDF and `.part` under the root, each PDF asked
about), for a maintenance run that wants it (`clerk verify --full`); never on the start path.
Free of Textual.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from clerk.documents.journal import STALE_SECONDS, left_behind
from clerk.support.file_modes import make_private, make_private_tree

__all__ = ["DOCUMENT_SUFFIXES", "STALE_SECONDS", "Tidied", "sweep_documents", "tidy_documents"]

DOCUMENT_SUFFIXES = (".pdf", ".txt")


def set_aside(path: Path) -> list[Path]:
    """`clerk.documents.store.set_aside`, loaded only when a dead attempt left a file behind: the
    app's start reads no document-writing code otherwise (issue 25, item 4)."""
    from clerk.documents.store import set_aside as rename_unrecorded

    return rename_unrecorded(path)


@dataclass
class Tidied:
    removed: list[Path] = field(default_factory=list)  # temporary files deleted
    set_aside: list[Path] = field(default_factory=list)  # unrecorded documents renamed
    kept: list[Path] = field(default_factory=list)  # journalled documents found recorded
    journals: list[Path] = field(default_factory=list)  # journals settled and removed


def tidy_documents(
    root: Path, is_recorded: Callable[[Path], bool], *, now: float | None = None
) -> Tidied:
    """Settle what killed attempts left (the journals of attempts that are over); bounded by
    the number of such attempts, never by the number of documents.

    `is_recorded(path)`: whether a recorded document's text or PDF is the file at `path` (the
    store's indexed `document_at`)."""
    result = Tidied()
    root = Path(root)
    if not root.is_dir():
        return result
    now = time.time() if now is None else now
    for left in left_behind(root, now=now):
        settled = True
        for path in left.paths:
            if path.suffix not in DOCUMENT_SUFFIXES or ".unrecorded-" in path.name:
                continue
            try:
                if not path.exists():
                    continue
                if is_recorded(path):
                    result.kept.append(path)
                    continue
                result.set_aside.extend(set_aside(path))
            except OSError:
                settled = False
        for folder in left.folders:
            result.removed.extend(_stale_parts(folder, left.part_prefix, now))
        if settled:
            with contextlib.suppress(OSError):
                left.path.unlink()
                result.journals.append(left.path)
    make_private(root)
    return result


def _stale_parts(folder: Path, own_prefix: str, now: float) -> list[Path]:
    removed: list[Path] = []
    try:
        parts = sorted(folder.glob(".tmp-*.part"))
    except OSError:
        return removed
    for part in parts:
        try:
            if part.name.startswith(own_prefix) or now - part.stat().st_mtime >= STALE_SECONDS:
                part.unlink()
                removed.append(part)
        except OSError:
            continue
    return removed


def sweep_documents(
    root: Path, is_recorded: Callable[[Path], bool], *, now: float | None = None
) -> Tidied:
    """The full walk: every `.part` older than `STALE_SECONDS` deleted, every PDF older than
    that which no record names set aside. Grows with the folder: maintenance only."""
    result = Tidied()
    if not root.is_dir():
        return result
    now = time.time() if now is None else now
    for part in sorted(root.rglob("*.part")):
        try:
            if now - part.stat().st_mtime >= STALE_SECONDS:
                part.unlink()
                result.removed.append(part)
        except OSError:
            continue
    for path in sorted(root.rglob("*.pdf")):
        if ".unrecorded-" in path.name or path.name.startswith("."):
            continue
        try:
            if now - path.stat().st_mtime < STALE_SECONDS or is_recorded(path):
                continue
            result.set_aside.extend(set_aside(path))
        except OSError:
            continue
    make_private_tree(root)
    return result
