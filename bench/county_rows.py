"""The rows of the county fixture: copies of template cases, made a window at a time.

`bench.county` plans the file as windows of copies (see its docstring) and hands each window to a
worker process (`window_rows`); the worker returns every row of the window ready for
`executemany`, and the event log's rows with their canonical hash payload. Only the chain itself
(each hash covers the previous one) is left to the single process that writes the file. So the
Python work of copying runs on every core while SQLite writes.

A window is self-contained: the planner tells it the first `seq` of its events, the first synthetic
person it may use and, for each day, the last case number already given, so any number of workers
produce exactly the rows one process would. UUIDs come from a random generator seeded by the
window's index (version 7 from the row's own time, version 4 otherwise), so a rebuild is repeatable.
"""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from clerk.domain import chain
from clerk.domain.case_numbers import make_case_number
from clerk.domain.identifiers import credit_code_check_char, resident_id_check_char
from clerk.service.demo import DEMO_AREA, GIVEN, SURNAMES
from clerk.storage.sqlite import fts

CASE_TABLES = ("cases", "case_materials", "documents", "evaluations")
# The event columns the writing process fills in: the link to the previous event and the hash.
LINK_COLUMNS = ("prev_hash", "hash")
# Event columns a copy does not take from its template event.
CHAIN_COLUMNS = frozenset({"n", "origin", "seq", "prev_hash", "hash"})
# Columns holding a date or an ISO instant: moved by the window's offset.
DATE_COLUMNS = frozenset(
    {
        "received_at",
        "accepted_at",
        "due_date",
        "due_start",
        "decided_at",
        "closed_at",
        "paid_at",
        "created_at",
        "updated_at",
        "issued_at",
        "at",
        "followed_up_at",
    }
)
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


class TemplateCase:
    """One template case with all its rows (dicts keyed by column)."""

    __slots__ = ("case", "materials", "documents", "evaluations", "events")

    def __init__(self, case: dict[str, Any]) -> None:
        self.case = case
        self.materials: list[dict[str, Any]] = []
        self.documents: list[dict[str, Any]] = []
        self.evaluations: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []

    @property
    def persons(self) -> int:
        """Synthetic people one copy uses: the applicant (when a person) and the agent."""
        return int(self.case["applicant_kind"] == "person") + int(bool(self.case["agent_name"]))


def load_template(path: Path) -> list[TemplateCase]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        by_uuid: dict[str, TemplateCase] = {}
        for r in conn.execute("SELECT * FROM cases ORDER BY received_at, case_no"):
            by_uuid[r["uuid"]] = TemplateCase(dict(r))
        for table, attr in (
            ("case_materials", "materials"),
            ("documents", "documents"),
            ("evaluations", "evaluations"),
        ):
            for r in conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
                getattr(by_uuid[r["case_uuid"]], attr).append(dict(r))
        for r in conn.execute("SELECT * FROM events ORDER BY n"):
            by_uuid[r["case_uuid"]].events.append(dict(r))
    finally:
        conn.close()
    return list(by_uuid.values())


@dataclass
class WindowJob:
    """What a worker needs to copy one window, independently of every other window."""

    index: int
    days: int  # offset of the window's dates from the template's
    members: list[int]  # template case indexes, one per copy, in insertion order
    first_seq: int  # seq (and n) of the window's first event is first_seq + 1
    first_person: int  # the first synthetic person number the window may use
    day_last: dict[str, int] = field(default_factory=dict)  # day -> last case number given before
    seed: int = 13
    point: str | None = None  # the point the copies belong to (None: the template's)


@dataclass
class WindowRows:
    index: int
    cases: int
    tables: dict[str, list[tuple]]
    fts: list[tuple]
    events: list[tuple]  # the stored columns without LINK_COLUMNS
    payloads: list[str]  # canonical JSON of each event's hashed fields (the hash adds prev_hash)


class Copier:
    """Makes new cases from template cases: ids, numbers, applicants and dates."""

    def __init__(self, rng: random.Random, day_last: dict[str, int], first_person: int) -> None:
        self.rng = rng
        self.day_seq = dict(day_last)
        self.people = first_person
        self._shifted: dict[tuple[str, int], str] = {}
        self._ms: dict[str, int] = {}

    def shift(self, value: str | None, days: int) -> str | None:
        if value is None or days == 0:
            return value
        key = (value[:10], days)
        head = self._shifted.get(key)
        if head is None:
            head = (date.fromisoformat(value[:10]) + timedelta(days=days)).isoformat()
            self._shifted[key] = head
        return head + value[10:]

    def shifted(self, row: dict[str, Any], days: int) -> dict[str, Any]:
        shift = self.shift
        return {k: (shift(v, days) if k in DATE_COLUMNS else v) for k, v in row.items()}

    def uuid4(self) -> str:
        v = self.rng.getrandbits(128)
        v = (v & ~(0xF << 76)) | (0x4 << 76)  # version 4
        v = (v & ~(0x3 << 62)) | (0x2 << 62)  # variant (RFC 9562)
        return _format_uuid(v)

    def uuid7(self, at: str) -> str:
        """A version 7 UUID for the instant `at` (an ISO text), as `clerk.domain.case_numbers.new_uuid`."""
        ms = self._ms.get(at)
        if ms is None:
            ms = self._ms[at] = int(datetime.fromisoformat(at).timestamp() * 1000)
        v = (ms & ((1 << 48) - 1)) << 80
        v |= 0x7 << 76
        v |= self.rng.getrandbits(12) << 64
        v |= 0b10 << 62
        v |= self.rng.getrandbits(62)
        return _format_uuid(v)

    def case_no(self, point: str, received: str) -> str:
        day = received[:10]
        n = self.day_seq.get(day, 0) + 1
        self.day_seq[day] = n
        return make_case_number(point, date.fromisoformat(day), n)

    def person(self) -> tuple[str, str, str, str]:
        """(name, resident ID, phone, bank account) of a new synthetic person."""
        k = self.people
        self.people += 1
        birth = date(1940, 1, 1) + timedelta(days=k % 24000)
        body = f"{DEMO_AREA}{birth:%Y%m%d}{(k // 24000) % 1000:03d}"
        rng = self.rng
        name = "演示" + rng.choice(SURNAMES) + rng.choice(GIVEN)
        return (
            name,
            body + resident_id_check_char(body),
            f"199{rng.randrange(10**8):08d}",
            f"62{rng.randrange(10**15):015d}",
        )

    def credit_code(self) -> str:
        body = "91" + DEMO_AREA + "".join(self.rng.choice(CREDIT_ALPHABET) for _ in range(9))
        return body + credit_code_check_char(body)


def _format_uuid(v: int) -> str:
    h = f"{v:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _is_date(value: Any) -> bool:
    """A date or instant in an event's data (a deadline: `due`, `due_start`, `previous_due`)."""
    return (
        isinstance(value, str)
        and len(value) >= 10
        and value[4] == "-"
        and value[7] == "-"
        and value[:4].isdigit()
    )


def copy_case(
    t: TemplateCase, days: int, cp: Copier, order: int, point: str | None = None
) -> tuple[dict[str, list[dict[str, Any]]], list[tuple]]:
    """New rows for one copy of `t` moved `days` days (at `point`, when given); events come
    back with their sort key."""
    old = t.case
    c = cp.shifted(old, days)
    if point:
        c["point_code"] = point
        if c.get("origin_point"):
            c["origin_point"] = point
    c["uuid"] = case_uuid = cp.uuid7(c["received_at"])
    c["case_no"] = case_no = cp.case_no(c["point_code"], c["received_at"])
    if c["applicant_kind"] == "person":
        c["applicant_name"], c["id_number"], c["phone"], c["bank_account"] = cp.person()
    elif c["id_type"] == "credit_code":
        c["id_number"] = code = cp.credit_code()
        if c["credit_code"]:
            c["credit_code"] = code
    if c["agent_name"]:
        c["agent_name"], c["agent_id_number"], _, _ = cp.person()
    rows: dict[str, list[dict[str, Any]]] = {"cases": [c]}
    materials = rows["case_materials"] = []
    for m in t.materials:
        n = cp.shifted(m, days)
        n["uuid"], n["case_uuid"] = cp.uuid4(), case_uuid
        if point:
            n["point_code"] = point
        materials.append(n)
    documents = rows["documents"] = []
    doc_ids: dict[str, str] = {}
    for d in t.documents:
        n = cp.shifted(d, days)
        n["uuid"] = doc_ids[d["uuid"]] = cp.uuid7(n["issued_at"])
        n["case_uuid"] = case_uuid
        if point:
            n["point_code"] = point
        if n["doc_no"]:
            n["doc_no"] = case_no + n["doc_no"][len(old["case_no"]) :]
        documents.append(n)
    for n in documents:
        if n.get("reprint_of"):
            n["reprint_of"] = doc_ids.get(n["reprint_of"])
    evaluations = rows["evaluations"] = []
    for e in t.evaluations:
        n = cp.shifted(e, days)
        n["uuid"], n["case_uuid"] = cp.uuid7(n["at"]), case_uuid
        if point:
            n["point_code"] = point
        evaluations.append(n)
    events = []
    shift = cp.shift
    for i, e in enumerate(t.events):
        at = shift(e["at"], days)
        fields = {k: v for k, v in e.items() if k not in CHAIN_COLUMNS}
        data: dict[str, Any] = {
            k: (shift(v, days) if _is_date(v) else v) for k, v in json.loads(e["data"]).items()
        }
        named: list[dict[str, Any]] = data.get("documents") or []
        if named:  # the documents a move names carry the copy's numbers
            data["documents"] = [_renumbered(d, case_no, str(old["case_no"])) for d in named]
        fields.update(uuid=cp.uuid4(), case_uuid=case_uuid, at=at, data=data)
        if point:
            fields["point_code"] = point
        events.append((at, order, i, fields))
    return rows, events


# ---------------------------------------------------------------------- the worker

_TEMPLATE: list[TemplateCase] = []
_COLUMNS: dict[str, list[str]] = {}
_ORIGIN = ""


def init_worker(template_path: Path, columns: dict[str, list[str]], origin: str) -> None:
    """Pool initializer: load the template and the target's columns once per worker."""
    global _TEMPLATE, _COLUMNS, _ORIGIN
    _TEMPLATE = load_template(template_path)
    _COLUMNS = columns
    _ORIGIN = origin


def event_columns(columns: list[str]) -> list[str]:
    """The event columns in the order the writer inserts them: the worker's, then LINK_COLUMNS."""
    return [c for c in columns if c not in LINK_COLUMNS] + list(LINK_COLUMNS)


def window_rows(job: WindowJob) -> WindowRows:
    """Every row of one window (the events without their links), in insertion order."""
    cp = Copier(random.Random(job.seed * 1_000_003 + job.index), job.day_last, job.first_person)
    tables: dict[str, list[dict[str, Any]]] = {t: [] for t in CASE_TABLES}
    pending: list[tuple] = []
    for order, ti in enumerate(job.members):
        rows, evs = copy_case(_TEMPLATE[ti], job.days, cp, order, job.point)
        for table, rs in rows.items():
            tables[table].extend(rs)
        pending.extend(evs)
    pending.sort(key=lambda e: (e[0], e[1], e[2]))
    ev_cols = event_columns(_COLUMNS["events"])[: -len(LINK_COLUMNS)]
    canonical = chain.canonical_json
    events: list[tuple] = []
    payloads: list[str] = []
    seq = job.first_seq
    for _at, _order, _i, f in pending:
        seq += 1
        f["seq"] = f["n"] = seq
        f["origin"] = job.point or _ORIGIN
        fmt = int(f.setdefault("format", chain.CURRENT_FORMAT))
        payloads.append(canonical({name: f[name] for name in chain.hashed_names(fmt)}))
        f["data"] = canonical(f["data"])
        events.append(tuple(f.get(c) for c in ev_cols))
    return WindowRows(
        index=job.index,
        cases=len(job.members),
        tables={t: [tuple(r.get(c) for c in _COLUMNS[t]) for r in rs] for t, rs in tables.items()},
        fts=[
            (c["uuid"], fts.spaced(c["applicant_name"]), fts.spaced(c["unit_name"]))
            for c in tables["cases"]
        ],
        events=events,
        payloads=payloads,
    )


def _renumbered(document: dict[str, Any], case_no: str, old_case_no: str) -> dict[str, Any]:
    """A document named in an event, under the copy's case number."""
    number = document.get("no")
    if not number:
        return document
    return {**document, "no": case_no + str(number)[len(old_case_no) :]}
