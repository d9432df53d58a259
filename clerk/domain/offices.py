"""The county-level offices of the Yongzhou guide, the service points declared under them, and
the city level that supervises them.

`offices.json` holds the 14 offices (stable code, name, hall address, supervision phone,
optionally `agency`: the name of the medical-insurance agency that decides and issues in the
office's name, e.g. "东安县医疗保障事务中心"; without it, `<area>医疗保障经办机构`, the guide's
own words for the 受理单位 — no agency name is written in unless a source names it) and
optionally service points: township halls, village centres, colleges, designated hospitals, each
under one office. A point's code is the prefix of every case number it issues, so codes are
upper-case letters and digits, unique across the whole file.

`city` (optional) is the city-level supervising installation (`kind` "city", code `YZ`): it
receives every county's record and decides nothing. The seeds name no city agency, so the file
names it by its area and role only (永州市 市级医保监督), not by an invented body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from clerk.domain.catalog_files import DataFileError, packaged_file, read_json

POINT_KINDS: dict[str, str] = {
    "county_hall": "县级医保服务大厅",
    "township_hall": "乡镇（街道）政务服务大厅",
    "village_centre": "村（社区）便民服务中心",
    "college": "大中专院校",
    "hospital": "定点医疗机构",
}
CODE_RE = re.compile(r"^[A-Z0-9]{2,10}$")


@dataclass(frozen=True)
class Office:
    code: str
    name: str
    area: str
    address: str
    phone: str
    kind: str = "county_hall"
    agency: str = ""  # offices.json "agency"; empty: the default below

    @property
    def office_code(self) -> str:
        return self.code

    @property
    def agency_name(self) -> str:
        """The medical-insurance agency whose name the office's documents are issued in.

        The hall (`name`, e.g. 东安县政务服务分中心) is where the window sits; the deciding body is
        the agency (the guide: 受理单位 全市各级医疗保障经办机构). Without a name in offices.json,
        `<area>医疗保障经办机构`, the area written as its government is (市本级: 永州市)."""
        if self.agency:
            return self.agency
        if self.area == "市本级":
            return "永州市医疗保障经办机构"
        if self.area == "江华县":
            return "江华瑶族自治县医疗保障经办机构"
        return f"{self.area}医疗保障经办机构"

    @property
    def reconsideration_body(self) -> str:
        """Where an applicant asks for administrative reconsideration of this office's decision.

        行政复议法 (2023) Art. 24: the people's government at the level of the department that
        acted. 市本级 is the city's medical-insurance agency, so 永州市人民政府; a county, district
        or county-level city's agency, that area's government. The two management zones (回龙圩,
        金洞) have no people's government of their own; their agencies act for the city's, so
        永州市人民政府 as for 市本级.
        """
        if self.area == "市本级" or self.area.endswith("管理区"):
            return "永州市人民政府"
        if self.area == "江华县":
            return "江华瑶族自治县人民政府"
        if self.area.endswith("区"):
            return f"永州市{self.area}人民政府"
        return f"{self.area}人民政府"


@dataclass(frozen=True)
class City:
    """The city-level supervising installation: it receives the counties' bundles, decides nothing."""

    code: str
    name: str
    area: str
    kind: str = "city"

    @property
    def office_code(self) -> str:
        return self.code


@dataclass(frozen=True)
class ServicePoint:
    code: str
    name: str
    kind: str
    office: str  # the county office code it hands cases to

    @property
    def office_code(self) -> str:
        return self.office


@dataclass(frozen=True)
class Offices:
    offices: tuple[Office, ...]
    points: tuple[ServicePoint, ...]
    city: City | None = None

    def office(self, code: str) -> Office:
        for o in self.offices:
            if o.code == code:
                return o
        raise KeyError(code)

    def point(self, code: str) -> Office | ServicePoint | City:
        """An office, a service point or the city by code (an office is its own county-hall point)."""
        for p in self.points:
            if p.code == code:
                return p
        if self.city is not None and self.city.code == code:
            return self.city
        return self.office(code)

    def office_of(self, code: str) -> Office:
        return self.office(self.point(code).office_code)

    def points_of(self, office_code: str) -> list[ServicePoint]:
        return [p for p in self.points if p.office == office_code]

    def with_points(self, extra: list[ServicePoint]) -> Offices:
        """A copy with more points (declared locally, e.g. in the database)."""
        return _validated(
            Offices(self.offices, self.points + tuple(extra), self.city), Path("<local points>")
        )


def load_offices(path: str | Path | None = None) -> Offices:
    path = Path(path) if path is not None else packaged_file("offices.json")
    raw = read_json(path)
    return _parse(raw, path)


@cache
def default_offices() -> Offices:
    return load_offices()


def _text(d: dict[str, Any], key: str, entry: str, path: Path) -> str:
    value = d.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DataFileError(path, f"{entry}.{key}", "应为非空文本")
    return value.strip()


def _parse(raw: Any, path: Path) -> Offices:
    if not isinstance(raw, dict):
        raise DataFileError(path, "根", "应为对象（{...}）")
    raw_offices = raw.get("offices")
    if not isinstance(raw_offices, list) or not raw_offices:
        raise DataFileError(path, "offices", "应为非空列表")
    offices = []
    for i, o in enumerate(raw_offices):
        entry = f"offices[{i}]"
        if not isinstance(o, dict):
            raise DataFileError(path, entry, "应为对象（{...}）")
        offices.append(
            Office(
                code=_text(o, "code", entry, path),
                name=_text(o, "name", entry, path),
                area=_text(o, "area", entry, path),
                address=_text(o, "address", entry, path),
                phone=_text(o, "phone", entry, path),
                agency=_text(o, "agency", entry, path) if "agency" in o else "",
            )
        )
    points = []
    raw_points = raw.get("points", [])
    if not isinstance(raw_points, list):
        raise DataFileError(path, "points", "应为列表")
    for i, p in enumerate(raw_points):
        entry = f"points[{i}]"
        if not isinstance(p, dict):
            raise DataFileError(path, entry, "应为对象（{...}）")
        points.append(
            ServicePoint(
                code=_text(p, "code", entry, path),
                name=_text(p, "name", entry, path),
                kind=_text(p, "kind", entry, path),
                office=_text(p, "office", entry, path),
            )
        )
    city = None
    raw_city = raw.get("city")
    if raw_city is not None:
        if not isinstance(raw_city, dict):
            raise DataFileError(path, "city", "应为对象（{...}）")
        city = City(
            code=_text(raw_city, "code", "city", path),
            name=_text(raw_city, "name", "city", path),
            area=_text(raw_city, "area", "city", path),
        )
    return _validated(Offices(tuple(offices), tuple(points), city), path)


def _validated(result: Offices, path: Path) -> Offices:
    seen: set[str] = set()
    for i, o in enumerate(result.offices):
        entry = f"offices[{i}]"
        if not CODE_RE.match(o.code):
            raise DataFileError(
                path, f"{entry}.code", f"编码 “{o.code}” 应为 2–10 位大写字母或数字"
            )
        if o.code in seen:
            raise DataFileError(path, f"{entry}.code", f"编码 {o.code} 重复")
        seen.add(o.code)
        if not re.match(r"^0\d{2,3}-?\d{7,8}$", o.phone):
            raise DataFileError(
                path, f"{entry}.phone", f"监督电话 “{o.phone}” 格式不对（应为区号-号码）"
            )
    if result.city is not None:
        if not CODE_RE.match(result.city.code):
            raise DataFileError(
                path, "city.code", f"编码 “{result.city.code}” 应为 2–10 位大写字母或数字"
            )
        if result.city.code in seen:
            raise DataFileError(path, "city.code", f"编码 {result.city.code} 重复")
        seen.add(result.city.code)
    office_codes = {o.code for o in result.offices}
    for i, p in enumerate(result.points):
        entry = f"points[{i}]"
        if not CODE_RE.match(p.code):
            raise DataFileError(
                path, f"{entry}.code", f"编码 “{p.code}” 应为 2–10 位大写字母或数字"
            )
        if p.code in seen:
            raise DataFileError(path, f"{entry}.code", f"编码 {p.code} 重复")
        seen.add(p.code)
        if p.kind not in POINT_KINDS or p.kind == "county_hall":
            allowed = " / ".join(k for k in POINT_KINDS if k != "county_hall")
            raise DataFileError(path, f"{entry}.kind", f"类型 “{p.kind}” 无效，应为 {allowed} 之一")
        if p.office not in office_codes:
            raise DataFileError(path, f"{entry}.office", f"所属经办机构 {p.office} 不存在")
    return result
