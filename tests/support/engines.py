"""The service tests that touch storage, on both engines (issue 20).

A module that opts in with `pytestmark = pytest.mark.usefixtures("engine")` runs every test twice:
`[sqlite]` as it always did, and `[postgresql]` where every store the test opens by a path
(`Store.open(path)` — the module's own fixtures, `support.app.make_window`, `support.sync.
installation`, ...) is a fresh database on this process's throwaway PostgreSQL cluster
(`support.postgres`) instead of the file. The same path opened again (a test that closes its
store and reopens the "file") is the same database. So the test bodies, written against the port
and the window, are unchanged; they assert the same answers on both engines.

A test that cannot run on PostgreSQL — it reads or edits the SQLite file itself (`support.tamper`,
`sqlite3`), or is about SQLite's own behaviour — is marked `@pytest.mark.sqlite_only("why")`; its
`[postgresql]` copy is skipped with that reason. Without PostgreSQL binaries the `[postgresql]`
copies skip with the cluster's one-line reason.

The `[postgresql]` databases are dropped at the end of each test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support import postgres

ENGINES = ("sqlite", "postgresql")


def _sqlite_only_reason(request: pytest.FixtureRequest) -> str | None:
    marker = request.node.get_closest_marker("sqlite_only")
    if marker is None:
        return None
    return str(marker.args[0]) if marker.args else "SQLite only"


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                postgres.skip_reason() is not None, reason=postgres.skip_reason() or ""
            ),
        ),
    ]
)
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """ "sqlite" or "postgresql": the engine behind every `Store.open(path)` of this test."""
    if request.param == "sqlite":
        yield "sqlite"
        return
    reason = _sqlite_only_reason(request)
    if reason is not None:
        pytest.skip(f"SQLite only: {reason}")
    from clerk.storage.postgres.store import PostgresStore
    from clerk.storage.sqlite.store import Store as SQLiteStore
    from support.db import template_db

    template_db()  # made by the real Store.open before it is replaced (fresh_db copies it)
    databases: dict[str, str] = {}

    def open_on_server(cls: Any, path: Any, **kwargs: Any) -> Any:
        key = str(Path(path).resolve()) if not str(path).startswith("postgresql://") else str(path)
        url = key if key.startswith("postgresql://") else databases.get(key)
        if url is None:
            url = databases[key] = postgres.fresh_database()
        allowed = {k: v for k, v in kwargs.items() if k in ("clock", "hasher", "migrate")}
        return PostgresStore.open(url, **allowed)

    monkeypatch.setattr(SQLiteStore, "open", classmethod(open_on_server))
    try:
        yield "postgresql"
    finally:
        monkeypatch.undo()
        for url in databases.values():
            postgres.drop_database(url)
