"""`made_automatically`: the ledger's one question of an event's data, asked without decoding
the data of the events that cannot be automatic."""

from __future__ import annotations

import json

import pytest

from clerk.ports.ledger import made_automatically


@pytest.mark.parametrize(
    ("data", "auto"),
    [
        ('{"auto": true}', True),
        ('{"auto":true,"reason":"即时办结"}', True),
        ('{"auto": false}', False),
        ("{}", False),
        ("", False),
        ('{"note": "auto"}', False),  # the word as a value, not the key
        ('{"auto": tru', False),  # not JSON: not automatic, and no error
        ('["auto"]', False),
        ({"auto": True}, True),  # a server's decoded jsonb
        ({"auto": 0}, False),
        (None, False),
    ],
)
def test_made_automatically(data: object, auto: bool) -> None:
    assert made_automatically(data) is auto


def test_data_without_the_key_is_not_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[str] = []
    real = json.loads
    monkeypatch.setattr(json, "loads", lambda text: decoded.append(text) or real(text))
    assert made_automatically('{"material": "身份证", "reason": "缺件"}') is False
    assert made_automatically('{"auto": true}') is True
    assert decoded == ['{"auto": true}']
