"""Who may change a case, and which event chain an installation writes a case's events to.

A case has one owner at a time: the point that opened it, until that owner records a hand-on
(`hand_on`, data `{"to": <code>}`), e.g. a township point handing a collected medical-assistance
application (items 34/35) to its county office. Only the owner's events change a case; any other
installation's event that would change it is a conflict for a supervisor, never applied by clock.

Chains. Every installation writes its own events to chains named after itself. A county office
keeps one chain per point it works for (`YZ03:LS01` holds the office's events on LS01's cases)
and one for its own hall's cases (`YZ03`), so the return bundle for LS01 carries a whole chain
that holds nothing of any other point, and LS01 can keep it unchanged and verify it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from clerk.domain.chain_names import SEPARATOR, chain_for, installation_of

__all__ = [
    "SEPARATOR",
    "chain_for",
    "changes_case",
    "hand_on_target",
    "installation_of",
    "non_owner_events",
    "owner_after",
]

HAND_ON = "hand_on"
RESOLVE = "resolve"
# Events that record something about a case without changing it.
RECORD_ACTIONS = frozenset({"rate", "reveal", "print", "follow_up"})


def changes_case(event: Mapping[str, Any]) -> bool:
    """Whether the event moves the case (a state, a deadline, a decision), as opposed to recording."""
    return str(event["action"]) not in RECORD_ACTIONS


def hand_on_target(event: Mapping[str, Any]) -> str | None:
    if str(event["action"]) != HAND_ON:
        return None
    data = event.get("data")
    if isinstance(data, str):
        data = json.loads(data or "{}")
    target = (data or {}).get("to")
    return str(target) if target else None


def owner_after(case_point_code: str, events: Iterable[Mapping[str, Any]]) -> str:
    """The owner once `events` (in the order this file holds them) have happened.

    A hand-on counts only when its writer owned the case at the time, and a resolution
    (`resolve` with `{"owner": …}`) records a supervisor's choice of owner.
    """
    owner = case_point_code
    for event in events:
        writer = installation_of(str(event.get("origin") or event.get("point_code") or ""))
        target = hand_on_target(event)
        if target is not None and writer == owner:
            owner = target
        elif str(event["action"]) == RESOLVE:
            data = event.get("data")
            if isinstance(data, str):
                data = json.loads(data or "{}")
            chosen = (data or {}).get("owner")
            if chosen:
                owner = str(chosen)
    return owner


def non_owner_events(
    case_point_code: str, events: Iterable[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The events (in file order) written by an installation that did not own the case then."""
    owner = case_point_code
    found: list[Mapping[str, Any]] = []
    for event in events:
        writer = installation_of(str(event.get("origin") or ""))
        if changes_case(event) and writer != owner and str(event["action"]) != RESOLVE:
            found.append(event)
            continue
        owner = owner_after(owner, [event])
    return found
