"""100 points sending their day at once to one county server (a real `clerk serve` on
127.0.0.1, at its default limit of 8 uploads at once; the rest are told 503 and retry): every
bundle imported exactly once, the counts right, verify passes. The timing is in
`bench.net_load`, not here."""

from __future__ import annotations

from pathlib import Path

from support.db import template_db
from support.net import live

from bench import net_load
from clerk.net import client as net
from clerk.storage.sqlite.files import verify_file

POINTS = 100
CASES = 1  # one collected case each: three events and a receipt


def test_a_hundred_points_sending_at_once_are_each_imported_once(tmp_path: Path, clock) -> None:
    built = net_load.build(tmp_path / "built", POINTS, CASES, clock=clock, template=template_db())
    county = net_load._window(built.county, built.county.parent / "documents", clock)
    retries = net.Retries(attempts=2000, wait_initial=0.02, wait_max=0.2, timeout=600)
    try:
        with live(county, tmp_path / "serve") as server:  # type: ignore[arg-type]
            answers = net_load.send_all(built.points, server.url, retries, clock=clock)
        assert len(answers) == POINTS
        assert answers == {
            net_load.point_code(i): [(1, 201, "imported")] for i in range(1, POINTS + 1)
        }
        sync = county.sync_store()  # type: ignore[attr-defined]
        for i in range(1, POINTS + 1):
            code = net_load.point_code(i)
            assert [int(r["seq"]) for r in sync.bundles("in", code)] == [1], code
            assert sync.head(code)[0] == 3 * CASES, code
        assert len(sync.bundles("in", None, limit=10 * POINTS)) == POINTS  # nothing doubled
        spool = tmp_path / "serve" / "spool"
        assert not list(spool.glob(".*.part"))
        assert sorted(p.parent.name for p in spool.glob("*/000001.json")) == sorted(answers)
    finally:
        county.store.close()  # type: ignore[attr-defined]
    assert verify_file(built.county)["ok"]
    for path in built.points:  # each point's bundle marked as taken, nothing left to send
        assert net.pending_bundles(net.outbox_dir(path), path.parent.name, "YZ03") == []
