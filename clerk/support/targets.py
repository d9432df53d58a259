"""What `--db` names: a database file here, or a server database by its URL. A small module of
its own, so reading the option loads no storage code."""

from __future__ import annotations

from pathlib import Path
from typing import TypeGuard

SERVER_SCHEMES = ("postgresql://", "postgres://")


def is_server(target: object) -> TypeGuard[str]:
    """Whether `target` is a server database's URL (postgresql://…)."""
    return isinstance(target, str) and target.startswith(SERVER_SCHEMES)


def database_target(chosen: str | None) -> str | Path:
    """The database `--db` names: a server URL kept as given (a `Path` would fold its `//`), a
    file path, or, when nothing was given, this user's default file."""
    if is_server(chosen):
        return str(chosen)
    if chosen:
        return Path(chosen)
    from clerk.support.paths import default_db_path

    return default_db_path()
