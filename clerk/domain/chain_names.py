"""Which event chain an installation writes a case's events to (pure naming, no storage).

Every installation writes its own events to chains named after itself. A county office keeps one
chain per point whose cases it decides (`YZ03:LS01` holds the office's events on LS01's cases)
and one for its own hall's cases (`YZ03`), so the return bundle for LS01 carries a whole chain
that holds nothing of any other point.
"""

from __future__ import annotations

SEPARATOR = ":"


def chain_for(own_code: str, case_point_code: str) -> str:
    """The chain installation `own_code` writes a case of `case_point_code` to: its own chain for
    its own cases, and at a county office one chain per point (`YZ03:LS01`)."""
    if case_point_code == own_code:
        return own_code
    return f"{own_code}{SEPARATOR}{case_point_code}"


def installation_of(origin: str) -> str:
    """The installation that writes chain `origin` (`YZ03:LS01` -> `YZ03`)."""
    return origin.split(SEPARATOR, 1)[0]
