"""`clerk city report --db postgresql://…`: the same figures from a county on PostgreSQL."""

from __future__ import annotations

import json

import pytest
from support import postgres
from support.clock import MONDAY, Clock
from support.sync import OFFICE, PASSWORD, complete, person

from clerk.cli import main
from clerk.domain.catalog import default_catalog
from clerk.domain.model import Rating, Role
from clerk.domain.offices import default_offices
from clerk.service.window import Window

pytestmark = pytest.mark.skipif(postgres.skip_reason() is not None, reason="no PostgreSQL")


def test_a_county_on_postgresql_reports_its_day(tmp_path, capsys):  # type: ignore[no-untyped-def]
    from clerk.db import open_store

    url = postgres.fresh_database()
    clock = Clock(MONDAY)
    window = Window(
        open_store(url, clock=clock),
        default_catalog(),
        default_offices(),
        clock=clock,
        documents_root=tmp_path / "documents",
    )
    try:
        window.setup(OFFICE, "admin", "王管理", PASSWORD)
        window.store.create_user("clerk1", "李经办", Role.CLERK, PASSWORD, OFFICE)
        clerk = window.login("clerk1", PASSWORD)
        uuid = window.open_case(clerk, 3, person(0)).uuid
        complete(window, uuid, 3)
        window.accept(clerk, uuid)
        window.rate(clerk, uuid, Rating.VERY_SATISFIED)
        window.open_case(clerk, 3, person(1, "李四"))
    finally:
        window.close()
    assert main(["city", "report", "--db", url, "--month", "2026-11", "--json"]) == 0
    office = json.loads(capsys.readouterr().out)["offices"][OFFICE]
    assert (office["received"], office["accepted"], office["closed"]) == (2, 1, 1)
    assert office["good"] == {"part": 1, "whole": 1, "rate": 1.0}
    assert office["instant_cases"] == {"part": 1, "whole": 1, "rate": 1.0}
