"""The Pilot tests' helpers (tests/support/app.py) make what they promise."""

from __future__ import annotations

from support.app import PERSON_ID


def test_resident_id_helper_makes_a_valid_number() -> None:
    from clerk.domain.identifiers import validate_id

    assert validate_id("resident_id", PERSON_ID).ok is True
