"""The administrative chain on PostgreSQL (`clerk.domain.admin_log`): its guards, and the
connection as `clerk.storage.admin_chain` writes through it (`Sql`: `:name` parameters turned
into psycopg's `%(name)s`, the head held by a transaction-scoped advisory lock).

Appends run inside the caller's transaction; the `admin_events_append_at_head` trigger refuses
anything but an append at the head, so two writers queue instead of forking.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from clerk.storage.figure_cases_sql import postgres_style

ADVISORY_KEY = 0x61646D696E  # "admin": the lock of "appending to the administrative chain"
TRIGGERS = frozenset(
    {
        "admin_events_append_at_head",
        "admin_events_no_update",
        "admin_events_no_delete",
        "admin_events_no_truncate",
    }
)


class Sql:
    """`clerk.storage.admin_chain.AdminSql` on a psycopg connection."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def run(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.conn.execute(_styled(sql), params or {})

    def lock_chain(self) -> None:
        """One appender at a time, until the transaction ends (any role may take it)."""
        self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_KEY,))


@functools.lru_cache(maxsize=128)
def _styled(sql: str) -> str:
    return postgres_style(sql)
