"""`Supervision`: the supervision figures (`clerk.domain.indicators`) of a store's cases over a
day or a month, per county office, per point and per item, with the whole (the city's) total.

The store yields one fact record per relevant case (`Store.supervised_cases`); every figure is
computed here by the domain's one definition, so the city, a county and a test count alike. The
report's JSON keys the counties by office code and gives the counts behind every rate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from clerk.domain.indicators import (
    DEFAULT_FOLLOW_UP_DAYS,
    OPEN_STATES,
    Figures,
    Period,
    Rate,
    RememberingCalendar,
    SupervisedCase,
    Tally,
)
from clerk.ports.supervision import FIGURE_LABELS, FIGURE_PAGE, FigureCases
from clerk.service.context import DeskContext
from clerk.service.errors import ServiceError

# The office setting that overrides the default follow-up deadline of bad ratings (working days).
SETTING_FOLLOW_UP_DAYS = "supervision_follow_up_days"
# How many months a trend shows, and how often a long count reports its progress (cases).
TREND_MONTHS = 12
PROGRESS_EVERY = 10_000

K = TypeVar("K")
V = TypeVar("V")

RATES: tuple[tuple[str, str], ...] = (
    ("closure", "办结率"),
    ("on_time", "按时办结率"),
    ("overdue", "超期率"),
    ("instant_cases", "即办件占比（按件）"),
    ("instant_items", "即办件占比（按事项）"),
    ("one_time_notice", "一次性告知率"),
    ("refusal", "不予受理率"),
    ("rated", "评价率"),
    ("good", "好评率"),
    ("follow_up", "差评回访率"),
)
COUNTS: tuple[tuple[str, str], ...] = (
    ("received", "收件量"),
    ("accepted", "受理量"),
    ("closed", "办结量"),
    ("deemed", "视为受理"),
    ("bad", "差评数"),
)


@dataclass(frozen=True)
class Group:
    """The figures of one office, point or item."""

    code: str
    name: str
    figures: Figures
    items: tuple[Group, ...] = ()  # a point's figures per item (for the drill-down)


@dataclass(frozen=True)
class OfficeFigures:
    """One county office: its own figures, its points' and its items'."""

    code: str
    name: str
    figures: Figures
    points: tuple[Group, ...]
    items: tuple[Group, ...]


@dataclass(frozen=True)
class SupervisionReport:
    period: Period
    follow_up_days: int
    total: Figures  # every case in the store (at the city: the city)
    offices: tuple[OfficeFigures, ...]
    items: tuple[Group, ...]  # the total per item

    def office(self, code: str) -> OfficeFigures:
        for o in self.offices:
            if o.code == code:
                return o
        raise KeyError(code)

    def as_json(self) -> dict[str, Any]:
        return {
            "period": {
                "first": self.period.first.isoformat(),
                "last": self.period.last.isoformat(),
            },
            "follow_up_days": self.follow_up_days,
            "city": figures_json(self.total),
            "items": {g.code: _group_json(g) for g in self.items},
            "offices": {
                o.code: {
                    "name": o.name,
                    **figures_json(o.figures),
                    "points": {g.code: _group_json(g) for g in o.points},
                    "items": {g.code: _group_json(g) for g in o.items},
                }
                for o in self.offices
            },
        }


@dataclass(frozen=True)
class TrendRow:
    """One office's figures, month by month."""

    code: str
    name: str
    months: tuple[Figures, ...]


@dataclass(frozen=True)
class SupervisionTrend:
    """Every figure per office and in total for each of a run of months (oldest first)."""

    months: tuple[Period, ...]
    follow_up_days: int
    total: tuple[Figures, ...]
    offices: tuple[TrendRow, ...]

    def labels(self) -> list[str]:
        return [f"{p.first.year}-{p.first.month:02d}" for p in self.months]

    def office(self, code: str) -> TrendRow:
        for o in self.offices:
            if o.code == code:
                return o
        raise KeyError(code)

    def as_json(self) -> dict[str, Any]:
        return {
            "months": self.labels(),
            "follow_up_days": self.follow_up_days,
            "city": [figures_json(f) for f in self.total],
            "offices": {
                o.code: {"name": o.name, "months": [figures_json(f) for f in o.months]}
                for o in self.offices
            },
        }


def figures_json(f: Figures) -> dict[str, Any]:
    """Every figure: the counts, each rate with the counts behind it, the ages per item."""
    out: dict[str, Any] = {key: getattr(f, key) for key, _label in COUNTS}
    for key, _label in RATES:
        rate: Rate = getattr(f, key)
        out[key] = rate.as_json()
    out["follow_up_days"] = f.follow_up_days
    out["ages"] = {
        str(item): {"cases": a.cases, "median": a.median, "p90": a.p90}
        for item, a in f.ages.items()
    }
    return out


def _group_json(g: Group) -> dict[str, Any]:
    return {"name": g.name, **figures_json(g.figures)}


class Supervision:
    """The supervision desk: read-only, over every case the store holds."""

    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx

    def follow_up_days(self) -> int:
        """The office's follow-up deadline for bad ratings (its setting, else the default)."""
        raw = self.ctx.store.get_setting(SETTING_FOLLOW_UP_DAYS)
        try:
            days = int(raw) if raw else DEFAULT_FOLLOW_UP_DAYS
        except ValueError:
            days = DEFAULT_FOLLOW_UP_DAYS
        return days if days >= 1 else DEFAULT_FOLLOW_UP_DAYS

    def supervision(
        self,
        period: Period,
        follow_up_days: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> SupervisionReport:
        """The figures of `period` per office, point and item, and in total, counted as the
        store's rows stream past (`progress`, if given, hears the number of cases read so far
        every `PROGRESS_EVERY` cases)."""
        days = self._days(follow_up_days)
        calendar = RememberingCalendar(self.ctx.calendar)  # one memory for every group

        def tally() -> Tally:
            return Tally(period, calendar, follow_up_days=days)

        total = tally()
        offices: dict[str, Tally] = {}
        points: dict[tuple[str, str], Tally] = {}
        office_items: dict[tuple[str, int], Tally] = {}
        items: dict[int, Tally] = {}
        point_items: dict[tuple[str, str, int], Tally] = {}
        for n, case in enumerate(self._cases(period.first, period.last), 1):
            total.add(case)
            _get(offices, case.office, tally).add(case)
            _get(points, (case.office, case.point), tally).add(case)
            _get(point_items, (case.office, case.point, case.item_no), tally).add(case)
            _get(office_items, (case.office, case.item_no), tally).add(case)
            _get(items, case.item_no, tally).add(case)
            if progress is not None and n % PROGRESS_EVERY == 0:
                progress(n)
        return SupervisionReport(
            period=period,
            follow_up_days=days,
            total=total.figures(),
            offices=tuple(
                OfficeFigures(
                    code=code,
                    name=self._office_name(code),
                    figures=offices[code].figures(),
                    points=tuple(
                        Group(
                            point,
                            self._point_name(point),
                            points[office, point].figures(),
                            tuple(
                                Group(str(no), self._item_name(no), t.figures())
                                for (o, p, no), t in sorted(point_items.items())
                                if (o, p) == (office, point)
                            ),
                        )
                        for office, point in sorted(points)
                        if office == code
                    ),
                    items=tuple(
                        Group(str(no), self._item_name(no), office_items[office, no].figures())
                        for office, no in sorted(office_items)
                        if office == code
                    ),
                )
                for code in sorted(offices)
            ),
            items=tuple(
                Group(str(no), self._item_name(no), items[no].figures()) for no in sorted(items)
            ),
        )

    def supervision_trend(
        self,
        year: int,
        month: int,
        months: int = TREND_MONTHS,
        follow_up_days: int | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> SupervisionTrend:
        """Every figure per office and for the whole, month by month, for the `months` months
        ending with `year`-`month`, in one streaming pass over the span's cases.

        A month before the last counts a case as still being worked at its end when the case was
        accepted by then and finished only later (the read gives each case's state at the span's
        end; a case that left the work otherwise, e.g. withdrawn, counts as open only while its
        state says so)."""
        if months < 1:
            raise ServiceError("趋势至少包含 1 个月。")
        days = self._days(follow_up_days)
        calendar = RememberingCalendar(self.ctx.calendar)  # one memory for every group
        periods = _months_ending(year, month, months)
        span = Period(periods[0].first, periods[-1].last)

        def row() -> list[Tally]:
            return [Tally(p, calendar, follow_up_days=days) for p in periods]

        total = row()
        offices: dict[str, list[Tally]] = {}
        last = len(periods) - 1
        for n, case in enumerate(self._cases(span.first, span.last), 1):
            own = _get(offices, case.office, row)
            for i, period in enumerate(periods):
                if case.received_on > period.last:
                    continue  # not yet received at this month's end: counts in no figure
                open_at_end = None if i == last else _open_at(case, period.last)
                total[i].add(case, open_at_end=open_at_end)
                own[i].add(case, open_at_end=open_at_end)
            if progress is not None and n % PROGRESS_EVERY == 0:
                progress(n)
        return SupervisionTrend(
            months=tuple(periods),
            follow_up_days=days,
            total=tuple(t.figures() for t in total),
            offices=tuple(
                TrendRow(code, self._office_name(code), tuple(t.figures() for t in offices[code]))
                for code in sorted(offices)
            ),
        )

    def figure_cases(
        self,
        figure: str,
        period: Period,
        place: tuple[int, str, str | None],
        after: tuple[str, str] | None = None,
        limit: int | None = None,
    ) -> FigureCases:
        """One page of the cases behind `figure` (`clerk.ports.supervision.FIGURE_LABELS`) in
        `period` at `place` = (item, office, point or None), after the key of the page before."""
        if figure not in FIGURE_LABELS:
            raise ServiceError(f"没有“{figure}”这项指标。")
        return self.ctx.store.figure_cases(
            figure, (period.first, period.last), place, after, limit or FIGURE_PAGE
        )

    def _days(self, follow_up_days: int | None) -> int:
        days = self.follow_up_days() if follow_up_days is None else follow_up_days
        if days < 1:
            raise ServiceError("差评回访期限至少为 1 个工作日。")
        return days

    def _cases(self, first: date, last: date) -> Iterator[SupervisedCase]:
        instant = frozenset(i.no for i in self.ctx.catalog.items if i.time_limit.is_instant)
        return iter(self.ctx.store.supervised_cases(first, last, instant))

    def _office_name(self, code: str) -> str:
        try:
            office = self.ctx.offices.office(code)
        except KeyError:
            return code
        return office.name

    def _point_name(self, code: str) -> str:
        try:
            return self.ctx.offices.point(code).name
        except KeyError:
            return code

    def _item_name(self, no: int) -> str:
        try:
            return self.ctx.catalog.item(no).name
        except KeyError:
            return f"事项 {no}"


def _get(groups: dict[K, V], key: K, make: Callable[[], V]) -> V:
    found = groups.get(key)
    if found is None:
        found = groups[key] = make()
    return found


def _open_at(case: SupervisedCase, end: date) -> bool:
    """Whether `case` was still being worked at `end` (see `Supervision.supervision_trend`)."""
    if case.finished_on is not None:
        return case.finished_on > end
    return case.state in OPEN_STATES


def _months_ending(year: int, month: int, months: int) -> list[Period]:
    out = []
    for back in range(months - 1, -1, -1):
        index = year * 12 + (month - 1) - back
        out.append(Period.month(index // 12, index % 12 + 1))
    return out


def render_text(report: SupervisionReport) -> str:
    """The report in Chinese, for the terminal: the total, then each county with its points."""
    period = report.period
    if period.first == period.last:
        title = f"医保经办监督统计　{period.first.isoformat()}"
    else:
        title = f"医保经办监督统计　{period.first.isoformat()} 至 {period.last.isoformat()}"
    lines = [title, f"（差评回访期限：{report.follow_up_days} 个工作日）", ""]
    lines += _figures_lines("全部", report.total)
    for office in report.offices:
        lines.append("")
        lines += _figures_lines(f"{office.name}（{office.code}）", office.figures)
        for point in office.points:
            if point.code != office.code or len(office.points) > 1:
                f = point.figures
                lines.append(
                    f"    服务点 {point.name}（{point.code}）：收件 {f.received}，受理 {f.accepted}，"
                    f"办结 {f.closed}，按时办结率 {f.on_time.percent()}，差评 {f.bad}"
                )
    if report.items:
        lines += ["", "各事项办理用时（工作日，本期办结件）："]
        for group in report.items:
            for item_no, ages in group.figures.ages.items():
                median = "—" if ages.median is None else f"{ages.median:g}"
                p90 = "—" if ages.p90 is None else str(ages.p90)
                lines.append(
                    f"  事项 {item_no} {group.name}：{ages.cases} 件，中位数 {median}，90% 分位 {p90}"
                )
    return "\n".join(lines)


def _figures_lines(title: str, f: Figures) -> list[str]:
    def rate(r: Rate) -> str:
        return f"{r.percent()}（{r.part}/{r.whole}）"

    return [
        f"【{title}】",
        f"  收件 {f.received}　受理 {f.accepted}　办结 {f.closed}　视为受理 {f.deemed}　差评 {f.bad}",
        f"  办结率 {rate(f.closure)}　按时办结率 {rate(f.on_time)}　超期率 {rate(f.overdue)}",
        f"  即办件占比 按件 {rate(f.instant_cases)}　按事项 {rate(f.instant_items)}",
        f"  一次性告知率 {rate(f.one_time_notice)}　不予受理率 {rate(f.refusal)}",
        f"  评价率 {rate(f.rated)}　好评率 {rate(f.good)}　"
        f"差评 {f.follow_up_days} 个工作日内回访率 {rate(f.follow_up)}",
    ]
