"""The name a store that keeps documents' bytes (`Store.keeps_document_bytes`) keeps them under.

A document's files sit in a documents folder as `ROOT/YYYY/MM/<number>.pdf` (issued here) or
`ROOT/received/<sender>/<sha256>.pdf` (brought by a bundle). On a server the name is that path
without the machine's own `ROOT`, the same for every window: `2026/11/YZ01-….pdf`,
`received/YZ0101/<sha256>.pdf`; a window's copy for printing goes to the same place under its own
documents folder (`local_path`).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

RECEIVED = "received"
_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^\d{2}$")


def document_name(path: str | Path) -> str:
    """The machine-independent name of the document file at `path` (a path outside the usual
    layout keeps its whole path, so two such files never share a name)."""
    parts = Path(path).parts
    folders = parts[:-1]
    if RECEIVED in folders:
        at = len(folders) - 1 - folders[::-1].index(RECEIVED)
        return "/".join(parts[at:])
    if len(parts) >= 3 and _YEAR.match(parts[-3]) and _MONTH.match(parts[-2]):
        return "/".join(parts[-3:])
    return Path(path).as_posix()


def local_path(root: Path, name: str) -> Path:
    """Where a window keeps its copy of the document kept under `name`, under its documents
    folder `root` (a name that would leave `root` is refused with `ValueError`)."""
    relative = PurePosixPath(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"not a relative document name: {name!r}")
    return Path(root).joinpath(*relative.parts)
