"""Counting you can trust: the supervision figures of a day at a county office equal its own daily
ledger (日结单), its township point's cases included, and importing the same bundle again changes
no figure."""

from __future__ import annotations

from collections import Counter

from support.sync import OFFICE, POINT, complete, export, opened, person, user

from clerk.domain.indicators import Period, Rate
from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Action, CaseState, Rating
from clerk.service.ledger import Ledger


def run_the_day(county, point, tmp_path, clock):  # type: ignore[no-untyped-def]
    """Monday 2 November 2026 at a township point and its county office."""
    clerk = user(point, "clerk1")
    instant = opened(point, 3, 0)  # accepted and closed at once
    point.accept(clerk, instant)
    point.rate(clerk, instant, Rating.VERY_UNSATISFIED, "等候太久")
    reviewed = opened(point, 19, 1)  # accepted at the point, approved at the county
    point.accept(clerk, reviewed)
    refused = opened(point, 19, 2)
    point.refuse(clerk, refused, "材料不实")
    noticed = point.open_case(clerk, 19, person(3, "李四")).uuid
    point.check_materials(
        clerk,
        noticed,
        {m.id: MaterialCheck(m.id, "missing") for m in point.required_for(19, frozenset())},
    )
    point.issue_notice(clerk, noticed)
    up = export(point, tmp_path / "up").path
    assert county.import_bundle(up).status == "imported"

    own = county.open_case(user(county, "clerk1"), 3, person(0, "王五")).uuid
    complete(county, own, 3)
    county.accept(user(county, "clerk1"), own)
    county.rate(user(county, "clerk1"), own, Rating.SATISFIED)
    clock.set(2026, 11, 2, 15, 0)
    county.approve(user(county, "rev1"), reviewed)
    return up


def ledger_counts(ledger: Ledger) -> dict[str, int]:
    actions = {a.action: a.count for a in ledger.actions}
    outcomes = {o.state: o.count for o in ledger.by_outcome}
    ratings = {r.level: r.count for r in ledger.ratings}
    return {
        "received": ledger.received,
        "accepted": actions.get(Action.ACCEPT, 0),
        "refused": actions.get(Action.REFUSE, 0),
        "noticed": actions.get(Action.NOTICE, 0),
        "closed": outcomes.get(CaseState.CLOSED, 0) + outcomes.get(CaseState.REJECTED, 0),
        "ratings": ledger.ratings_total,
        "good": ratings[Rating.VERY_SATISFIED] + ratings[Rating.SATISFIED],
        "bad": len(ledger.bad_ratings),
    }


def report_counts(f) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {
        "received": f.received,
        "accepted": f.accepted,
        "refused": f.refusal.part,
        "noticed": f.one_time_notice.part,
        "closed": f.closed,
        "ratings": f.good.whole,
        "good": f.good.part,
        "bad": f.bad,
    }


def test_a_days_figures_equal_the_countys_own_ledger(pair, tmp_path, clock):  # type: ignore[no-untyped-def]
    county, point = pair
    run_the_day(county, point, tmp_path, clock)
    day = county.today()
    report = county.supervision(Period.day(day))
    office = report.office(OFFICE)
    ledger = county.ledger(day, OFFICE)
    assert report_counts(office.figures) == ledger_counts(ledger)
    assert report_counts(report.total) == ledger_counts(county.ledger(day))
    assert ledger_counts(ledger) == {
        "received": 5,
        "accepted": 3,
        "refused": 1,
        "noticed": 1,
        "closed": 3,
        "ratings": 2,
        "good": 1,
        "bad": 1,
    }
    f = office.figures
    assert (f.refusal, f.instant_cases, f.one_time_notice, f.follow_up) == (
        Rate(1, 5),
        Rate(2, 3),
        Rate(1, 1),
        Rate(0, 1),
    )
    assert {p.code: p.figures.received for p in office.points} == {OFFICE: 1, POINT: 4}
    assert Counter(g.code for g in office.items) == Counter({"3": 1, "19": 1})
    # The month and the day agree: nothing else happened in November.
    assert report_counts(county.supervision(Period.month(2026, 11)).total) == report_counts(
        report.total
    )


def test_importing_the_same_bundle_again_changes_no_figure(pair, tmp_path, clock):  # type: ignore[no-untyped-def]
    county, point = pair
    up = run_the_day(county, point, tmp_path, clock)
    before = county.supervision(Period.month(2026, 11)).as_json()
    again = county.import_bundle(up)
    assert again.status != "imported" or not any(again.imported.values())
    assert county.supervision(Period.month(2026, 11)).as_json() == before


def test_an_older_bundle_arriving_after_a_newer_one_changes_no_figure(pair, tmp_path, clock):  # type: ignore[no-untyped-def]
    county, point = pair
    older = run_the_day(county, point, tmp_path, clock)
    clerk = user(point, "clerk1")
    late = opened(point, 3, 1, "赵六")
    point.accept(clerk, late)
    newer = export(point, tmp_path / "three").path  # carries everything not acknowledged
    assert county.import_bundle(newer).status == "imported"
    before = county.supervision(Period.month(2026, 11)).as_json()
    assert before["offices"][OFFICE]["received"] == 6
    county.import_bundle(older)  # out of order: older than what the county holds
    assert county.supervision(Period.month(2026, 11)).as_json() == before
