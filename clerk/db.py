"""The storage entry: open a store from a path or a URL.

`open_store(target)` is the one place that turns what the user gave (`--db`, the default file in
the data directory) into a store behind the port `clerk.ports.store.Store`:

- a plain path (or a `sqlite:///path` URL) opens the SQLite adapter (`clerk.storage.sqlite`),
  the embedded default for a township point or a one-window office;
- a `postgresql://` (or `postgres://`) URL opens the PostgreSQL adapter
  (`clerk.storage.postgres`), for a county office whose windows share one server database. The
  password comes from libpq's usual places (`PGPASSFILE` or `~/.pgpass`, `PGPASSWORD`, a
  `passfile=` parameter); the store's `location` shows the URL without it.

The names re-exported here (`Store`, the records, the neutral errors, `User`) keep the entry
importable as it always was (`from clerk.db import Store`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from clerk.domain.accounts import AuthError, PasswordPolicyError, User, UserError
from clerk.domain.chain import PersonalDataError
from clerk.domain.clock import Clock, system_clock
from clerk.ports.errors import (
    BusyError,
    ConflictError,
    ConstraintError,
    DamagedError,
    DiskFullError,
    ForeignDatabaseError,
    MissingDatabaseError,
    NotFoundError,
    ReadOnlyError,
    StorageError,
)
from clerk.ports.records import (
    CaseRecord,
    DocumentRecord,
    EvaluationRecord,
    EventRecord,
    MaterialCheckRecord,
    PointRecord,
)
from clerk.storage.sqlite.files import BackupError
from clerk.storage.sqlite.store import Store
from clerk.support.targets import is_server

if TYPE_CHECKING:
    from clerk.ports.store import Store as StorePort

__all__ = [
    "AuthError",
    "BackupError",
    "BusyError",
    "CaseRecord",
    "ConflictError",
    "ConstraintError",
    "DamagedError",
    "DiskFullError",
    "ForeignDatabaseError",
    "MissingDatabaseError",
    "DocumentRecord",
    "EvaluationRecord",
    "EventRecord",
    "MaterialCheckRecord",
    "NotFoundError",
    "PasswordPolicyError",
    "PersonalDataError",
    "PointRecord",
    "ReadOnlyError",
    "StorageError",
    "Store",
    "UnsupportedTargetError",
    "User",
    "UserError",
    "is_url",
    "open_store",
]


class UnsupportedTargetError(ValueError):
    """`--db` names an engine this build does not have (the message is Chinese)."""


def is_url(target: str | Path) -> bool:
    """Whether `target` is a URL (`scheme://...`) rather than a file path."""
    return isinstance(target, str) and "://" in target


def sqlite_path(target: str | Path) -> Path:
    """The file a SQLite target names: a path as given, or the path of a `sqlite:///` URL."""
    if isinstance(target, str) and target.startswith("sqlite:///"):
        return Path(target[len("sqlite://") :])
    return Path(target)


def open_store(
    target: str | Path, *, clock: Clock = system_clock, create: bool = True
) -> StorePort:
    """Open (creating and migrating if needed) the store `target` names: a path or a URL.

    `create=False` (a command that only reads, or acts on an office already set up) refuses a
    file that does not exist with `MissingDatabaseError` instead of creating an empty one."""
    if is_server(target):
        from clerk.storage.postgres.store import PostgresStore

        return PostgresStore.open(target, clock=clock)
    if is_url(target) and not str(target).startswith("sqlite:///"):
        raise UnsupportedTargetError(
            f"不认识的数据库地址：{str(target).split('://')[0]}://…；请用数据库文件路径。"
        )
    path = sqlite_path(target)
    if not create and not path.is_file():
        raise MissingDatabaseError(f"找不到数据库文件 {path}")
    return Store.open(path, clock=clock)
