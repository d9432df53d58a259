"""`PointChoice`: the installation's point as the screens show it (every screen's title, the
login). Its own module so that a start that only signs in does not load `clerk.service.views`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PointChoice:
    code: str
    name: str
    kind: str
    kind_label: str
    office_code: str
