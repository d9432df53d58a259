"""Where a backup goes, and the documents beside it. Free of Textual.

`--out DIR` (an existing folder) puts `clerk-backup-YYYYMMDD-HHMMSS.db` into that folder;
`--with-documents` copies the documents folder (the issued notices, PDF and text) next to the
database copy as `NAME-documents/`, owner-only like the original.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

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
