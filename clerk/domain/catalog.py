"""The provincial list of service items, loaded and validated into immutable objects.

`catalog.json` is a transcription of 湖南省医疗保障经办政务服务事项清单（2025年版）, with the
Yongzhou service guide as a local overlay (`Item.local`). The provincial list prevails: deadlines
are computed from `Item.time_limit`; `Item.local.time_limit` is kept as information only.

A bad file never half-loads: `load_catalog` raises `DataFileError` naming the file, the entry
and the problem, and the app refuses to start rather than run on wrong rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

# Re-exported: where the data-file helpers and their error have always been imported from.
from clerk.domain.catalog_files import DataFileError as DataFileError
from clerk.domain.catalog_files import packaged_file as packaged_file
from clerk.domain.catalog_files import read_json as read_json

TimeLimitKind = Literal["instant", "working_days", "natural_days"]
TIME_LIMIT_KINDS: tuple[str, ...] = ("instant", "working_days", "natural_days")
TIME_LIMIT_STARTS: tuple[str, ...] = ("acceptance", "after_declaration_deadline")
APPLICANT_KINDS: tuple[str, ...] = ("person", "unit", "institution")
COPY_KINDS: tuple[str, ...] = ("original", "copy", "original_and_copy", "original_or_copy")
MATERIAL_STAGES: tuple[str, ...] = ("application", "review")
APPLIES_TO: tuple[str, ...] = ("all", "paying")
VENUES: tuple[str, ...] = (
    "county_hall",
    "township_hall",
    "village_centre",
    "college",
    "hospital",
    "online",
)
STEP_NAMES: tuple[str, ...] = ("申请", "受理", "审核", "拨付", "办结")
PAYMENT_STEP = "拨付"
REVIEW_STEP = "审核"


@dataclass(frozen=True)
class TimeLimit:
    kind: TimeLimitKind
    days: int
    text: str = ""
    start: str = "acceptance"
    online: TimeLimit | None = None

    @property
    def is_instant(self) -> bool:
        return self.kind == "instant"

    def for_channel(self, online: bool) -> TimeLimit:
        """The limit that applies on site, or online when the item has a separate online figure."""
        if online and self.online is not None:
            return self.online
        return self

    def same_rule(self, other: TimeLimit | None) -> bool:
        """True when two limits compute the same deadlines (texts may differ)."""
        if other is None:
            return False
        on_self = (self.online.kind, self.online.days) if self.online else None
        on_other = (other.online.kind, other.online.days) if other.online else None
        return (self.kind, self.days, self.start, on_self) == (
            other.kind,
            other.days,
            other.start,
            on_other,
        )

    def describe(self) -> str:
        """Chinese description, e.g. 即时办结 / 20个工作日 / 80个自然日."""
        base = _describe_one(self)
        if self.start == "after_declaration_deadline":
            base = f"自申报截止次日起{base}"
        if self.online is not None:
            return f"{base}（现场），{_describe_one(self.online)}（线上）"
        return base


def _describe_one(limit: TimeLimit) -> str:
    if limit.kind == "instant":
        return "即时办结"
    unit = "工作日" if limit.kind == "working_days" else "自然日"
    return f"{limit.days}个{unit}"


@dataclass(frozen=True)
class Material:
    id: str
    name: str
    alternatives: tuple[str, ...]
    condition: str | None = None
    copy: str | None = None
    seal: str | None = None
    form: str | None = None
    note: str | None = None
    stage: str = "application"
    # The source leaves the list open ("等", "可包括"): another document of the same kind, described
    # by the clerk, satisfies it too.
    open: bool = False
    # Not required when this circumstance applies (item 8: a flexible worker brings their own list).
    unless: str | None = None

    @property
    def is_choice(self) -> bool:
        return len(self.alternatives) > 1


@dataclass(frozen=True)
class GeneralMaterial:
    """A material added to items by the general notes (说明), e.g. 委托办理, 银行账户信息."""

    material: Material
    applies_to: str  # "all" | "paying"
    note_no: int


@dataclass(frozen=True)
class Condition:
    code: str
    label: str
    question: str


@dataclass(frozen=True)
class LegalBasis:
    law: str
    articles: str | None = None


@dataclass(frozen=True)
class MainItem:
    numeral: str
    code: str
    name: str


@dataclass(frozen=True)
class SubItem:
    seq: int
    code: str
    name: str
    main_item: str


@dataclass(frozen=True)
class LocalGuide:
    """The Yongzhou guide's overlay for one item. Its time limit is information, not the rule."""

    accepting_units: tuple[str, ...]
    venues: tuple[str, ...]
    applicants: str
    online_channels: tuple[str, ...]
    time_limit: TimeLimit | None
    superseded: bool
    process: tuple[str, ...] = ()
    query: str | None = None


@dataclass(frozen=True)
class Item:
    no: int
    name: str
    sub_item: SubItem
    main_item: MainItem
    applicant_kind: str
    materials: tuple[Material, ...]
    time_limit: TimeLimit
    steps: tuple[str, ...]
    notes: tuple[str, ...]
    basis: tuple[LegalBasis, ...]
    local: LocalGuide | None = None
    keywords: tuple[str, ...] = ()
    # Groups of circumstances of which exactly one must apply (item 15: the three evidence sets).
    one_of: tuple[tuple[str, ...], ...] = ()
    # Circumstances only a county hall handles (item 13: key information, per the Yongzhou guide).
    county_hall_only: tuple[str, ...] = ()
    # The steps the Yongzhou guide names inside 审核 (items 36-37: 考察评估 ... 开通联网结算), each
    # recorded with its date against the 80 natural days.
    review_stages: tuple[str, ...] = ()

    @property
    def pays(self) -> bool:
        return PAYMENT_STEP in self.steps

    @property
    def reviews(self) -> bool:
        return REVIEW_STEP in self.steps

    def material(self, material_id: str) -> Material:
        for m in self.materials:
            if m.id == material_id:
                return m
        raise KeyError(material_id)

    @property
    def online_only(self) -> bool:
        """The guide offers the item online only (items 38-39: 两定机构医疗保障信息平台，无需线下办理):
        a hall records it as an online application, never as an on-site intake."""
        return self.local is not None and self.local.venues == ("online",)

    @property
    def counts_from_declaration_deadline(self) -> bool:
        """Items 38-39: the limit runs from the day after the institutions' declaration deadline."""
        return self.time_limit.start == "after_declaration_deadline"

    def accepted_at(self, venue: str) -> bool:
        """Whether a point of this kind may accept the item (county halls accept every item)."""
        if venue == "county_hall" or self.local is None:
            return True
        return venue in self.local.venues


@dataclass(frozen=True)
class Catalog:
    title: str
    main_items: tuple[MainItem, ...]
    sub_items: tuple[SubItem, ...]
    items: tuple[Item, ...]
    general_notes: tuple[str, ...]
    general_materials: tuple[GeneralMaterial, ...]
    id_documents: tuple[str, ...]
    conditions: Mapping[str, Condition] = field(default_factory=dict)
    closing_note: str = ""

    def item(self, no: int) -> Item:
        if not 1 <= no <= len(self.items):
            raise KeyError(no)
        return self.items[no - 1]

    def by_code(self, code: str) -> list[Item]:
        code = code.strip().upper()
        return [
            i
            for i in self.items
            if i.sub_item.code.upper() == code or i.main_item.code.upper() == code
        ]


# --------------------------------------------------------------------------------------------
# Loading


def load_catalog(path: str | Path | None = None) -> Catalog:
    path = Path(path) if path is not None else packaged_file("catalog.json")
    raw = read_json(path)
    return _Parser(path).catalog(raw)


@cache
def default_catalog() -> Catalog:
    return load_catalog()


class _Parser:
    """Validates the raw JSON. Every error names the entry, e.g. `items[30].materials[2]`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, entry: str, problem: str) -> DataFileError:
        return DataFileError(self.path, entry, problem)

    # small typed getters --------------------------------------------------------------------

    def obj(self, value: Any, entry: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(entry, "应为对象（{...}）")
        return value

    def get(self, d: Mapping[str, Any], key: str, entry: str) -> Any:
        if key not in d:
            raise self.fail(entry, f"缺少字段 “{key}”")
        return d[key]

    def text(self, d: Mapping[str, Any], key: str, entry: str, *, optional: bool = False) -> Any:
        value = d.get(key) if optional else self.get(d, key, entry)
        if value is None and optional:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{entry}.{key}", "应为非空文本")
        return value

    def integer(self, d: Mapping[str, Any], key: str, entry: str) -> int:
        value = self.get(d, key, entry)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(f"{entry}.{key}", "应为整数")
        return value

    def texts(
        self, d: Mapping[str, Any], key: str, entry: str, *, default: Any = None
    ) -> tuple[str, ...]:
        value = d.get(key, default) if default is not None else self.get(d, key, entry)
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(f"{entry}.{key}", "应为文本列表")
        return tuple(value)

    def items_of(self, d: Mapping[str, Any], key: str, entry: str) -> list[Any]:
        value = self.get(d, key, entry)
        if not isinstance(value, list):
            raise self.fail(f"{entry}.{key}" if entry else key, "应为列表")
        return value

    def choice(self, value: Any, allowed: Iterable[str], entry: str) -> str:
        allowed = tuple(allowed)
        if value not in allowed:
            raise self.fail(entry, f"取值 “{value}” 无效，应为 {' / '.join(allowed)} 之一")
        return str(value)

    # structures --------------------------------------------------------------------------------

    def time_limit(self, value: Any, entry: str, *, nested: bool = False) -> TimeLimit:
        d = self.obj(value, entry)
        kind = self.choice(self.get(d, "kind", entry), TIME_LIMIT_KINDS, f"{entry}.kind")
        days = self.integer(d, "days", entry)
        if kind == "instant" and days != 0:
            raise self.fail(f"{entry}.days", "即时办结的天数应为 0")
        if kind != "instant" and days <= 0:
            raise self.fail(f"{entry}.days", "时限天数应为正整数")
        start = self.choice(d.get("start", "acceptance"), TIME_LIMIT_STARTS, f"{entry}.start")
        online = None
        if d.get("online") is not None:
            if nested:
                raise self.fail(f"{entry}.online", "线上时限不能再嵌套线上时限")
            online = self.time_limit(d["online"], f"{entry}.online", nested=True)
        text = d.get("text", "")
        if not isinstance(text, str):
            raise self.fail(f"{entry}.text", "应为文本")
        return TimeLimit(kind=kind, days=days, text=text, start=start, online=online)  # type: ignore[arg-type]

    def known_conditions(
        self, value: Any, entry: str, conditions: Mapping[str, Condition]
    ) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(entry, "应为条件代码列表")
        for v in value:
            if v not in conditions:
                raise self.fail(entry, f"条件 “{v}” 未在 conditions 中定义")
        return tuple(value)

    def material(self, value: Any, entry: str, conditions: Mapping[str, Condition]) -> Material:
        d = self.obj(value, entry)
        mid = self.text(d, "id", entry)
        name = self.text(d, "name", entry)
        alternatives = self.texts(d, "alternatives", entry)
        if not alternatives:
            raise self.fail(f"{entry}.alternatives", "至少要有一项（单一材料写它本身）")
        condition = d.get("condition")
        if condition is not None and condition not in conditions:
            raise self.fail(f"{entry}.condition", f"条件 “{condition}” 未在 conditions 中定义")
        unless = d.get("unless")
        if unless is not None and unless not in conditions:
            raise self.fail(f"{entry}.unless", f"条件 “{unless}” 未在 conditions 中定义")
        copy = d.get("copy")
        if copy is not None:
            self.choice(copy, COPY_KINDS, f"{entry}.copy")
        stage = self.choice(d.get("stage", "application"), MATERIAL_STAGES, f"{entry}.stage")
        open_list = d.get("open", False)
        if not isinstance(open_list, bool):
            raise self.fail(f"{entry}.open", "应为 true 或 false")
        return Material(
            id=mid,
            name=name,
            alternatives=alternatives,
            condition=condition,
            copy=copy,
            seal=self.text(d, "seal", entry, optional=True),
            form=self.text(d, "form", entry, optional=True),
            note=self.text(d, "note", entry, optional=True),
            stage=stage,
            open=open_list,
            unless=unless,
        )

    def local(self, value: Any, entry: str, provincial: TimeLimit) -> LocalGuide:
        d = self.obj(value, entry)
        venues = self.texts(d, "venues", entry)
        for i, v in enumerate(venues):
            self.choice(v, VENUES, f"{entry}.venues[{i}]")
        limit = None
        if d.get("time_limit") is not None:
            limit = self.time_limit(d["time_limit"], f"{entry}.time_limit")
        superseded = d.get("superseded", False)
        if not isinstance(superseded, bool):
            raise self.fail(f"{entry}.superseded", "应为 true 或 false")
        differs = limit is not None and not limit.same_rule(provincial)
        if superseded != differs:
            raise self.fail(
                f"{entry}.superseded",
                "与时限比较结果不符：永州时限与省清单不同时应为 true，相同时应为 false",
            )
        return LocalGuide(
            accepting_units=self.texts(d, "accepting_units", entry),
            venues=venues,
            applicants=self.text(d, "applicants", entry),
            online_channels=self.texts(d, "online_channels", entry, default=[]),
            time_limit=limit,
            superseded=superseded,
            process=self.texts(d, "process", entry, default=[]),
            query=self.text(d, "query", entry, optional=True),
        )

    def catalog(self, raw: Any) -> Catalog:
        root = self.obj(raw, "根")
        conditions: dict[str, Condition] = {}
        for code, c in self.obj(self.get(root, "conditions", "根"), "conditions").items():
            entry = f"conditions.{code}"
            c = self.obj(c, entry)
            conditions[code] = Condition(
                code=code,
                label=self.text(c, "label", entry),
                question=self.text(c, "question", entry),
            )

        mains: dict[str, MainItem] = {}
        for i, m in enumerate(self.items_of(root, "main_items", "")):
            entry = f"main_items[{i}]"
            m = self.obj(m, entry)
            main = MainItem(
                numeral=self.text(m, "numeral", entry),
                code=self.text(m, "code", entry),
                name=self.text(m, "name", entry),
            )
            if main.code in mains:
                raise self.fail(entry, f"主项编码 {main.code} 重复")
            mains[main.code] = main

        subs: dict[str, SubItem] = {}
        for i, s in enumerate(self.items_of(root, "sub_items", "")):
            entry = f"sub_items[{i}]"
            s = self.obj(s, entry)
            sub = SubItem(
                seq=self.integer(s, "seq", entry),
                code=self.text(s, "code", entry),
                name=self.text(s, "name", entry),
                main_item=self.text(s, "main_item", entry),
            )
            if sub.main_item not in mains:
                raise self.fail(f"{entry}.main_item", f"主项编码 {sub.main_item} 不存在")
            if sub.code in subs:
                raise self.fail(entry, f"子项编码 {sub.code} 重复")
            if sub.seq != i + 1:
                raise self.fail(f"{entry}.seq", f"序号应为 {i + 1}")
            subs[sub.code] = sub

        items: list[Item] = []
        for i, it in enumerate(self.items_of(root, "items", "")):
            entry = f"items[{i}]"
            it = self.obj(it, entry)
            no = self.integer(it, "no", entry)
            if no != i + 1:
                raise self.fail(f"{entry}.no", f"业务办理项序号应为 {i + 1}，实为 {no}")
            sub_code = self.text(it, "sub_item", entry)
            if sub_code not in subs:
                raise self.fail(f"{entry}.sub_item", f"子项编码 {sub_code} 不存在")
            materials = tuple(
                self.material(m, f"{entry}.materials[{j}]", conditions)
                for j, m in enumerate(self.items_of(it, "materials", entry))
            )
            ids = [m.id for m in materials]
            if len(set(ids)) != len(ids):
                raise self.fail(f"{entry}.materials", "材料 id 重复")
            steps = self.texts(it, "steps", entry)
            for j, step in enumerate(steps):
                self.choice(step, STEP_NAMES, f"{entry}.steps[{j}]")
            if steps[:2] != ("申请", "受理") or steps[-1] != "办结":
                raise self.fail(f"{entry}.steps", "办理环节应以“申请—受理”开始、以“办结”结束")
            limit = self.time_limit(self.get(it, "time_limit", entry), f"{entry}.time_limit")
            basis = []
            for j, b in enumerate(it.get("basis", [])):
                bentry = f"{entry}.basis[{j}]"
                b = self.obj(b, bentry)
                basis.append(
                    LegalBasis(
                        law=self.text(b, "law", bentry),
                        articles=self.text(b, "articles", bentry, optional=True),
                    )
                )
            local = None
            if it.get("local") is not None:
                local = self.local(it["local"], f"{entry}.local", limit)
            sub = subs[sub_code]
            items.append(
                Item(
                    no=no,
                    name=self.text(it, "name", entry),
                    sub_item=sub,
                    main_item=mains[sub.main_item],
                    applicant_kind=self.choice(
                        self.get(it, "applicant_kind", entry),
                        APPLICANT_KINDS,
                        f"{entry}.applicant_kind",
                    ),
                    materials=materials,
                    time_limit=limit,
                    steps=steps,
                    notes=self.texts(it, "notes", entry, default=[]),
                    basis=tuple(basis),
                    local=local,
                    keywords=self.texts(it, "keywords", entry, default=[]),
                    one_of=tuple(
                        self.known_conditions(group, f"{entry}.one_of[{j}]", conditions)
                        for j, group in enumerate(it.get("one_of", []))
                    ),
                    county_hall_only=self.known_conditions(
                        it.get("county_hall_only", []), f"{entry}.county_hall_only", conditions
                    ),
                    review_stages=self.texts(it, "review_stages", entry, default=[]),
                )
            )
        if not items:
            raise self.fail("items", "没有任何业务办理项")
        used_subs = {i.sub_item.code for i in items}
        for code in subs:
            if code not in used_subs:
                raise self.fail("sub_items", f"子项 {code} 没有对应的业务办理项")

        general = []
        for i, g in enumerate(self.items_of(root, "general_materials", "")):
            entry = f"general_materials[{i}]"
            g = self.obj(g, entry)
            general.append(
                GeneralMaterial(
                    material=self.material(
                        self.get(g, "material", entry), f"{entry}.material", conditions
                    ),
                    applies_to=self.choice(
                        g.get("applies_to", "all"), APPLIES_TO, f"{entry}.applies_to"
                    ),
                    note_no=self.integer(g, "note_no", entry),
                )
            )
        return Catalog(
            title=self.text(root, "title", "根"),
            main_items=tuple(mains.values()),
            sub_items=tuple(subs.values()),
            items=tuple(items),
            general_notes=self.texts(root, "general_notes", "根"),
            general_materials=tuple(general),
            id_documents=self.texts(root, "id_documents", "根"),
            conditions=conditions,
            closing_note=root.get("closing_note", "") or "",
        )
