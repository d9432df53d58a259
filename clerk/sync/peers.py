"""Who this installation exchanges bundles with: its own identity and its peers' registered keys.

A county office registers each of its service points and the city; a point registers its county
office; the city registers every county office; any may register one offline escrow recipient, to which every bundle is also encrypted, so that a lost
office key loses no data. Keys are never deleted: revoking one records when, and a key registered
afterwards for the same point records that it replaced the old one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clerk.domain.offices import City, Office, Offices, ServicePoint
from clerk.ports.setting_keys import SETTING_POINT as SETTING_POINT
from clerk.ports.sync import PeerKey, SyncStore
from clerk.sync import keys
from clerk.sync.keys import KeyProblem, PublicKeys


@dataclass(frozen=True)
class Me:
    """This installation: its code, whether it is a county office (or the city), and its office.

    `city_code`: the city-level installation every county reports to ("" when none is declared);
    `offices`: the county office codes (the city takes bundles from these only)."""

    code: str
    name: str
    is_office: bool
    office_code: str
    is_city: bool = False
    city_code: str = ""
    offices: frozenset[str] = frozenset()
    point_offices: tuple[tuple[str, str], ...] = ()  # (point, its county) as offices.json declares


def me(store: object, offices: Offices) -> Me:
    code = store.get_setting(SETTING_POINT)  # type: ignore[attr-defined]
    if not code:
        raise KeyProblem("本机尚未设置所属经办机构或服务点，请先启动 clerk 完成初始设置。")
    place: Office | ServicePoint | City = offices.point(code)
    return Me(
        code=code,
        name=place.name,
        is_office=place.kind == "county_hall",
        office_code=place.office_code,
        is_city=place.kind == "city",
        city_code=offices.city.code if offices.city is not None else "",
        offices=frozenset(o.code for o in offices.offices),
        point_offices=tuple((p.code, p.office) for p in offices.points),
    )


def init_keys(store: object, offices: Offices, db_path: Path, passphrase: str | None) -> PublicKeys:
    who = me(store, offices)
    return keys.generate(keys.key_dir(db_path), who.code, who.name, passphrase)


def own_public(db_path: Path) -> PublicKeys:
    directory = keys.key_dir(db_path)
    if not keys.has_keys(directory):
        raise KeyProblem("本机还没有同步密钥，请先运行 clerk keys init。")
    return keys.read_public((directory / keys.PUBLIC_FILE).read_bytes())


def add_peer(
    sync: SyncStore,
    offices: Offices,
    who: Me,
    public: PublicKeys,
    at: str,
    *,
    escrow: bool = False,
    replace: bool = False,
) -> PeerKey:
    """Register a peer's public keys; refuses strangers (a point of another office, ...)."""
    if escrow:
        public = PublicKeys(keys.ESCROW, public.name or "离线备份密钥", None, public.age_recipient)
    else:
        _check_related(offices, who, public)
        if public.sign_key is None:
            raise KeyProblem("这个文件只有加密公钥，没有签名公钥；登记离线备份密钥请加 --escrow。")
    existing = sync.key_by_fingerprint(public.fingerprint)
    if existing is not None and existing.point_code == public.point_code:
        if existing.active:
            raise KeyProblem(
                f"{public.point_code} 的这把密钥已登记过（指纹 {public.fingerprint}）。"
            )
        raise KeyProblem(
            f"{public.point_code} 的这把密钥已被吊销，不能重新登记；请对方重新生成密钥。"
        )
    current = sync.active_key(public.point_code)
    if current is not None and not replace:
        raise KeyProblem(
            f"{public.point_code} 已登记了另一把密钥（指纹 {current.fingerprint}）。"
            "确认对方已更换密钥后，请加 --replace 登记新密钥（旧密钥随即吊销）。"
        )
    key_id = sync.add_key(
        point_code=public.point_code,
        role="escrow" if escrow else "peer",
        name=public.name,
        sign_key=public.sign_key,
        age_recipient=public.age_recipient,
        fingerprint=public.fingerprint,
        at=at,
        replaces=current.id if current is not None else None,
    )
    found = sync.key_by_id(key_id)
    assert found is not None
    return found


def revoke_peer(sync: SyncStore, point_code: str, at: str) -> PeerKey:
    revoked = sync.revoke_key(point_code, at)
    if revoked is None:
        raise KeyProblem(f"{point_code} 没有在用的密钥，无需吊销（用 clerk keys list 查看）。")
    return revoked


def _check_related(offices: Offices, who: Me, public: PublicKeys) -> None:
    if who.is_city and public.point_code not in who.offices:
        raise KeyProblem(f"{public.point_code} 不是县区经办机构；市级只登记各县区经办机构的公钥。")
    try:
        place = offices.point(public.point_code)
    except KeyError:
        raise KeyProblem(
            f"不认识编码为 {public.point_code} 的服务点或经办机构；县级经办机构请先用 clerk point add 登记该服务点。"
        ) from None
    if public.point_code == who.code:
        raise KeyProblem("这是本机自己的公钥，请登记对方导出的公钥文件。")
    if who.is_city:
        return  # a county office (checked above)
    if who.is_office and public.point_code == who.city_code:
        return  # the city the county reports to
    if who.is_office:
        if place.kind == "county_hall" or place.office_code != who.code:
            raise KeyProblem(f"{public.point_code} 不是本经办机构下属的服务点，不能登记。")
    elif public.point_code != who.office_code:
        raise KeyProblem(
            f"服务点只能登记所属经办机构（{who.office_code}）的公钥，{public.point_code} 不是。"
        )
