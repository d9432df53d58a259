"""Time anomalies of imported events: flagged, kept, never used to reorder (order is by chain).

An event is flagged when it is dated after the receiver's clock (beyond `FUTURE_SLACK`), or
before an event its origin wrote earlier — earlier in this bundle, or already held here from
an earlier bundle (so a point whose clock was put back 400 days is caught on its next bundle,
not only when one bundle holds both sides of the jump). Each anomaly goes into the import report
and into the store (`SyncStore.add_time_anomaly`), where `time_anomalies()` lists them later (the
conflict screen, the city's supervision).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from clerk.ports.sync import SyncStore, TimeAnomaly
from clerk.sync.report import ImportReport

__all__ = ["FUTURE_SLACK", "WHY", "Clocks", "why"]

FUTURE_SLACK = timedelta(minutes=10)

WHY = {
    "future": "事件时间晚于本机当前时间（{reference}），对方电脑时钟可能不准。",
    "backwards": "事件时间早于同一来源此前的事件（{reference}），对方电脑时钟可能被调过。",
}


def why(kind: str, reference: str) -> str:
    """The Chinese reason shown for an anomaly (`reference`: the time it was compared with)."""
    return WHY[kind].format(reference=_shown(reference))


def text(anomaly: TimeAnomaly) -> str:
    """One line for a stored anomaly (a list of them, in Chinese)."""
    return (
        f"{anomaly.origin} 第 {anomaly.seq} 条（{_shown(anomaly.at)}）："
        f"{why(anomaly.kind, anomaly.reference)}（{anomaly.peer} 第 {anomaly.bundle_seq} 号包）"
    )


class Clocks:
    """Sees a bundle's new events in chain order; flags and stores the anomalies."""

    def __init__(
        self,
        sync: SyncStore,
        now: datetime,
        report: ImportReport,
        *,
        peer: str,
        bundle_seq: int,
        stamp: str,
    ) -> None:
        self.sync, self.now, self.report = sync, now, report
        self.peer, self.bundle_seq, self.stamp = peer, bundle_seq, stamp
        self.last: dict[str, tuple[datetime, str]] = {}  # origin -> its latest time, as written

    def see(self, event: Mapping[str, Any]) -> None:
        at = datetime.fromisoformat(str(event["at"]))
        origin = str(event["origin"])
        latest = self.last[origin] if origin in self.last else self._held(origin)
        if at > self.now + FUTURE_SLACK:
            self._flag(event, "future", self.now.isoformat())
        elif latest is not None and at < latest[0]:
            self._flag(event, "backwards", latest[1])
        if latest is None or at > latest[0]:
            latest = (at, str(event["at"]))
        self.last[origin] = latest

    def _held(self, origin: str) -> tuple[datetime, str] | None:
        """The time of the last event this file already holds from `origin`."""
        head = self.sync.head(origin)
        if head is None:
            return None
        event = self.sync.event_at(origin, head[0])
        if event is None:
            return None
        return datetime.fromisoformat(str(event["at"])), str(event["at"])

    def _flag(self, event: Mapping[str, Any], kind: str, reference: str) -> None:
        origin, seq = str(event["origin"]), int(event["seq"])
        self.report.flagged.append(
            {
                "origin": origin,
                "seq": seq,
                "at": event["at"],
                "kind": kind,
                "reference": reference,
                "why": why(kind, reference),
            }
        )
        self.sync.add_time_anomaly(
            origin=origin,
            seq=seq,
            case_uuid=str(event.get("case_uuid") or ""),
            at=str(event["at"]),
            kind=kind,
            reference=reference,
            peer=self.peer,
            bundle_seq=self.bundle_seq,
            found_at=self.stamp,
        )


def _shown(instant: str) -> str:
    """An ISO instant as a clerk reads it: 2026-11-02 09:30."""
    try:
        return datetime.fromisoformat(instant).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return instant
