"""The lists that need action, across the counties (issue 21 item 4), for the city or a county:

- 超期: cases accepted (已受理/待拨付) past their due date; 临期: due within the next 3 working days;
- 滞留收件: cases still in 收件 more than 5 working days after receipt (行政许可法 Art. 32: a
  notice within 5 working days, or the case counts as accepted);
- 差评未回访: bad ratings (1–2) with no follow-up more than N working days after the rating (N the
  follow-up setting the figures use);
- 冲突 and 时间异常 reported by imports (the conflict queue's open entries; the stored time
  anomalies, `SyncStore.time_anomalies`, the newest 1,000);
- 确认点缺失: chains a county no longer holds up to what the city acknowledged (the county's
  bundle names them instead of sending them, `clerk.sync.export`).

Each case list is one port read (`Store.action_cases`, `clerk.ports.action_cases`), counted per
office by the engine (`Store.action_counts`) and read a page at a time (`limit`, `offset`) or
streamed whole (`SupervisionLists.listed`): however many cases a city holds, nothing keeps more
than a page of them. As of a past day the 超期 list is the period's 超期 figure's cases
(`overdue_period`: finished late in it, or still being worked at its end past the due date), so
a past month's list and its figure agree; the other lists are as the cases stand now. The import
findings come from the sync store's conflict queue and bundle log; nothing is written.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

from clerk.domain.indicators import Period, WorkingDays
from clerk.domain.model import CaseState
from clerk.ports.action_cases import ACTION_PAGE, ActionCase, ActionQuery
from clerk.service.context import DeskContext
from clerk.service.errors import ServiceError
from clerk.service.supervision import Supervision

DUE_SOON_DAYS = 3  # working days ahead counted as 临期
INTAKE_DAYS = 5  # 行政许可法 Art. 32: a one-time notice within 5 working days
TIME_ANOMALIES_SHOWN = 1000  # the newest; the full record stays in the store
LIST_ROWS_SHOWN = 50  # entries of each list printed (terminal, PDF) and the page's default size
XLSX_LIST_ROWS = 10_000  # entries of each list on its XLSX sheet (the count is always whole)
OPEN_STATES = frozenset({CaseState.ACCEPTED, CaseState.AWAITING_PAYMENT})

LIST_LABELS: dict[str, str] = {
    "overdue": "超期未办结",
    "due_soon": f"{DUE_SOON_DAYS} 个工作日内到期",
    "stuck_in_intake": f"收件超过 {INTAKE_DAYS} 个工作日未作受理决定",
    "bad_ratings": "差评逾期未回访",
    "conflicts": "导入报告的冲突",
    "time_anomalies": "导入报告的时间异常",
    "lost_checkpoints": "县区已不再持有市级确认的记录",
}


@dataclass(frozen=True)
class ListedCase:
    """One case on a list: where, which, since when (no personal data)."""

    office: str
    point: str
    case_no: str
    item_no: int
    state: str
    received_on: date
    due_date: date | None = None
    rated_on: date | None = None
    days: int = 0  # working days past the limit (overdue, intake, follow-up) or left (due soon)
    key: tuple[str, str] = ("", "")  # the page key: `SupervisionLists.listed(after=...)`

    def as_json(self) -> dict[str, Any]:
        return {
            "office": self.office,
            "point": self.point,
            "case_no": self.case_no,
            "item_no": self.item_no,
            "state": self.state,
            "received_on": self.received_on.isoformat(),
            "due_date": self.due_date.isoformat() if self.due_date else None,
            "rated_on": self.rated_on.isoformat() if self.rated_on else None,
            "days": self.days,
        }


@dataclass(frozen=True)
class ListedIssue:
    """A conflict, a time anomaly or a lost checkpoint: which office, which chain, what."""

    office: str
    origin: str
    what: str
    case_no: str = ""
    seq: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "office": self.office,
            "origin": self.origin,
            "case_no": self.case_no,
            "seq": self.seq,
            "what": self.what,
        }


@dataclass
class ActionLists:
    """Every list's count per office, and one page of each case list (`offset`, `limit`)."""

    day: date
    follow_up_days: int
    overdue: list[ListedCase] = field(default_factory=list)
    due_soon: list[ListedCase] = field(default_factory=list)
    stuck_in_intake: list[ListedCase] = field(default_factory=list)
    bad_ratings: list[ListedCase] = field(default_factory=list)
    conflicts: list[ListedIssue] = field(default_factory=list)
    time_anomalies: list[ListedIssue] = field(default_factory=list)
    lost_checkpoints: list[ListedIssue] = field(default_factory=list)
    case_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # list → office → n
    queries: dict[str, ActionQuery] = field(default_factory=dict)  # how each case list is read
    overdue_period: Period | None = None  # 超期 as the period's figure counts it (a past day)
    offset: int = 0
    limit: int | None = LIST_ROWS_SHOWN

    def count(self, key: str) -> int:
        """How many entries list `key` holds (all of them, not only the page)."""
        if key in CASE_LISTS:
            return sum(self.case_counts.get(key, {}).values())
        return len(getattr(self, key))

    def counts(self) -> dict[str, int]:
        return {key: self.count(key) for key in LIST_LABELS}

    def by_office(self) -> dict[str, dict[str, int]]:
        """Per office code, how many entries of each list."""
        out: dict[str, dict[str, int]] = {}
        for key in LIST_LABELS:
            if key in CASE_LISTS:
                for office, n in self.case_counts.get(key, {}).items():
                    if n:
                        out.setdefault(office, dict.fromkeys(LIST_LABELS, 0))[key] += n
                continue
            for entry in getattr(self, key):
                out.setdefault(entry.office, dict.fromkeys(LIST_LABELS, 0))[key] += 1
        return dict(sorted(out.items()))

    def as_json(
        self, entries: Callable[[str], Iterable[ListedCase]] | None = None
    ) -> dict[str, Any]:
        """The counts and each list's entries: the page held, or what `entries(key)` yields for a
        case list (a generator: `clerk.cli.city` writes it out as it comes)."""
        period = self.overdue_period
        out: dict[str, Any] = {
            "day": self.day.isoformat(),
            "follow_up_days": self.follow_up_days,
            "overdue_period": (
                None
                if period is None
                else {"first": period.first.isoformat(), "last": period.last.isoformat()}
            ),
            "counts": self.counts(),
            "offices": self.by_office(),
        }
        if entries is None:
            out["offset"], out["limit"] = self.offset, self.limit
        for key in LIST_LABELS:
            if key in CASE_LISTS and entries is not None:
                out[key] = (e.as_json() for e in entries(key))
            else:
                out[key] = [e.as_json() for e in getattr(self, key)]
        return out


class SupervisionLists:
    """The lists desk: read-only, over every case and import record the store holds."""

    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx

    def action_lists(
        self,
        day: date | None = None,
        follow_up_days: int | None = None,
        *,
        limit: int | None = LIST_ROWS_SHOWN,
        offset: int = 0,
        overdue_period: Period | None = None,
    ) -> ActionLists:
        """Every list as of `day` (default today): its count per office and the entries
        `offset`..`offset + limit` (None: all — for a small store only). `overdue_period`: the
        超期 list is that period's figure's cases instead of the cases open now past due."""
        from clerk.sync import clocks  # not at start-up: it loads the sync's report

        if offset < 0 or (limit is not None and limit < 0):
            raise ServiceError("分页参数不能为负数。")
        day = day or self.ctx.today()
        days = Supervision(self.ctx).follow_up_days() if follow_up_days is None else follow_up_days
        if days < 1:
            raise ServiceError("差评回访期限至少为 1 个工作日。")
        found = ActionLists(
            day=day,
            follow_up_days=days,
            overdue_period=overdue_period,
            offset=offset,
            limit=limit,
        )
        found.queries = _queries(day, days, overdue_period, _Calendar(self.ctx.calendar))
        store = self.ctx.store
        for key, query in found.queries.items():
            found.case_counts[key] = store.action_counts(query)
            setattr(found, key, list(self.listed(found, key, offset=offset, limit=limit)))
        sync = store.sync_store()
        for conflict in sync.conflicts(open_only=True):
            issue = ListedIssue(
                office=_office_of(conflict.peer, self.ctx),
                origin=conflict.origin,
                what=_conflict_text(conflict.kind, conflict.detail),
                case_no=conflict.case_no,
                seq=conflict.seq,
            )
            found.conflicts.append(issue)
        for anomaly in sync.time_anomalies(limit=TIME_ANOMALIES_SHOWN):
            found.time_anomalies.append(
                ListedIssue(
                    office=_office_of(anomaly.peer, self.ctx),
                    origin=anomaly.origin,
                    what=clocks.text(anomaly),
                    seq=anomaly.seq,
                )
            )
        found.lost_checkpoints.extend(_lost_checkpoints(sync, self.ctx))
        return found

    def listed(
        self,
        found: ActionLists,
        key: str,
        *,
        offset: int = 0,
        limit: int | None = None,
        after: tuple[str, str] | None = None,
    ) -> Iterator[ListedCase]:
        """The entries of case list `key` (oldest received first) after the page key `after`
        (`ListedCase.key`), skipping `offset`, at most `limit` (None: every one, streamed)."""
        query = found.queries[key]
        calendar = _Calendar(self.ctx.calendar)
        store = self.ctx.store
        if limit is None:
            rows: Iterable[ActionCase] = store.action_cases(query, after)
            for case in itertools.islice(rows, offset, None):
                yield _listed(key, case, found, calendar)
            return
        skip, left = offset, limit
        while left > 0:  # keyset pages: the offset is walked, never held
            want = min(ACTION_PAGE, skip + left)
            page = list(store.action_cases(query, after, want))
            for case in page[skip:]:
                yield _listed(key, case, found, calendar)
            left -= max(0, len(page) - skip)
            skip = max(0, skip - len(page))
            if len(page) < want:
                return
            after = page[-1].key


class _Calendar:
    """The calendar's answers the lists ask for, remembered (many cases share their days)."""

    def __init__(self, calendar: WorkingDays) -> None:
        self.after = cache(lambda start, n: calendar.add_working_days(start, n)[0])
        self.between = cache(calendar.working_days_between)


def _queries(
    day: date, follow_up_days: int, period: Period | None, calendar: _Calendar
) -> dict[str, ActionQuery]:
    """Each case list's read: the days of `clerk.ports.action_cases` worked out from `day`."""
    overdue = (
        ActionQuery("overdue", last=day)
        if period is None
        else ActionQuery("overdue_in", first=period.first, last=period.last)
    )
    return {
        "overdue": overdue,
        "due_soon": ActionQuery("due_soon", first=day, last=calendar.after(day, DUE_SOON_DAYS)),
        "stuck_in_intake": ActionQuery("stuck_in_intake", last=_past(day, INTAKE_DAYS, calendar)),
        "bad_ratings": ActionQuery("bad_ratings", last=_past(day, follow_up_days, calendar)),
    }


def _past(day: date, n: int, calendar: _Calendar) -> date:
    """The first start day whose `n`-th working day after is not before `day`: whatever started
    before it is past its limit on `day` (the limit moves with the start, never back)."""
    start = day
    while calendar.after(start - timedelta(days=1), n) >= day:
        start -= timedelta(days=1)
    return start


def _listed(key: str, case: ActionCase, found: ActionLists, calendar: _Calendar) -> ListedCase:
    """A list's entry, with the working days behind it (past the limit, or left for 临期)."""
    day = found.day
    between = calendar.between
    if key == "overdue":
        assert case.due_date is not None
        period = found.overdue_period
        if period is None:
            days = between(case.due_date, day)
        elif case.finished_on is not None and case.finished_on <= period.last:
            days = between(case.due_date, case.finished_on)
        else:
            days = between(case.due_date, period.last)
    elif key == "due_soon":
        assert case.due_date is not None
        days = between(day, case.due_date)
    elif key == "stuck_in_intake":
        days = between(calendar.after(case.received_on, INTAKE_DAYS), day)
    else:
        assert case.rated_on is not None
        days = between(calendar.after(case.rated_on, found.follow_up_days), day)
    return ListedCase(
        office=case.office,
        point=case.point,
        case_no=case.case_no,
        item_no=case.item_no,
        state=case.state.label,
        received_on=case.received_on,
        due_date=case.due_date,
        rated_on=case.rated_on,
        days=days,
        key=case.key,
    )


def _office_of(code: str, ctx: DeskContext) -> str:
    try:
        return ctx.offices.office_of(code).code
    except KeyError:
        return code


def _conflict_text(kind: str, detail: dict[str, Any]) -> str:
    if kind == "not_owner":
        return f"非办理方的操作（{detail.get('action', '')}，办理方 {detail.get('owner', '')}）"
    if kind == "content":
        return f"同一办件内容不一致（{'、'.join(detail.get('fields') or [])}）"
    return kind


def _lost_checkpoints(sync: Any, ctx: DeskContext) -> Iterable[ListedIssue]:
    """Per county, the chains its latest bundle names as no longer held up to what we confirmed."""
    peers = sorted({k.point_code for k in sync.peer_keys() if k.role == "peer"})
    for peer in peers:
        latest = sync.last_bundle("in", peer)
        if latest is None:
            continue
        lost = json.loads(latest["manifest"]).get("lost") or {}
        for origin, info in sorted(lost.items()):
            yield ListedIssue(
                office=peer,
                origin=origin,
                seq=int(info.get("acked_seq") or 0),
                what=(
                    f"已确认收到第 {info.get('acked_seq')} 条，县区现只有 {info.get('held')} 条"
                    "（可能从旧备份恢复过）"
                ),
            )


def render_lists(found: ActionLists) -> str:
    """The lists as a supervisor reads them in a terminal."""
    lines = [
        f"需要处理的办件清单（截至 {found.day.isoformat()}，差评回访期限 {found.follow_up_days} 个工作日）",
        "",
    ]
    if found.overdue_period is not None:
        p = found.overdue_period
        lines[1:1] = [
            f"（超期清单为 {p.first.isoformat()} 至 {p.last.isoformat()} 期间超期的办件）"
        ]
    for key, label in LIST_LABELS.items():
        entries = getattr(found, key)
        total = found.count(key)
        lines.append(f"{label}：{total}")
        shown = entries[:LIST_ROWS_SHOWN]
        if found.offset and key in CASE_LISTS and shown:
            lines.append(f"  （从第 {found.offset + 1} 件起）")
        for e in shown:
            if isinstance(e, ListedCase):
                due = f"，期限 {e.due_date.isoformat()}" if e.due_date else ""
                lines.append(
                    f"  {e.office} {e.point} {e.case_no} 事项{e.item_no} {e.state}"
                    f"，收件 {e.received_on.isoformat()}{due}，{e.days} 个工作日"
                )
            else:
                seq = f" 第 {e.seq} 条" if e.seq is not None else ""
                case = f" {e.case_no}" if e.case_no else ""
                lines.append(f"  {e.office} {e.origin}{seq}{case}：{e.what}")
        more = total - len(shown) - (found.offset if key in CASE_LISTS else 0)
        if more > 0:
            lines.append(f"  ……另有 {more} 件（完整清单用 --json，或 --offset/--limit 翻页）")
    return "\n".join(lines)


# The columns of a list's table (PDF, XLSX): cases, and import findings. A listed case carries
# no personal data (number, item, state, dates), so nothing in these tables needs masking.
CASE_COLUMNS = (
    "县区",
    "服务点",
    "办件号",
    "事项",
    "状态",
    "收件日期",
    "期限",
    "评价日期",
    "工作日",
)
ISSUE_COLUMNS = ("县区", "记录链", "序号", "办件号", "情况")


def list_table(
    found: ActionLists,
    key: str,
    limit: int | None = None,
    entries: Iterable[ListedCase | ListedIssue] | None = None,
) -> list[list[Any]]:
    """List `key` as table rows (its header first): the first `limit` of `entries` (default:
    the entries `found` holds; `limit` None: all of them)."""
    chosen: Iterator[Any] = itertools.islice(
        getattr(found, key) if entries is None else entries, limit
    )
    if key in CASE_LISTS:
        return [list(CASE_COLUMNS)] + [
            [
                e.office,
                e.point,
                e.case_no,
                e.item_no,
                str(e.state),
                e.received_on.isoformat(),
                e.due_date.isoformat() if e.due_date else "",
                e.rated_on.isoformat() if e.rated_on else "",
                e.days,
            ]
            for e in chosen
        ]
    return [list(ISSUE_COLUMNS)] + [
        [e.office, e.origin, "" if e.seq is None else e.seq, e.case_no, e.what] for e in chosen
    ]


def counts_table(found: ActionLists) -> list[list[Any]]:
    """How many entries of each list per office, and in total (header first)."""
    rows: list[list[Any]] = [["县区", *LIST_LABELS.values()]]
    for office, counts in found.by_office().items():
        rows.append([office, *(counts[k] for k in LIST_LABELS)])
    rows.append(["合计", *found.counts().values()])
    return rows


CASE_LISTS = frozenset({"overdue", "due_soon", "stuck_in_intake", "bad_ratings"})
