"""Batches: a roster (表6) enrolled in one go, its checked materials and the cases it produced.

A batch row names the file (name and SHA-256 of its bytes), the counts, the range of case numbers,
the receipt and the correction notice; `batch_materials` holds the materials checked for the batch
as a whole (the school's sealed paper roster), like `case_materials` does for a case;
`batch_cases` links each case to its batch and keeps what the roster says beyond the case row
(row number, student number, class, sex, birth date, ...). Personal data stays in these tables and
in `cases`; events never carry it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from clerk.domain.model import CaseState

SCHEMA = """
CREATE TABLE batches (
    uuid TEXT PRIMARY KEY,
    batch_no TEXT NOT NULL UNIQUE,
    point_code TEXT NOT NULL,
    office_code TEXT,
    item_no INTEGER NOT NULL,
    school_name TEXT NOT NULL,
    source_name TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_sha256 TEXT NOT NULL CHECK (length(source_sha256) = 64),
    rows_total INTEGER NOT NULL CHECK (rows_total >= 0),
    enrolled INTEGER NOT NULL CHECK (enrolled >= 1),
    to_correct INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    first_case_no TEXT NOT NULL,
    last_case_no TEXT NOT NULL,
    receipt_doc_no TEXT,
    receipt_path_txt TEXT,
    receipt_path_pdf TEXT,
    receipt_sha256 TEXT,
    notice_doc_no TEXT,
    notice_path_txt TEXT,
    notice_path_pdf TEXT,
    notice_sha256 TEXT,
    received_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX idx_batches_sha ON batches (source_sha256);
CREATE INDEX idx_batches_point_received ON batches (point_code, received_at);
CREATE TABLE batch_materials (
    uuid TEXT PRIMARY KEY,
    batch_uuid TEXT NOT NULL REFERENCES batches (uuid),
    point_code TEXT NOT NULL,
    material_id TEXT NOT NULL,
    status TEXT NOT NULL,
    alternative TEXT,
    defect TEXT,
    checked_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (batch_uuid, material_id)
);
CREATE TABLE batch_cases (
    case_uuid TEXT PRIMARY KEY REFERENCES cases (uuid),
    batch_uuid TEXT NOT NULL REFERENCES batches (uuid),
    point_code TEXT NOT NULL,
    row_no INTEGER NOT NULL,
    student_no TEXT NOT NULL,
    class_name TEXT,
    sex TEXT,
    birth_date TEXT,
    domicile TEXT,
    identity TEXT,
    subsidy TEXT,
    note TEXT,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX idx_batch_cases_batch ON batch_cases (batch_uuid, row_no);
"""

BATCH_CASE_COLUMNS = (
    "case_uuid",
    "batch_uuid",
    "point_code",
    "row_no",
    "student_no",
    "class_name",
    "sex",
    "birth_date",
    "domicile",
    "identity",
    "subsidy",
    "note",
)
# A student counts as enrolled while an enrolment case of theirs is not refused, rejected,
# withdrawn or abandoned.
ENDED_WITHOUT_ENROLMENT = (
    CaseState.REFUSED,
    CaseState.REJECTED,
    CaseState.WITHDRAWN,
    CaseState.ABANDONED,
)
_CHUNK = 500  # host parameters per IN (...) query, well under SQLite's limit


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def insert_batch(conn: sqlite3.Connection, row: Mapping[str, Any]) -> None:
    names = list(row)
    conn.execute(
        f"INSERT INTO batches ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        [row[n] for n in names],
    )


def insert_materials(conn: sqlite3.Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        names = list(row)
        conn.execute(
            f"INSERT INTO batch_materials ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
            [row[n] for n in names],
        )


def link_cases(conn: sqlite3.Connection, rows: Iterable[Mapping[str, Any]], now: str) -> None:
    """Insert the batch_cases rows in one executemany."""
    names = (*BATCH_CASE_COLUMNS, "created_at", "updated_at")
    conn.executemany(
        f"INSERT INTO batch_cases ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        ([*(row.get(n) for n in BATCH_CASE_COLUMNS), now, now] for row in rows),
    )


def next_batch_no(conn: sqlite3.Connection, point_code: str, day: str) -> int:
    """How many batches the point received on `day` (YYYY-MM-DD), plus one."""
    found = conn.execute(
        "SELECT COUNT(*) FROM batches WHERE point_code = ? AND received_at >= ? AND received_at < ?",
        (point_code, day, day + "T99"),
    ).fetchone()[0]
    return int(found) + 1


def enrolled(conn: sqlite3.Connection, item_no: int, id_numbers: Iterable[str]) -> dict[str, str]:
    """{id number: case number} of the given numbers that already have an enrolment case."""
    numbers = sorted(set(id_numbers))
    ended = [str(s) for s in ENDED_WITHOUT_ENROLMENT]
    found: dict[str, str] = {}
    for start in range(0, len(numbers), _CHUNK):
        chunk = numbers[start : start + _CHUNK]
        rows = conn.execute(
            f"SELECT id_number, case_no FROM cases WHERE id_number IN ({', '.join('?' for _ in chunk)})"
            f" AND item_no = ? AND state NOT IN ({', '.join('?' for _ in ended)}) ORDER BY received_at",
            [*chunk, item_no, *ended],
        ).fetchall()
        for number, case_no in rows:
            found.setdefault(number, case_no)
    return found


def by_sha(conn: sqlite3.Connection, sha256: str) -> list[dict[str, Any]]:
    return _dicts(
        conn.execute(
            "SELECT * FROM batches WHERE source_sha256 = ? ORDER BY received_at", (sha256,)
        )
    )


def get(conn: sqlite3.Connection, uuid: str) -> dict[str, Any] | None:
    rows = _dicts(conn.execute("SELECT * FROM batches WHERE uuid = ?", (uuid,)))
    return rows[0] if rows else None


def listing(conn: sqlite3.Connection, point_code: str | None = None) -> list[dict[str, Any]]:
    if point_code is None:
        return _dicts(conn.execute("SELECT * FROM batches ORDER BY received_at DESC"))
    return _dicts(
        conn.execute(
            "SELECT * FROM batches WHERE point_code = ? ORDER BY received_at DESC", (point_code,)
        )
    )


def materials(conn: sqlite3.Connection, batch_uuid: str) -> list[dict[str, Any]]:
    return _dicts(
        conn.execute(
            "SELECT * FROM batch_materials WHERE batch_uuid = ? ORDER BY material_id", (batch_uuid,)
        )
    )


def cases(conn: sqlite3.Connection, batch_uuid: str) -> list[dict[str, Any]]:
    """The batch's links joined with their cases' numbers, in roster row order."""
    return _dicts(
        conn.execute(
            "SELECT b.*, c.case_no, c.state FROM batch_cases b JOIN cases c ON c.uuid = b.case_uuid"
            " WHERE b.batch_uuid = ? ORDER BY b.row_no",
            (batch_uuid,),
        )
    )
