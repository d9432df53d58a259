"""Full-text search over applicant and unit names, one character per token.

Chinese names have no spaces and are two or three characters long, so a word tokenizer sees one
token per name and the trigram tokenizer cannot match a two-character query. We store each name
as its characters separated by spaces under `unicode61` and search with a phrase of the query's
characters: 张三 becomes the phrase "张 三", which matches 张三丰 and 小张三 but not 张小三.

Only names are indexed here; ID numbers, credit codes and bank accounts never enter the FTS table
(they are found by exact match through ordinary indexes).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

TABLE = "cases_fts"

CREATE_SQL = f"""
CREATE VIRTUAL TABLE {TABLE} USING fts5(
    case_uuid UNINDEXED,
    applicant_name,
    unit_name,
    tokenize = 'unicode61'
)
"""


def spaced(text: str | None) -> str:
    """The characters of `text` that can be searched, separated by single spaces."""
    return " ".join(filter(str.isalnum, text or ""))


def match_expression(query: str) -> str | None:
    """An FTS5 phrase for `query`, or None when it holds nothing searchable."""
    chars = spaced(query)
    if not chars:
        return None
    return '"' + chars.replace('"', '""') + '"'


def index_case(
    conn: sqlite3.Connection, case_uuid: str, applicant_name: str | None, unit_name: str | None
) -> None:
    """Index a new case's names; the caller holds the transaction."""
    conn.execute(
        f"INSERT INTO {TABLE} (case_uuid, applicant_name, unit_name) VALUES (?, ?, ?)",
        (case_uuid, spaced(applicant_name), spaced(unit_name)),
    )


def index_cases(
    conn: sqlite3.Connection, cases: Iterable[tuple[str, str | None, str | None]]
) -> None:
    """`index_case` for many new cases: (uuid, applicant name, unit name) each."""
    conn.executemany(
        f"INSERT INTO {TABLE} (case_uuid, applicant_name, unit_name) VALUES (?, ?, ?)",
        [(u, spaced(a), spaced(n)) for u, a, n in cases],
    )


def reindex_case(
    conn: sqlite3.Connection, case_uuid: str, applicant_name: str | None, unit_name: str | None
) -> None:
    """Replace a case's indexed names (a scan of the FTS table: names rarely change)."""
    conn.execute(f"DELETE FROM {TABLE} WHERE case_uuid = ?", (case_uuid,))
    index_case(conn, case_uuid, applicant_name, unit_name)


def rebuild(conn: sqlite3.Connection) -> None:
    """Index every case from scratch (used by the migration that creates the table)."""
    conn.execute(f"DELETE FROM {TABLE}")
    rows = conn.execute("SELECT uuid, applicant_name, unit_name FROM cases").fetchall()
    conn.executemany(
        f"INSERT INTO {TABLE} (case_uuid, applicant_name, unit_name) VALUES (?, ?, ?)",
        [(u, spaced(a), spaced(n)) for u, a, n in rows],
    )
