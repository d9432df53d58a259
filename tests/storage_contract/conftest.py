"""Fixtures of the storage contract: `adapter` (one per engine in `contract_adapters.ADAPTERS`)
and `store` (a fresh store of that adapter whose installation is the point YZ01)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from clerk.ports.store import Store
from storage_contract.contract_adapters import ADAPTERS, Adapter
from storage_contract.contract_helpers import ORIGIN, FixedClock


@pytest.fixture(params=sorted(ADAPTERS))
def adapter(request: pytest.FixtureRequest) -> Adapter:
    if request.param == "postgres":
        from support import postgres

        reason = postgres.skip_reason()
        if reason:
            pytest.skip(reason)
    return ADAPTERS[request.param]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def store(adapter: Adapter, tmp_path: Path, clock: FixedClock) -> Iterator[Store]:
    """A fresh store whose installation is the point YZ01."""
    s = adapter.create(tmp_path, clock)
    s.set_setting("point_code", ORIGIN)
    s.add_point(ORIGIN, "岳麓区服务点", "point", ORIGIN)
    yield s
    s.close()
