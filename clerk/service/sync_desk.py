"""`SyncDesk`: the window service's side of the end-of-day sync (a desk `clerk.service.window.Window` forwards to).

- 收件转报 (`collect`): a township point checks and records the materials of a medical-assistance
  application (items 34/35), issues a 收件回执 (receipt of collection, not an acceptance) and
  hands the case on to its county office, which accepts, notices or refuses it after import;
- a case accepted at a point that still needs review is handed on to the county office with
  the acceptance, so it lands in the office's review queue;
- only a case's owner changes it (`Ownership.check_owner`); the queues show the cases this
  installation owns (`Ownership.mine`);
- `export_bundle` / `import_bundle` write and read bundles; `conflicts` / `resolve_conflict`
  are the supervisor's queue, each choice recorded as an event.
"""

from __future__ import annotations

import errno
import hashlib
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk.domain.model import Action, CaseState, Event, Role
from clerk.domain.replay import CLOSING_STATES
from clerk.ports import errors as storage_errors
from clerk.ports.document_names import RECEIVED
from clerk.ports.records import CaseChanges
from clerk.ports.sync import Conflict, PeerKey, SyncStore
from clerk.service.moves import issued, with_data
from clerk.service.ownership import Ownership as Ownership
from clerk.service.write_errors import storage_problem
from clerk.support.file_digest import file_sha256
from clerk.support.progress import Progress, silent

# The sync itself (clerk.sync: its keys, cryptography and pyrage) is imported where a method uses
# it, so that signing in and the dashboard load none of it (tests/test_startup_imports.py).
if TYPE_CHECKING:
    from clerk.domain.clock import Clock
    from clerk.ports.records import CaseRecord
    from clerk.ports.store import Store
    from clerk.service.case_reader import CaseReader
    from clerk.service.context import DeskContext
    from clerk.service.holidays import Holidays
    from clerk.service.moves import Moves
    from clerk.sync import exchange, keys, peers
    from clerk.sync.bundle import BundleFile
    from clerk.sync.exchange import ImportReport

COLLECT_ITEMS = frozenset({34, 35})  # 医疗救助申报: the Yongzhou guide has townships collect them
SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})


class SyncProblem(ValueError):
    """A sync step the window cannot take; the message is Chinese and says what to do."""


@dataclass(frozen=True)
class ExportResult:
    path: Path
    seq: int
    receiver: str
    digest: str
    counts: dict[str, int]
    events: int


@dataclass(frozen=True)
class ConflictRow:
    """One line of the supervisor's conflict queue, as the screen shows it."""

    id: int
    case_no: str
    kind: str
    what: str
    peer: str
    found_at: str


class SyncDesk:
    """Keys, 收件转报 and the hand-ons, bundles and the conflict queue (a `Window` desk)."""

    def __init__(
        self, context: DeskContext, ownership: Ownership, reader: CaseReader, moves: Moves
    ) -> None:
        self.ctx = context
        self.ownership = ownership
        self.reader = reader
        self.moves = moves
        self.holidays: Holidays | None = None  # set by `clerk.service.desks.wire`

    @property
    def store(self) -> Store:
        """The window's store (the port); its sync side is `sync_store()`."""
        return self.ctx.store

    @property
    def clock(self) -> Clock:
        return self.ctx.clock

    def sync_store(self) -> SyncStore:
        return self.ownership.sync_store()

    def me(self) -> peers.Me:
        return self.ownership.me()

    def key_dir(self) -> Path:
        from clerk.sync import keys

        return keys.key_dir(self._db_path())

    # ------------------------------------------------------------------ keys

    def init_keys(self, passphrase: str | None = None) -> keys.PublicKeys:
        """Make this installation's signing and encryption keys (once); returns the public part."""
        from clerk.sync import peers
        from clerk.sync.keys import KeyProblem

        try:
            return peers.init_keys(self.store, self.ctx.offices, self._db_path(), passphrase)
        except KeyProblem as exc:
            raise SyncProblem(str(exc)) from None

    def own_public_keys(self) -> keys.PublicKeys:
        from clerk.sync import peers
        from clerk.sync.keys import KeyProblem

        try:
            return peers.own_public(self._db_path())
        except KeyProblem as exc:
            raise SyncProblem(str(exc)) from None

    def add_peer_key(self, data: bytes, *, escrow: bool = False, replace: bool = False) -> PeerKey:
        """Register the other side's exported public keys (or an escrow recipient)."""
        from clerk.sync import keys, peers
        from clerk.sync.keys import KeyProblem

        try:
            public = keys.read_public(data)
            return peers.add_peer(
                self.sync_store(),
                self.ctx.offices,
                self.me(),
                public,
                self.sync_store().now(),
                escrow=escrow,
                replace=replace,
            )
        except KeyProblem as exc:
            raise SyncProblem(str(exc)) from None

    def peer_keys(self) -> list[PeerKey]:
        return self.sync_store().peer_keys()

    def revoke_peer_key(self, point_code: str) -> PeerKey:
        from clerk.sync import peers
        from clerk.sync.keys import KeyProblem

        try:
            return peers.revoke_peer(
                self.sync_store(), point_code.strip().upper(), self.sync_store().now()
            )
        except KeyProblem as exc:
            raise SyncProblem(str(exc)) from None

    def _db_path(self) -> Path:
        path = self.sync_store().database_path()
        if path is None:
            raise SyncProblem("内存数据库没有同步密钥。")
        return path

    # ------------------------------------------------------------------ hand-on at the window

    def must_collect(self, case_uuid: str) -> bool:
        """Whether this installation collects the case and hands it on instead of accepting it."""
        row = self.store.get_case(case_uuid)
        point = self.ctx.point()
        return row is not None and point.kind != "county_hall" and int(row.item_no) in COLLECT_ITEMS

    def check_may_accept(self, row: CaseRecord) -> None:
        if self.must_collect(row.uuid):
            from clerk.service.case_reader import ServiceError

            raise ServiceError(
                "医疗救助申报由服务点收件转报、县级经办机构受理：请按 F9 收件转报（出具收件回执）。"
            )

    def collect(self, user: Any, case_uuid: str) -> Any:
        """收件转报: issue the receipt of collection and hand the case on to the county office."""
        from clerk.service.case_reader import ServiceError

        if Role(user.role) not in (Role.CLERK, Role.SUPERVISOR, Role.ADMIN):
            raise ServiceError("只有窗口经办人员或主管可以收件转报。")
        point = self.ctx.point()
        if point.kind == "county_hall":
            raise ServiceError("县级经办机构直接受理，无需收件转报。")
        with self.moves.deciding(user, case_uuid) as (actor, row, attempt):
            if int(row.item_no) not in COLLECT_ITEMS:
                raise ServiceError(
                    "只有医疗救助申报（事项34、35）由服务点收件转报，其余事项请直接受理或引导到县级大厅。"
                )
            if row.state != CaseState.DRAFT:
                raise ServiceError("只有收件环节的办件可以收件转报。")
            self.ownership.check_owner(row)
            item = self.ctx.catalog.item(row.item_no)
            missing = self.reader.missing(row, item)
            if missing:
                names = "、".join(m.name for m, _ in missing)
                raise ServiceError(
                    f"材料尚未齐全（{names}），请先补齐或出具一次性告知书，再收件转报。"
                )
            event = self.hand_on_event(actor, row, note="collected")
            checks = {c.material_id: c for c in self.store.material_checks(row.uuid)}
            required = self.reader.required_for(item.no, row.circumstances)
            context = self.moves.issue_context(row, actor)
            saved = self.moves.issue(
                attempt, self.ctx.documents.collection, context, required, checks
            )
            self.store.append_event(with_data(event, documents=issued([saved])), row.point_code)
            self.moves.add_document(row, saved, actor)
        return self.reader.case(case_uuid, user)

    def hand_on_event(
        self,
        user: Any,
        row: CaseRecord,
        *,
        note: str,
        state: CaseState | None = None,
        to: str | None = None,
    ) -> Event:
        office = to or self.ctx.point().office_code
        at_state = state or CaseState(row.state)
        return Event(
            case_uuid=row.uuid,
            action=Action.HAND_ON,
            actor=user.login,
            at=self.clock(),
            from_state=at_state,
            to_state=at_state,
            data={"to": office, "why": note},
        )

    def notice_hand_back(self, user: Any, row: CaseRecord, events: list[Event]) -> list[Event]:
        """At a county office, a notice on a point's case hands it back: the applicant hands the
        missing materials in at the point, which records them and collects the case again."""
        point = self.ctx.point()
        if point.kind != "county_hall" or row.point_code == point.code or not events:
            return []
        if events[-1].to_state != CaseState.AWAITING_SUPPLEMENT:
            return []
        return [
            self.hand_on_event(
                user,
                row,
                note="supplement",
                state=CaseState.AWAITING_SUPPLEMENT,
                to=row.point_code,
            )
        ]

    def hand_in_place(self, row: CaseRecord) -> str:
        """Where the applicant hands in missing materials: the point a case came from, or here."""
        point = self.ctx.point()
        if point.kind == "county_hall" and row.point_code != point.code:
            try:
                return str(self.ctx.offices.point(row.point_code).name)
            except KeyError:
                pass
        return str(point.name)

    def review_hand_on(self, user: Any, row: CaseRecord, events: list[Event]) -> list[Event]:
        """The hand-on that follows an acceptance at a point when the case still needs review."""
        point = self.ctx.point()
        if point.kind == "county_hall" or not events or events[-1].to_state != CaseState.ACCEPTED:
            return []
        return [self.hand_on_event(user, row, note="review", state=CaseState.ACCEPTED)]

    # ------------------------------------------------------------------ bundles

    def export_bundle(
        self,
        out_dir: Path,
        *,
        for_point: str | None = None,
        passphrase: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ExportResult:
        """Write the next bundle for our county office (or, at an office, for `for_point`)."""
        from clerk.sync import exchange, keys
        from clerk.sync.exchange import ExportError
        from clerk.sync.keys import KeyProblem
        from clerk.sync.work_folders import EXPORT_PREFIX, work_folder

        out_dir = Path(out_dir)
        if not out_dir.is_dir():
            raise SyncProblem(f"目录 {out_dir} 不存在，请插好 U 盘或选择一个已有的目录。")
        sync = self.sync_store()
        try:
            who = self.me()
            receiver = exchange.receiver_for(who, for_point)
            peer = sync.active_key(receiver)
            if peer is None or peer.role != "peer":
                raise SyncProblem(
                    f"本机还没有登记 {receiver} 的公钥，请先用 clerk keys add 登记并电话核对指纹。"
                )
            pair = keys.load(self.key_dir(), passphrase)
            now = sync.now()
            if self.store.keeps_document_bytes:  # the documents' bytes are read from the server
                with work_folder(EXPORT_PREFIX) as folder:
                    spool = _Spool(self.store, folder)
                    contents = exchange.build_export(
                        sync, who, receiver, now, spool.read, hash_file=spool.hash, file_at=spool.at
                    )
                    path, digest = self._write(who, out_dir, contents, pair, sync, peer, progress)
            else:
                contents = exchange.build_export(
                    sync, who, receiver, now, _read_file, hash_file=file_sha256
                )
                path, digest = self._write(who, out_dir, contents, pair, sync, peer, progress)
        except (ExportError, KeyProblem) as exc:
            raise SyncProblem(str(exc)) from None
        except OSError as exc:
            what = os_problem(exc)
            raise SyncProblem(
                f"上报包没有写成（{what}）：{out_dir}。请换一个 U 盘或清理空间后重试；本机记录未受影响。"
            ) from None
        exchange.record_written(sync, contents, digest, path, now)
        counts = dict(contents.manifest["counts"])
        return ExportResult(
            path, int(contents.manifest["seq"]), receiver, digest, counts, counts.get("events", 0)
        )

    def import_bundle(
        self, path: Path, *, passphrase: str | None = None, progress: Progress | None = None
    ) -> ImportReport:
        """Check everything, then apply in one transaction; a refusal changes nothing.

        The file is read in bounded memory: decrypted and unpacked into a temporary folder
        (removed afterwards), checked in one streaming pass, applied in a second
        (`clerk.sync.streaming`). A bundle larger than the free disk is refused first.
        `progress` is told the stage and the percent done (0–100, the check then the apply:
        "检查上报包", then "导入记录")."""
        from clerk.sync import exchange, keys
        from clerk.sync.bundle import BundleError
        from clerk.sync.exchange import ImportReport
        from clerk.sync.keys import KeyProblem
        from clerk.sync.work_folders import IMPORT_PREFIX, work_folder

        tell = progress or silent
        path = Path(path)
        try:
            if not path.is_file():
                raise FileNotFoundError(errno.ENOENT, "文件不存在")
            with path.open("rb"):
                pass
        except OSError as exc:
            return ImportReport(
                status="refused", refusal="unreadable", message=unreadable(Path(path), exc)
            )
        checking = "检查上报包（解密、签名、每条事件的哈希链）"
        applying = "导入记录（一个事务）"
        shown = -1

        def percent(stage: str, done: int, total: int, low: int, high: int) -> None:
            nonlocal shown
            value = low + (high - low) * min(done, total) // max(1, total)
            if value > shown:
                shown = value
                tell(stage, value, 100)

        sync = self.sync_store()
        with work_folder(IMPORT_PREFIX) as folder:
            try:
                who = self.me()
                pair = keys.load(self.key_dir(), passphrase)
                percent(checking, 0, 1, 0, 50)
                checked = exchange.check_bundle_file(
                    path,
                    sync,
                    who,
                    pair,
                    folder,
                    schema_version=sync.schema_version(),
                    step=lambda done, total: percent(checking, done, total, 0, 50),
                    space_for=[self._received_root("")],
                )
            except (BundleError, KeyProblem) as exc:
                return exchange.refused(exc)
            except OSError as exc:
                return ImportReport(
                    status="refused",
                    refusal="not_stored",
                    message=f"上报包没有解开（{os_problem(exc)}）。{_what_to_do(exc)}",
                )
            report = self._apply(
                checked, who, lambda done, total: percent(applying, done, total, 50, 100)
            )
            if (
                report.status == "imported"
                and checked.header.kind == "return"
                and self.holidays is not None
            ):
                report.holidays, _recomputed = self.holidays.install_notices(
                    checked.contents.manifest, checked.header.sender
                )
        percent(applying, 1, 1, 50, 100)
        return report

    def _apply(
        self, checked: exchange.Checked, who: peers.Me, step: Callable[[int, int], None]
    ) -> ImportReport:
        from clerk.sync import exchange
        from clerk.sync.exchange import ImportReport
        from clerk.sync.received import CarriedFile, ReceivedFiles

        sync = self.sync_store()
        root = self._received_root(checked.header.sender)
        catalog = self.ctx.catalog

        def save(file: CarriedFile, suffix: str) -> str:
            if self.store.keeps_document_bytes:  # kept on the server, in the import's transaction
                name = f"{RECEIVED}/{checked.header.sender}/{file.digest}{suffix}"
                self.store.add_document_content(name, file.read())
                return name
            return str(received.place(file, root / f"{file.digest}{suffix}"))

        def label(row: Mapping[str, Any]) -> str:
            return f"{row['item_no']} {catalog.item(row['item_no']).name}"

        with ReceivedFiles() as received:
            try:
                return exchange.apply_bundle(
                    checked, sync, who, self.clock(), save, label, step, received.make_durable
                )
            except Exception as exc:  # the transaction rolled back: nothing of it is stored
                meanwhile = _imported_meanwhile(sync, checked)
                if meanwhile is not None:  # an import of the same bundle committed first
                    return meanwhile  # its rows name the same files: none is removed
                for path in received.placed:  # files no row names any more
                    with suppress(OSError):
                        path.unlink()
                problem = import_problem(exc)
                if problem is None:
                    raise
                return ImportReport(status="refused", refusal="not_stored", message=problem)

    def _write(
        self,
        who: peers.Me,
        out_dir: Path,
        contents: Any,
        pair: Any,
        sync: SyncStore,
        peer: PeerKey,
        progress: Callable[[int, int], None] | None,
    ) -> tuple[Path, str]:
        """Sign, encrypt and write the bundle `build_export` made (with the holiday notices a
        county office sends its points)."""
        from clerk.sync import bundle as fmt
        from clerk.sync import holidays as bundle_holidays

        if who.is_office and self.holidays is not None:
            notices = self.holidays.notices_for_bundle()
            if notices:  # absent otherwise: a bundle without holidays is as before
                contents.manifest[bundle_holidays.MANIFEST_FIELD] = bundle_holidays.to_manifest(
                    notices
                )
        recipients = [peer.age_recipient, *(k.age_recipient for k in sync.escrow_keys())]
        return fmt.write_bundle(out_dir, contents, pair, recipients, progress)

    def _received_root(self, sender: str) -> Path:
        root = self.ctx.documents.root
        if root is None:
            from clerk.support.paths import documents_dir

            root = documents_dir()
        return Path(root) / "received" / sender

    def bundles_in(self, folder: Path) -> list[BundleFile]:
        """The bundle files in `folder` (the stick), newest first, read from their header lines."""
        from clerk.sync import bundle as fmt

        folder = Path(folder)
        if not folder.is_dir():
            if folder.is_file():
                raise SyncProblem(f"{folder} 是一个文件，不是文件夹。")
            raise SyncProblem(f"找不到文件夹 {folder}，请插好 U 盘或选择一个已有的文件夹。")
        try:
            return fmt.bundles_in(folder)
        except OSError as exc:
            raise SyncProblem(unreadable(folder, exc)) from None

    def bundle_history(self, limit: int = 20) -> list[dict[str, Any]]:
        sync = self.sync_store()
        rows = sync.bundles("out", None, limit) + sync.bundles("in", None, limit)
        return sorted(rows, key=lambda r: r["at"], reverse=True)[:limit]

    def peers_to_return(self) -> list[str]:
        """At a county office: the points with a registered key (each gets its own return bundle)."""
        return [
            k.point_code
            for k in self.sync_store().peer_keys(include_revoked=False)
            if k.role == "peer"
        ]

    # ------------------------------------------------------------------ conflicts

    def time_anomalies(self, limit: int = 200) -> list[str]:
        """The time anomalies imports found (newest first), one Chinese line each."""
        from clerk.sync import clocks

        return [clocks.text(a) for a in self.sync_store().time_anomalies(limit=limit)]

    def conflicts(self) -> list[ConflictRow]:
        return [_conflict_row(c) for c in self.sync_store().conflicts()]

    def resolve_conflict(self, user: Any, conflict_id: int, choice: str) -> None:
        """A supervisor's choice on a conflict: `keep` our record, or `take` the other side's move.

        Recorded as a `resolve` event on the case (and on the conflict row). Taking the other
        side's move sets the case to the state that move led to and makes its writer the owner.
        """
        from clerk.service.case_reader import ServiceError

        if Role(user.role) not in SUPERVISORS:
            raise ServiceError("只有主管或系统管理员可以处理同步冲突。")
        if choice not in ("keep", "take"):
            raise ServiceError("请选择保留本机记录或采用对方记录。")
        sync = self.sync_store()
        conflict = sync.conflict(conflict_id)
        if conflict is None or conflict.resolved_at is not None:
            raise ServiceError("该冲突已处理或不存在，请刷新。")
        owner = conflict.detail.get("owner") if conflict.kind == "not_owner" else None
        if owner and owner != self.me().code:  # our own stray move: the owner decides
            raise ServiceError(
                f"该件归 {owner}，此冲突由 {owner} 的主管处理，处理结果会随其回执包传回本机。"
            )
        with self.moves.deciding(user, conflict.case_uuid) as (actor, row, _attempt):
            state = CaseState(row.state)
            data: dict[str, Any] = {
                "conflict": conflict.id,
                "choice": choice,
                "kind": conflict.kind,
            }
            to_state = state
            changes: dict[str, Any] = {}
            if conflict.seq is not None:
                data["event"] = f"{conflict.origin}#{conflict.seq}"
            at = self.clock()
            if choice == "take" and conflict.kind == "not_owner":
                to_state = CaseState(conflict.detail["to_state"])
                changes["state"] = str(to_state)
                data["owner"] = conflict.origin.split(":", 1)[0]
                if to_state in CLOSING_STATES and row.closed_at is None:
                    changes["closed_at"] = at.isoformat()  # as the replay stamps it
            event = Event(
                case_uuid=row.uuid,
                action=Action.RESOLVE,
                actor=actor.login,
                at=at,
                from_state=state,
                to_state=to_state,
                reason="采用对方记录" if choice == "take" else "保留本机记录",
                data=data,
            )
            if not sync.resolve_conflict(conflict.id, choice, actor.login, sync.now()):
                raise ServiceError("该冲突刚被其他人处理，请刷新。")
            self.store.append_event(event, row.point_code)
            self.store.update_case(row.uuid, CaseChanges(changes), expected_version=row.version)

    def chain_name(self, row: CaseRecord) -> str:
        """The chain this installation writes the case's events to."""
        from clerk.sync.ownership import chain_for

        return chain_for(self.me().code, row.point_code)


class _Spool:
    """The documents a bundle carries, from a store that keeps their bytes (a server): each
    fetched once, spooled to a private temporary folder and packed from there, so an export holds
    one document in memory at a time, not all of them."""

    def __init__(self, store: Any, folder: Path) -> None:
        self.store = store
        self.folder = folder
        self.paths: dict[str, Path] = {}

    def hash(self, name: str) -> str | None:
        content = self.store.document_content(name) if name else None
        if content is None:
            return None
        digest = hashlib.sha256(content).hexdigest()
        target = self.folder / digest
        if not target.exists():
            target.write_bytes(content)
        self.paths[name] = target
        return digest

    def at(self, name: str) -> Path:
        return self.paths[name]

    def read(self, name: str) -> bytes | None:
        return self.store.document_content(name) if name else None


def _read_file(path: str) -> bytes | None:
    if not path:
        return None
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


def _conflict_row(c: Conflict) -> ConflictRow:
    from clerk.domain.model import STATE_LABELS, action_label

    if c.kind == "not_owner":
        d = c.detail
        action = action_label(d.get("action"))
        target = (
            STATE_LABELS.get(CaseState(d["to_state"]), d["to_state"]) if d.get("to_state") else ""
        )
        what = f"{c.origin} 在不拥有该件时作了“{action}”（→{target}），该件归 {d.get('owner')}"
    elif c.kind == "content":
        what = "同一办件的基本信息两边不同：" + "、".join(c.detail.get("fields", []))
    else:
        what = str(c.detail.get("why", "时间异常"))
    return ConflictRow(c.id, c.case_no, c.kind, what, c.peer, c.found_at)


OS_PROBLEMS = {
    errno.ENOSPC: "磁盘空间已满",
    errno.EROFS: "U 盘是只读的，可能打开了写保护开关",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.ENOENT: "目录不存在或 U 盘已被拔出",
    errno.EIO: "读写出错，U 盘可能已损坏或被拔出",
}


def _what_to_do(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "请清理磁盘空间后重新导入同一个包。"
    return "请检查磁盘和数据目录的权限后重新导入同一个包。"


def import_problem(exc: BaseException) -> str | None:
    """Why an import's transaction was refused, in Chinese, without the "nothing changed"
    prefix the report adds (`clerk.sync.report.report_text`); None for an error not the disk's
    or the store's."""
    if isinstance(exc, OSError):
        return f"收到的文书文件没有写成（{os_problem(exc)}）。{_what_to_do(exc)}"
    if isinstance(exc, storage_errors.DiskFullError):
        return "磁盘空间已满，记录没有写入。请清理磁盘空间后重新导入同一个包。"
    return storage_problem(exc)


def _imported_meanwhile(sync: SyncStore, checked: exchange.Checked) -> ImportReport | None:
    """The duplicate's report when the bundle is now imported (a second import of it lost the
    race for the write; PostgreSQL reports it as the unique row it could not add)."""
    from clerk.sync.exchange import ImportReport

    header = checked.header
    try:
        known = sync.bundle("in", header.sender, header.seq)
    except Exception:  # the store is unusable: the original error is the one to tell
        return None
    if known is None or known["hash"] != checked.digest:
        return None
    return ImportReport(
        bundle={"from": header.sender, "to": header.receiver, "seq": header.seq},
        status="duplicate",
        duplicates=1,
        message=f"{header.sender} 的第 {header.seq} 号包已经导入过，本次未作任何改动。",
    )


def os_problem(exc: OSError) -> str:
    """The operating system's error in Chinese (its own text is English)."""
    return OS_PROBLEMS.get(exc.errno or 0, f"系统错误号 {exc.errno}")


def unreadable(path: Path, exc: OSError) -> str:
    """Why `path` could not be read, in Chinese (never the operating system's English text)."""
    if exc.errno == errno.EISDIR or path.is_dir():
        return f"{path} 是一个文件夹，不是上报包文件。请在文件夹里选择一个 .clerkbundle 文件。"
    if exc.errno == errno.ENOENT:
        return f"找不到文件 {path}，请检查 U 盘是否插好、文件名是否正确。"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"没有权限读取文件 {path}，请联系管理员。"
    return f"读不出文件 {path}（错误号 {exc.errno}），U 盘可能已损坏或被拔出，请检查 U 盘。"
