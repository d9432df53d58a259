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

Each list is built from one streamed port read (`Store.action_cases`) and the sync store's
conflict queue and bundle log; nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from clerk.domain.indicators import BAD_RATINGS
from clerk.domain.model import CaseState
from clerk.ports.action_cases import ActionCase
from clerk.service.context import DeskContext
from clerk.service.supervision import Supervision

DUE_SOON_DAYS = 3  # working days ahead counted as 临期
INTAKE_DAYS = 5  # 行政许可法 Art. 32: a one-time notice within 5 working days
TIME_ANOMALIES_SHOWN = 1000  # the newest; the full record stays in the store
LIST_ROWS_SHOWN = 50  # entries of each list printed (terminal, PDF); --json and the XLSX hold all
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
    day: date
    follow_up_days: int
    overdue: list[ListedCase] = field(default_factory=list)
    due_soon: list[ListedCase] = field(default_factory=list)
    stuck_in_intake: list[ListedCase] = field(default_factory=list)
    bad_ratings: list[ListedCase] = field(default_factory=list)
    conflicts: list[ListedIssue] = field(default_factory=list)
    time_anomalies: list[ListedIssue] = field(default_factory=list)
    lost_checkpoints: list[ListedIssue] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {key: len(getattr(self, key)) for key in LIST_LABELS}

    def by_office(self) -> dict[str, dict[str, int]]:
        """Per office code, how many entries of each list."""
        out: dict[str, dict[str, int]] = {}
        for key in LIST_LABELS:
            for entry in getattr(self, key):
                out.setdefault(entry.office, dict.fromkeys(LIST_LABELS, 0))[key] += 1
        return dict(sorted(out.items()))

    def as_json(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "follow_up_days": self.follow_up_days,
            "counts": self.counts(),
            "offices": self.by_office(),
            **{key: [e.as_json() for e in getattr(self, key)] for key in LIST_LABELS},
        }


class SupervisionLists:
    """The lists desk: read-only, over every case and import record the store holds."""

    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx

    def action_lists(
        self, day: date | None = None, follow_up_days: int | None = None
    ) -> ActionLists:
        from clerk.sync import clocks  # not at start-up: it loads the sync's report

        day = day or self.ctx.today()
        days = Supervision(self.ctx).follow_up_days() if follow_up_days is None else follow_up_days
        found = ActionLists(day=day, follow_up_days=days)
        calendar = self.ctx.calendar

        @cache
        def after(start: date, n: int) -> date:
            return calendar.add_working_days(start, n)[0]

        @cache
        def between(a: date, b: date) -> int:
            return calendar.working_days_between(a, b)

        soon = after(day, DUE_SOON_DAYS)
        for case in self.ctx.store.action_cases():
            _place(case, found, day, days, soon, after, between)
        sync = self.ctx.store.sync_store()
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


def _place(
    case: ActionCase,
    found: ActionLists,
    day: date,
    follow_up_days: int,
    soon: date,
    after: Any,
    between: Any,
) -> None:
    def listed(days: int) -> ListedCase:
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
        )

    if case.state in OPEN_STATES and case.due_date is not None:
        if case.due_date < day:
            found.overdue.append(listed(between(case.due_date, day)))
        elif case.due_date <= soon:
            found.due_soon.append(listed(between(day, case.due_date)))
    if case.state == CaseState.DRAFT:
        limit = after(case.received_on, INTAKE_DAYS)
        if limit < day:
            found.stuck_in_intake.append(listed(between(limit, day)))
    if case.rating in BAD_RATINGS and case.followed_up_on is None and case.rated_on is not None:
        limit = after(case.rated_on, follow_up_days)
        if limit < day:
            found.bad_ratings.append(listed(between(limit, day)))


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
    for key, label in LIST_LABELS.items():
        entries = getattr(found, key)
        lines.append(f"{label}：{len(entries)}")
        for e in entries[:LIST_ROWS_SHOWN]:
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
        if len(entries) > LIST_ROWS_SHOWN:
            lines.append(f"  ……另有 {len(entries) - LIST_ROWS_SHOWN} 件（完整清单用 --json）")
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


def list_table(found: ActionLists, key: str, limit: int | None = None) -> list[list[Any]]:
    """List `key` as table rows (its header first), the first `limit` entries (None: all)."""
    entries = getattr(found, key)[:limit]
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
            for e in entries
        ]
    return [list(ISSUE_COLUMNS)] + [
        [e.office, e.origin, "" if e.seq is None else e.seq, e.case_no, e.what] for e in entries
    ]


def counts_table(found: ActionLists) -> list[list[Any]]:
    """How many entries of each list per office, and in total (header first)."""
    rows: list[list[Any]] = [["县区", *LIST_LABELS.values()]]
    for office, counts in found.by_office().items():
        rows.append([office, *(counts[k] for k in LIST_LABELS)])
    rows.append(["合计", *found.counts().values()])
    return rows


CASE_LISTS = frozenset({"overdue", "due_soon", "stuck_in_intake", "bad_ratings"})
