"""`Supervision`: the supervision figures (`clerk.domain.indicators`) of a store's cases over a
day or a month, per county office, per point and per item, with the whole (the city's) total.

The store yields one fact record per relevant case (`Store.supervised_cases`); every figure is
computed here by the domain's one definition, so the city, a county and a test count alike. The
report's JSON keys the counties by office code and gives the counts behind every rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from clerk.domain.indicators import (
    DEFAULT_FOLLOW_UP_DAYS,
    Figures,
    Period,
    Rate,
    SupervisedCase,
    figures,
)
from clerk.service.context import DeskContext
from clerk.service.errors import ServiceError

# The office setting that overrides the default follow-up deadline of bad ratings (working days).
SETTING_FOLLOW_UP_DAYS = "supervision_follow_up_days"

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

    def supervision(self, period: Period, follow_up_days: int | None = None) -> SupervisionReport:
        """The figures of `period` per office, point and item, and in total."""
        days = self.follow_up_days() if follow_up_days is None else follow_up_days
        if days < 1:
            raise ServiceError("差评回访期限至少为 1 个工作日。")
        instant = frozenset(i.no for i in self.ctx.catalog.items if i.time_limit.is_instant)
        cases = list(self.ctx.store.supervised_cases(period.first, period.last, instant))

        def compute(group: Iterable[SupervisedCase]) -> Figures:
            return figures(group, period, self.ctx.calendar, follow_up_days=days)

        by_office: dict[str, list[SupervisedCase]] = {}
        for case in cases:
            by_office.setdefault(case.office, []).append(case)
        offices = tuple(
            OfficeFigures(
                code=code,
                name=self._office_name(code),
                figures=compute(group),
                points=tuple(
                    Group(point, self._point_name(point), compute(members))
                    for point, members in sorted(_by(group, lambda c: c.point).items())
                ),
                items=self._items(group, compute),
            )
            for code, group in sorted(by_office.items())
        )
        return SupervisionReport(
            period=period,
            follow_up_days=days,
            total=compute(cases),
            offices=offices,
            items=self._items(cases, compute),
        )

    def _items(self, cases: list[SupervisedCase], compute: Any) -> tuple[Group, ...]:
        groups = _by(cases, lambda c: c.item_no)
        return tuple(
            Group(str(no), self._item_name(no), compute(groups[no])) for no in sorted(groups)
        )

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


def _by(cases: Iterable[SupervisedCase], key: Any) -> dict[Any, list[SupervisedCase]]:
    groups: dict[Any, list[SupervisedCase]] = {}
    for case in cases:
        groups.setdefault(key(case), []).append(case)
    return groups


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
