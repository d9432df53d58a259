"""The window builds each desk on first use (issue 25, item 4): a command or a screen pays only
for the desks it calls, and every caller of one desk gets the same one, whatever the thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from support.app import PASSWORD, make_window, ready

from clerk.domain.catalog import default_catalog
from clerk.domain.offices import default_offices
from clerk.domain.workflow import OfficeSettings
from clerk.service.window import Window


def test_a_new_window_has_built_no_desk(tmp_path: Path) -> None:
    window = make_window(tmp_path)
    assert window.desks._built == {}


def test_signing_in_builds_only_the_accounts_desk(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    fresh = Window(window.store, None, default_offices(), clock=window.clock)
    assert fresh.needs_setup() is False
    assert fresh.point().code == window.point().code
    fresh.login(admin.login, PASSWORD)
    assert set(fresh.desks._built) == {"accounts"}


def test_a_desk_is_built_once_with_its_collaborators(tmp_path: Path) -> None:
    window = make_window(tmp_path)
    decisions = window.desks.decisions
    assert window.desks.decisions is decisions
    assert decisions.reader is window.desks.reader
    assert decisions.moves is window.desks.moves
    assert decisions.sync is window.desks.sync
    assert window.desks.sync.holidays is window.desks.holidays  # return bundles carry them


def test_threads_asking_at_once_get_one_desk(tmp_path: Path) -> None:
    window = make_window(tmp_path)
    got: list[object] = []
    start = threading.Barrier(8)

    def ask() -> None:
        start.wait()
        got.append(window.desks.reader)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 8 and all(desk is got[0] for desk in got)


def test_the_catalogue_and_settings_are_the_packaged_ones_until_set(tmp_path: Path) -> None:
    window = make_window(tmp_path)
    assert window.catalog is default_catalog()
    assert window.settings == OfficeSettings()
    mine = OfficeSettings(supplement_days=10)
    window.settings = mine
    assert window.settings is mine


def test_the_write_inputs_are_named_by_the_records_module_too() -> None:
    from clerk.ports import record_inputs, records
    from clerk.ports.records import NewCase

    assert NewCase is record_inputs.NewCase
    assert records.random_uuid is record_inputs.random_uuid
    with pytest.raises(AttributeError, match="NotARecord"):
        records.NotARecord  # noqa: B018
