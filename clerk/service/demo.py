"""Synthetic cases for training and benchmarks, walked through the real service.

Every case goes through `Window`, so its events, documents and hash chain are exactly what the
window would have written. Names start with 演示 and ID numbers use the non-existent area code
439999, so a demo record can never be mistaken for a real one, yet every ID passes its check.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from clerk.domain.accounts import User
from clerk.domain.catalog import Catalog, Item
from clerk.domain.clock import TZ
from clerk.domain.identifiers import resident_id_check_char
from clerk.domain.materials import MaterialCheck, required_materials
from clerk.domain.model import Applicant, CaseState, Channel, Rating, Role
from clerk.domain.offices import Offices
from clerk.service.compose import build_window
from clerk.service.window import ServiceError, SystemActor, Window

if TYPE_CHECKING:
    from clerk.ports.store import Store

DEMO_AREA = "439999"
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华红玉兰建国建华志强春梅海燕"
UNITS = (
    "永州演示商贸有限公司",
    "演示建筑工程有限公司",
    "演示食品加工厂",
    "演示物流有限公司",
    "演示农业合作社",
)
OUTCOMES = (
    # (weight, target) — how far a demo case goes
    (30, "closed"),
    (12, "accepted"),
    (8, "awaiting_payment"),
    (10, "awaiting_supplement"),
    (6, "supplemented_closed"),
    (5, "refused"),
    (4, "rejected"),
    (3, "withdrawn"),
    (2, "abandoned"),
    (5, "draft"),
)
DEMO_PASSWORD = "demo-password-1"
DEMO_SETTING = "demo_database"  # set when `fill` set the database up: it holds demo data only
DEMO_LOGINS = frozenset({"admin", "clerk1", "reviewer1", "finance1"})


def real_work_problem(store: Store) -> str:
    """Why demo data may not go into this database (Chinese), or "" when it may.

    A database set up by a person holds real work: demo cases would mix with real ones, and the
    demo accounts (whose password is printed in the README) would open it to anyone."""
    if not store.has_users() or store.get_setting(DEMO_SETTING) == "1":
        return ""
    users = store.users()
    if all(u.login in DEMO_LOGINS and u.name.startswith("演示") for u in users):
        return ""  # a demo database made before the marker existed
    return (
        "这个数据库已经在使用（有真实的用户账号和办件），不能写入演示数据：演示办件会与真实办件混在一起，"
        "演示账号的密码是公开的。请用 --db 指定一个新的文件，如 --db demo.db。"
    )


@dataclass
class MovingClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def synthetic_resident_id(rng: random.Random, birth: date) -> str:
    body = f"{DEMO_AREA}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + resident_id_check_char(body)


def synthetic_credit_code(rng: random.Random) -> str:
    from clerk.domain.identifiers import credit_code_check_char

    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "91" + DEMO_AREA + "".join(rng.choice(alphabet) for _ in range(9))
    return body + credit_code_check_char(body)


def _applicant(rng: random.Random, item: Item, today: date) -> Applicant:
    if item.applicant_kind != "person":
        name = (
            rng.choice(UNITS)
            if item.applicant_kind == "unit"
            else "演示第" + str(rng.randrange(1, 9)) + "人民医院"
        )
        return Applicant(
            kind=item.applicant_kind,
            name=name,
            id_type="credit_code",
            id_number=synthetic_credit_code(rng),
            phone=f"0746-{rng.randrange(6000000, 8999999)}",
        )
    birth = today - timedelta(days=rng.randrange(18 * 365, 85 * 365))
    name = "演示" + rng.choice(SURNAMES) + rng.choice(GIVEN)
    return Applicant(
        kind="person",
        name=name,
        id_type="resident_id",
        id_number=synthetic_resident_id(rng, birth),
        phone=f"199{rng.randrange(10**8):08d}",
        bank_account=f"62{rng.randrange(10**15):015d}",
    )


def _checks(
    window: Window, item: Item, circumstances: frozenset[str], *, drop: int, rng: random.Random
) -> dict[str, MaterialCheck]:
    required = required_materials(window.catalog, item, circumstances)
    missing = set(rng.sample([m.id for m in required], k=min(drop, len(required))))
    return {
        m.id: MaterialCheck(
            m.id,
            "missing" if m.id in missing else "ok",
            None if m.id in missing else m.alternatives[0],
        )
        for m in required
    }


def fill(
    store: Store,
    catalog: Catalog,
    offices: Offices,
    *,
    cases: int,
    point_code: str,
    end: date,
    days: int = 20,
    seed: int = 2026,
    documents_root: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Create `cases` synthetic cases spread over the `days` working days before `end`."""
    rng = random.Random(seed)
    clock = MovingClock(datetime.combine(end, time(9), TZ))
    window = build_window(
        store, clock=clock, catalog=catalog, offices=offices, documents_root=documents_root
    )
    problem = real_work_problem(store)
    if problem:
        raise ServiceError(problem)
    if window.needs_setup():
        window.setup(point_code, "admin", "演示管理员", DEMO_PASSWORD)
        store.set_setting(DEMO_SETTING, "1")
    users = _demo_users(window)
    for (
        user
    ) in users.values():  # training accounts with the printed password: not forced to change it
        store.require_password_change(str(user.login), False)
    kind = window.point().kind
    items = [i for i in catalog.items if i.accepted_at(kind)]
    day_list = _working_days_before(window, end, days)
    weights = [w for w, _ in OUTCOMES]
    counts: dict[str, int] = {}
    for n in range(cases):
        day = day_list[n * len(day_list) // max(cases, 1)]
        clock.now = datetime.combine(day, time(8, 30), TZ) + timedelta(
            minutes=rng.randrange(0, 480)
        )
        item = items[n % len(items)] if n < len(items) else rng.choice(items)
        target = rng.choices([t for _, t in OUTCOMES], weights=weights)[0]
        try:
            state = _walk(window, users, item, target, rng, clock)
        except ServiceError as exc:  # pragma: no cover - a demo must not stop halfway
            raise RuntimeError(f"演示数据生成失败（事项{item.no}，目标{target}）：{exc}") from exc
        counts[state] = counts.get(state, 0) + 1
        if progress:
            progress(n + 1)
    return counts


def _demo_users(window: Window) -> dict[Role, User]:
    """The demo's clerk, reviewer and finance accounts, made through the service like any other."""
    wanted = {
        Role.CLERK: ("clerk1", "演示经办员"),
        Role.REVIEWER: ("reviewer1", "演示审核员"),
        Role.FINANCE: ("finance1", "演示财务"),
    }
    actor = SystemActor(login="system:demo", name="演示数据")
    existing = {u.login for u in window.users(actor)}
    for role, (login, name) in wanted.items():
        if login not in existing:
            window.add_user(actor, login, name, role, DEMO_PASSWORD)
    by_login = {u.login: u for u in window.users(actor)}
    return {role: by_login[login] for role, (login, _) in wanted.items()}


def _working_days_before(window: Window, end: date, days: int) -> list[date]:
    result: list[date] = []
    day = end
    while len(result) < days:
        if window.calendar.is_working_day(day):
            result.append(day)
        day -= timedelta(days=1)
    return sorted(result)


def _walk(
    window: Window, users: dict, item: Item, target: str, rng: random.Random, clock: MovingClock
) -> str:
    clerk, reviewer, finance = users[Role.CLERK], users[Role.REVIEWER], users[Role.FINANCE]
    ended_at = clock.now
    if (
        target == "abandoned"
    ):  # received and noticed long enough ago for the hand-in day to have passed
        clock.now -= timedelta(days=window.settings.supplement_days + 1)
    today = clock.now.date()
    online = item.online_only or (item.time_limit.online is not None and rng.random() < 0.3)
    channel = Channel.ONLINE if online else Channel.ON_SITE
    circumstances = frozenset(c for c in ("proxy",) if rng.random() < 0.1)
    if item.pays and rng.random() < 0.5:
        circumstances |= {"first_payment"}
    circumstances |= {group[0] for group in item.one_of}  # item 15: one evidence set
    case = window.open_case(
        clerk, item.no, _applicant(rng, item, today), channel=channel, circumstances=circumstances
    )
    uuid = case.uuid
    if target == "draft":
        window.check_materials(clerk, uuid, _checks(window, item, circumstances, drop=0, rng=rng))
        return CaseState.DRAFT
    if target == "refused":
        return window.refuse(
            clerk,
            uuid,
            "申请事项不属于本机构职权范围（演示）",
            apply_instead="参保地医疗保障经办机构",
        ).state
    if target in ("awaiting_supplement", "supplemented_closed", "abandoned"):
        window.check_materials(clerk, uuid, _checks(window, item, circumstances, drop=1, rng=rng))
        window.issue_notice(clerk, uuid)
        if target == "abandoned":
            clock.now = ended_at
            return window.abandon(clerk, uuid, "申请人逾期未补正材料（演示）").state
        if target == "awaiting_supplement":
            return CaseState.AWAITING_SUPPLEMENT
        window.supplement(clerk, uuid, _checks(window, item, circumstances, drop=0, rng=rng))
    else:
        window.check_materials(clerk, uuid, _checks(window, item, circumstances, drop=0, rng=rng))
    if target == "withdrawn":
        return window.withdraw(clerk, uuid, "申请人主动撤回（演示）").state
    if window.must_collect(uuid):  # a point collects items 34-35 and hands them on (收件转报)
        return window.collect(clerk, uuid).state
    view = window.accept(clerk, uuid, declaration_deadline=today)
    row = window.store.get_case(uuid)
    if view.state.is_final or target == "accepted" or (row is not None and not window.owns(row)):
        # at a service point, a case that needs review was handed on to the county office
        return _maybe_rate(window, clerk, view, rng)
    if target == "rejected":
        return window.reject(reviewer, uuid, "材料内容与系统记录不一致（演示）").state
    _review(window, reviewer, item, uuid)
    view = window.approve(reviewer, uuid)
    if view.state == CaseState.AWAITING_PAYMENT and target != "awaiting_payment":
        view = window.pay(
            finance, uuid, rng.randrange(5_000, 2_000_000), f"DEMO{rng.randrange(10**8):08d}"
        )
    return _maybe_rate(window, clerk, view, rng)


def _review(window: Window, reviewer, item: Item, uuid: str) -> None:
    """Items 36-37: the materials allowed later and the guide's stages, before the review passes."""
    later = {
        m.id: MaterialCheck(m.id, "ok", m.alternatives[0])
        for m in item.materials
        if m.stage == "review"
    }
    if later:
        window.check_review_materials(reviewer, uuid, later)
    for stage in item.review_stages:
        window.record_stage(reviewer, uuid, stage)


def _maybe_rate(window: Window, clerk, view, rng: random.Random) -> str:
    if view.state == CaseState.CLOSED and rng.random() < 0.6:
        level = rng.choices(list(Rating), weights=[60, 25, 8, 5, 2])[0]
        window.rate(clerk, view.uuid, level, "" if not level.is_bad else "等候时间较长（演示）")
    return view.state
