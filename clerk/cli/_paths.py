"""The database a command works on, from its options (a small module: reading `--db` loads no
storage, proof or catalogue code)."""

from __future__ import annotations

import argparse
from pathlib import Path

from clerk.support.targets import database_target, is_server


def db_target(args: argparse.Namespace) -> str | Path:
    """Like `db_path`, but a server database's URL (postgresql://…) is kept as given."""
    return database_target(getattr(args, "target_db", None) or getattr(args, "db", None))


def db_path(args: argparse.Namespace) -> Path:
    """The file a maintenance command works on: its own --db, the global --db, or the default."""
    chosen = getattr(args, "target_db", None) or getattr(args, "db", None)
    if chosen:
        return Path(chosen)
    from clerk.support.paths import default_db_path

    return default_db_path()


def db_missing(target: str | Path) -> bool:
    """Whether `target` is a database file that is not there (a server database is not judged
    here: opening it says what is wrong)."""
    return not is_server(target) and not Path(target).is_file()
