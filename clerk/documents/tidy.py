"""Start-up tidying of the documents folder, after a process was killed mid-write.

- `.part` files are temporary copies a killed process never renamed: deleted (only when older
  than a few minutes, so a second window writing right now is left alone).
- A document file that no record names (the process was killed after writing it and before the
  database stored the decision) is set aside as `NAME.unrecorded-N.EXT`: it was never handed
  over, so it must not keep the name of a real document; nothing that looks like a legal
  document is deleted.
Free of Textual.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from clerk.documents.store import set_aside
from clerk.support.file_modes import make_private_tree

STALE_SECONDS = 300
DOCUMENT_SUFFIXES = (".pdf", ".txt")


@dataclass
class Tidied:
    removed: list[Path] = field(default_factory=list)  # temporary files deleted
    set_aside: list[Path] = field(default_factory=list)  # unrecorded documents renamed


def tidy_documents(
    root: Path, is_recorded: Callable[[Path], bool], *, now: float | None = None
) -> Tidied:
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
