"""Where a backup goes, and the documents beside it. Free of Textual.

`--out DIR` (an existing folder) puts `clerk-backup-YYYYMMDD-HHMMSS.db` into that folder;
`--with-documents` copies the documents folder (the issued notices, PDF and text) next to the
database copy as `NAME-documents/`, owner-only like the original. The folder is the one the
record names (`recorded_root`: a file kept beside a non-default documents folder copies that
folder, not an empty default), and the copy is then checked against the record
(`missing_from_copy`): a backup that lacks a recorded document file does not pass.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from clerk.audit.document_check import documents_roots
from clerk.support.file_modes import make_private_tree, use_private_umask


class BackupTargetError(ValueError):
    """The documents cannot go where asked; the message is Chinese."""


def backup_target(out: str | Path, now: datetime) -> Path:
    """The database copy's file: `out` itself, or a dated name inside `out` if it is a folder."""
    path = Path(out)
    if path.is_dir():
        return path / f"clerk-backup-{now:%Y%m%d-%H%M%S}.db"
    return path


def documents_target(db_copy: Path) -> Path:
    return db_copy.with_name(db_copy.stem + "-documents")


def copy_documents(root: Path, db_copy: Path) -> tuple[Path, int]:
    """Copy the documents folder beside the database copy; returns the folder and the file count."""
    target = documents_target(db_copy)
    if target.exists():
        raise BackupTargetError(f"{target} 已存在，请换一个备份文件名，以免覆盖以前备份的文书。")
    use_private_umask()
    if not root.is_dir():
        target.mkdir()
        return target, 0
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(root, partial, ignore=shutil.ignore_patterns("*.part"))
    partial.rename(target)
    make_private_tree(target)
    return target, sum(1 for p in target.rglob("*") if p.is_file())


def recorded_root(named: Iterable[str], default: Path) -> Path:
    """The documents folder the record keeps its files under (the one naming most files), or
    `default` when it names none."""
    counts: dict[str, int] = {}
    for path in named:
        for root in documents_roots([path]):
            counts[root] = counts.get(root, 0) + 1
    if not counts:
        return default
    return Path(max(sorted(counts), key=lambda root: counts[root]))


def missing_from_copy(named: Iterable[str], root: Path, copy: Path) -> tuple[int, list[str]]:
    """How many recorded document files are not in the copy of `root` (each under the copy at
    its place relative to `root`; a file outside `root` was not copied), with the first few."""
    count = 0
    shown: list[str] = []
    base = os.path.normpath(root)
    for path in named:
        normal = os.path.normpath(path)
        relative = os.path.relpath(normal, base) if normal.startswith(base + os.sep) else None
        if relative is not None and (copy / relative).is_file():
            continue
        count += 1
        if len(shown) < 5:
            shown.append(path)
    return count, shown
