"""The supervisor's 差评待回访 queue agrees with the ledger (a point's bad rating included); the
chain heads are printed whole at 80 columns."""

from __future__ import annotations

from support.sync import export, opened, user

from clerk.domain.model import Rating
from clerk.service.ledger_export import display_width, render_text


def test_a_points_bad_rating_is_in_the_county_supervisors_queue(pair, tmp_path):  # type: ignore[no-untyped-def]
    county, point = pair
    uuid = opened(point, 3)  # 灵活就业人员增加登记: accepted and closed at once
    clerk = user(point, "clerk1")
    point.accept(clerk, uuid)
    point.rate(clerk, uuid, Rating.VERY_UNSATISFIED, "等候太久")
    county.import_bundle(export(point, tmp_path / "up").path)
    boss = user(county, "boss")
    ledger = county.ledger(county.today(), "YZ03")
    assert ledger.bad_not_followed_up == 1
    queue = county.queues(boss).bad_ratings
    assert [c.uuid for c in queue] == [uuid]
    county.follow_up(boss, uuid, "已电话回访，作出解释")
    assert county.queues(boss).bad_ratings == []
    assert county.ledger(county.today(), "YZ03").bad_not_followed_up == 0


def test_every_chain_head_line_fits_80_columns(pair, tmp_path):  # type: ignore[no-untyped-def]
    county, point = pair
    opened(point, 3)
    county.import_bundle(export(point, tmp_path / "up").path)
    county.open_case(user(county, "clerk1"), 3, __import__("support.sync").sync.person(1))
    text = render_text(county.ledger(county.today(), "YZ03"))
    heads = [line for line in text.splitlines() if set(line.strip()) <= set("0123456789abcdef ")]
    heads = [h for h in heads if len(h.strip()) > 60]
    assert len(heads) >= 2  # this office's chain and the point's
    assert all(display_width(h) <= 76 for h in heads)
