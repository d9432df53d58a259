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


def cases_of(origin: str, own_code: str) -> str:
    """Whose cases chain `origin` records, in words a clerk reads (no `YZ03:LS01` jargon)."""
    installation, _, point = origin.partition(SEPARATOR)
    writer = "本机" if installation == own_code else f"{installation} "
    if point:
        return f"{writer}为服务点 {point} 的办件所作的记录"
    return f"{writer}自己办件的记录"


def installation_of(origin: str) -> str:
    """The installation that writes chain `origin` (`YZ03:LS01` -> `YZ03`)."""
    return origin.split(SEPARATOR, 1)[0]
