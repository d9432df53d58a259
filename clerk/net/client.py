"""`clerk send` and `clerk fetch`: bundles to and from the next level's service over HTTP: a
point's to its county, a county office's to the city (`upstream`).

- Send: the next bundle is written exactly as `clerk export` writes it, into the point's outbox
  (`<db>.outbox/`, beside the database), and every bundle there not yet taken by the county is
  PUT in order of its number. A file is written once and resent byte-identical, so a number
  never travels with two contents; a bundle the county took gets a `<file>.sent.json` beside it
  (the county's answer). Nothing is ever deleted: acknowledgement still comes only in the return
  bundle, and a send that fails leaves everything for the next send, or for the USB stick.
- Fetch: the return bundles numbered after the last one imported are listed, downloaded into
  `<db>.inbox/` (checked against their Content-Digest), and imported one by one by the same code
  as `clerk import`.

Requests are signed with this installation's Ed25519 key (`clerk.net.signing`) afresh for every
attempt; dropped connections, timeouts, 5xx, 429 and 503 are retried with exponential backoff
and jitter by `stamina` (honouring Retry-After).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import stamina
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from clerk.net import signing
from clerk.service.window import Window
from clerk.support.progress import Progress, silent
from clerk.sync import bundle as fmt
from clerk.sync import keys
from clerk.sync.bundle import BundleError, Header
from clerk.sync.peers import Me
from clerk.sync.report import ImportReport

SETTING_URL = (
    "county_url"  # the county service this installation sends to (clerk send --to remembers it)
)
SETTING_CITY_URL = "city_url"  # at a county office: the city's service (clerk send --to)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CHUNK = 256 * 1024
SENT = ".sent.json"


class NetProblem(Exception):
    """A send or fetch that did not complete; the message is Chinese and says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class _Busy(Exception):
    """A response worth retrying (5xx, 429, 503)."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def outbox_dir(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".outbox")


def inbox_dir(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".inbox")


@dataclass(frozen=True)
class Retries:
    """How long a client keeps trying (stamina's exponential backoff with jitter)."""

    attempts: int = 8
    wait_initial: float = 1.0
    wait_max: float = 60.0
    timeout: float | None = 15 * 60.0  # give up on one request after this long in all


class CountyClient:
    """Signed requests to a county's `clerk serve`, retried on network trouble."""

    def __init__(
        self,
        base_url: str,
        key_id: str,
        key: Ed25519PrivateKey,
        *,
        retries: Retries | None = None,
        transport: httpx.BaseTransport | None = None,
        verify: bool | str = True,
        timeout: float = 60.0,
        peer: str = "县级",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.peer = peer  # who answers, in the messages: 县级 (a point's county) or 市级
        self.key_id = key_id
        self.key = key
        self.retries = retries or Retries()
        self.http = httpx.Client(
            transport=transport,
            verify=verify,
            timeout=httpx.Timeout(timeout, connect=15.0),
            follow_redirects=False,
        )

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> CountyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ one request

    def _retry_on(self, exc: Exception) -> bool | float:
        if isinstance(exc, _Busy):
            after = exc.response.headers.get("retry-after", "")
            if after.isdigit():
                return min(float(after), self.retries.wait_max)
            return True
        return isinstance(
            exc, (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        upload: Path | None = None,
        progress: Progress = silent,
        stream_to: Path | None = None,
    ) -> httpx.Response:
        """One signed request, retried; a body is streamed from `upload`; a response body is
        streamed into `stream_to` when given (the response is then returned already read)."""
        digest = _file_sha256(upload) if upload is not None else None
        r = self.retries
        try:
            for attempt in stamina.retry_context(
                on=self._retry_on,
                attempts=r.attempts,
                timeout=r.timeout,
                wait_initial=r.wait_initial,
                wait_max=r.wait_max,
            ):
                with attempt:
                    headers: dict[str, str] = {"Accept": "application/json"}
                    content: Iterator[bytes] | None = None
                    if upload is not None and digest is not None:
                        size = upload.stat().st_size
                        headers["Content-Digest"] = signing.content_digest(digest)
                        headers["Content-Length"] = str(size)
                        headers["Content-Type"] = "application/octet-stream"
                        content = _chunks(upload, size, progress)
                    req = self.http.build_request(
                        method,
                        self.base_url + path,
                        params=params,
                        headers=headers,
                        content=content,
                    )
                    signing.sign(req, self.key_id, self.key)
                    response = self.http.send(req, stream=stream_to is not None)
                    try:
                        if response.status_code in RETRY_STATUSES:
                            response.read()
                            raise _Busy(response)
                        if stream_to is not None and response.status_code == 200:
                            _save_stream(response, stream_to)
                        else:
                            response.read()
                    finally:
                        response.close()
                    return response
        except _Busy as exc:
            raise NetProblem(
                "busy",
                f"{self.peer}服务暂时不能接收（HTTP {exc.response.status_code}），多次重试仍未成功。"
                "包已保存在本机，请稍后再发，或用 U 盘带去。",
            ) from None
        except httpx.TransportError as exc:
            raise NetProblem(
                "network",
                f"连不上{self.peer}服务（{type(exc).__name__}），多次重试仍未成功。"
                "包已保存在本机，网络恢复后再发送，或用 U 盘带去；本机记录未受影响。",
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------ the protocol

    def put_bundle(
        self, path: Path, header: Header, progress: Progress = silent
    ) -> tuple[int, dict[str, Any]]:
        response = self.request(
            "PUT", f"/v1/bundles/{header.sender}/{header.seq}", upload=path, progress=progress
        )
        return response.status_code, _body(response)

    def list_returns(self, point: str, after: int) -> list[dict[str, Any]]:
        response = self.request("GET", f"/v1/bundles/for/{point}", params={"after": str(after)})
        if response.status_code != 200:
            raise _refusal(response, self.peer)
        return list(_body(response).get("bundles") or [])

    def download(self, point: str, item: dict[str, Any], directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, name = tempfile.mkstemp(prefix=".fetch.", suffix=".part", dir=directory)
        os.close(fd)
        tmp = Path(name)
        try:
            response = self.request(
                "GET", f"/v1/bundles/for/{point}/{int(item['seq'])}", stream_to=tmp
            )
            if response.status_code != 200:
                raise _refusal(response, self.peer)
            data_sha = _file_sha256(tmp)
            claimed = signing.parse_content_digest(response.headers.get("content-digest"))
            if claimed != data_sha or data_sha.hex() != item.get("sha256", data_sha.hex()):
                raise NetProblem(
                    "digest_mismatch",
                    f"下载的回执包与{self.peer}服务给出的摘要不符（传输损坏），请重试。",
                )
            with tmp.open("rb") as f:
                header, _ = fmt.read_header(f.read(fmt.MAX_HEADER + 1))
            target = directory / fmt.file_name(header)
            os.replace(tmp, target)
            return target
        except BundleError as exc:
            raise NetProblem("damaged", str(exc)) from None
        finally:
            tmp.unlink(missing_ok=True)


# ---------------------------------------------------------------------- send and fetch


@dataclass
class SentBundle:
    file: Path
    seq: int
    http_status: int
    answer: dict[str, Any]

    @property
    def state(self) -> str:
        return str(self.answer.get("state") or self.answer.get("status") or "")


@dataclass
class SendResult:
    written: Path | None
    sent: list[SentBundle] = field(default_factory=list)
    why: list[str] = field(default_factory=list)  # why a new bundle was written
    nothing_new: bool = False  # a new bundle was asked for, but there was nothing to carry
    to: str = ""  # the receiver's code
    peer: str = "县级"  # the receiver, in the messages: 县级 or 市级


def upstream(who: Me, for_code: str | None = None) -> str:
    """Whom this installation sends to and fetches from over the network: a point its county
    office, a county office the city (`--for`, when given, must name that one). NetProblem
    otherwise (the city sends nothing upward; a county's return bundles for its points are
    fetched by the points)."""
    code = (for_code or "").strip().upper()
    if who.is_city:
        raise NetProblem(
            "city",
            "市级不发送上报包：给县区的回执包用 clerk export --for 县区编码 写出，"
            "由 clerk serve 提供给各县区取回。",
        )
    if who.is_office:
        if not who.city_code:
            raise NetProblem("no_city", "本机的机构表中没有市级，县级经办机构无处上报。")
        if code and code != who.city_code:
            raise NetProblem(
                "not_city",
                f"县级经办机构通过网络只发给市级（{who.city_code}）；给服务点的回执包写出后"
                "由服务点 clerk fetch 取回。",
            )
        return who.city_code
    if code and code != who.office_code:
        raise NetProblem(
            "not_county", f"服务点的上报包只能发给所属经办机构 {who.office_code}，{code} 不是。"
        )
    return who.office_code


def peer_name(who: Me) -> str:
    """The level this installation talks to, as the messages name it."""
    return "市级" if who.is_office else "县级"


def news(window: Window) -> list[str]:
    """Why a new bundle upstream (`upstream`) is worth writing, in Chinese; empty when the last
    bundle written already carries everything (a send then only resends what was not taken).

    New: events after the last bundle's range (a point: its own chain; a county office writing
    for the city: any chain it holds), a case whose rows changed since that bundle was written
    (a point: a case of its own; a county: any case, it speaks for its points; compared to the
    second, so a change in the same second counts: when in doubt, write), or a return bundle
    imported since (the receiver learns what we hold, and stops carrying it)."""
    who = window.me()
    sync = window.sync_store()
    receiver = upstream(who)
    previous = sync.last_bundle("out", receiver)
    if who.is_office:
        heads = {origin: head[0] for origin, head in sync.heads().items()}
    else:
        heads = {who.code: (sync.head(who.code) or (0, ""))[0]}
    if previous is None:
        total = sum(heads.values())
        return [f"本机有 {total} 条记录尚未上报"] if total else []
    manifest = json.loads(previous["manifest"]) if previous.get("manifest") else {}
    carried = manifest.get("origins") or {}
    added = sum(
        max(0, head - int((carried.get(origin) or {}).get("to_seq") or 0))
        for origin, head in heads.items()
    )
    reasons = []
    if added:
        reasons.append(f"第 {previous['seq']} 号包之后新增 {added} 条记录")
    if who.is_office:
        changed = sync.cases_changed_since(None, str(previous["at"]))
    else:
        owners = sync.owners()
        changed = [
            uuid
            for uuid in sync.cases_changed_since(who.code, str(previous["at"]))
            if owners.get(uuid, who.code) == who.code
        ]
    if changed and not reasons:
        reasons.append(f"{len(changed)} 件办件的资料有变动")
    last_in = sync.last_bundle("in", receiver)
    if last_in is not None and str(last_in["at"]) >= str(previous["at"]):
        reasons.append(f"已导入{peer_name(who)}第 {last_in['seq']} 号回执包，需确认收到")
    return reasons


def pending_bundles(outbox: Path, sender: str, receiver: str) -> list[tuple[Path, Header]]:
    """The bundle files in `outbox` from `sender` to `receiver` not taken yet."""
    found = []
    if not outbox.is_dir():
        return []
    for path in outbox.glob(f"clerk-{sender}-{receiver}-*{fmt.SUFFIX}"):
        if path.with_name(path.name + SENT).exists():
            continue
        with path.open("rb") as f:
            try:
                header, _ = fmt.read_header(f.read(fmt.MAX_HEADER + 1))
            except BundleError:
                continue
        if header.sender == sender and header.receiver == receiver:
            found.append((path, header))
    return sorted(found, key=lambda p: p[1].seq)


def send(
    window: Window,
    url: str,
    *,
    for_code: str | None = None,
    passphrase: str | None = None,
    write_new: bool = True,
    progress: Progress = silent,
    retries: Retries | None = None,
    verify: bool | str = True,
    transport: httpx.BaseTransport | None = None,
) -> SendResult:
    """Write the next bundle upstream into the outbox (as `clerk export` would: a point's for its
    county, a county office's for the city) when there is something new to carry (`news`; never
    with `write_new=False`), and PUT every bundle the receiver has not taken yet, oldest first.
    Raises `NetProblem` (nothing is lost: the files stay)."""
    who = window.me()
    receiver = upstream(who, for_code)
    db_path = window.sync_store().database_path()
    if db_path is None:
        raise NetProblem("no_db", "内存数据库不能发送上报包。")
    outbox = outbox_dir(db_path)
    outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
    result = SendResult(written=None, to=receiver, peer=peer_name(who))
    if write_new:
        result.why = news(window)
        result.nothing_new = not result.why
    if result.why:
        written = window.export_bundle(
            outbox,
            for_point=receiver if who.is_office else None,
            passphrase=passphrase,
            progress=lambda done, total: progress("写出上报包", done, total),
        )
        result.written = written.path
    pair = keys.load(window.key_dir(), passphrase)
    with CountyClient(
        url,
        who.code,
        pair.signing,
        retries=retries,
        verify=verify,
        transport=transport,
        peer=result.peer,
    ) as client:
        for path, header in pending_bundles(outbox, who.code, receiver):
            status, answer = client.put_bundle(
                path, header, lambda _s, done, total: progress("发送上报包", done, total)
            )
            result.sent.append(SentBundle(path, header.seq, status, answer))
            if status in (200, 201, 202):
                keys.write_atomic(
                    path.with_name(path.name + SENT),
                    json.dumps(
                        {"http": status, "answer": answer, "at": _now()}, ensure_ascii=False
                    ).encode("utf-8"),
                    mode=0o600,
                )
                continue
            raise _refusal_of(status, answer, header, result.peer)
    return result


def fetch(
    window: Window,
    url: str,
    *,
    for_code: str | None = None,
    passphrase: str | None = None,
    progress: Progress = silent,
    retries: Retries | None = None,
    verify: bool | str = True,
    transport: httpx.BaseTransport | None = None,
) -> list[ImportReport]:
    """Download the return bundles after the last imported (a point's from its county, a county
    office's from the city) and import each (as `clerk import`); stops at the first one that is
    not imported (a gap, a refusal)."""
    who = window.me()
    office = upstream(who, for_code)
    db_path = window.sync_store().database_path()
    if db_path is None:
        raise NetProblem("no_db", "内存数据库不能取回回执包。")
    last = window.sync_store().last_bundle("in", office)
    after = int(last["seq"]) if last else 0
    pair = keys.load(window.key_dir(), passphrase)
    reports: list[ImportReport] = []
    with CountyClient(
        url,
        who.code,
        pair.signing,
        retries=retries,
        verify=verify,
        transport=transport,
        peer=peer_name(who),
    ) as client:
        listing = sorted(client.list_returns(who.code, after), key=lambda b: int(b["seq"]))
        for n, item in enumerate(listing, 1):
            progress("取回回执包", n - 1, len(listing))
            path = client.download(who.code, item, inbox_dir(db_path))
            report = window.import_bundle(path, passphrase=passphrase, progress=progress)
            reports.append(report)
            if not report.ok:
                break
        progress("取回回执包", len(listing), len(listing))
    return reports


def url_setting(who: Me) -> str:
    """The setting holding the upstream service's address: a point's county, a county's city."""
    return SETTING_CITY_URL if who.is_office else SETTING_URL


def upstream_url(window: Window) -> str | None:
    """The upstream service's address `clerk send --to` remembered (None when none)."""
    return window.store.get_setting(url_setting(window.me())) or None


def county_url(window: Window) -> str | None:
    """The county service's address, when one is configured (the app offers sending then)."""
    return window.store.get_setting(SETTING_URL) or None


def url_problem(text: str) -> str | None:
    """A Chinese message when `text` is not a county service address (http or https, a host,
    an optional port and path; no user, query or fragment); None when it is one."""
    value = text.strip()
    example = "如 https://yb.county.gov.cn:8443"
    if not value:
        return f"请填写县级服务地址，{example}。"
    try:
        url = httpx.URL(value)
    except (httpx.InvalidURL, ValueError, TypeError):
        return f"地址写法不对，{example}。"
    if url.scheme not in ("http", "https"):
        return f"地址应以 https:// 或 http:// 开头，{example}。"
    if not url.host or " " in value:
        return f"地址缺少主机名或含有空格，{example}。"
    if url.port is not None and not 1 <= url.port <= 65535:
        return f"端口应在 1 到 65535 之间，{example}。"
    if url.userinfo or url.query or url.fragment:
        return f"地址中不要带用户名、口令、“?”或“#”之后的部分，{example}。"
    return None


def remember_url(window: Window, url: str, setting: str = SETTING_URL) -> None:
    """Keep the upstream service's address (`clerk send --to`, the settings screen; at a county
    office `setting` is the city's, `url_setting`); checked with `url_problem` first
    (ValueError with its message)."""
    problem = url_problem(url)
    if problem is not None:
        raise ValueError(problem)
    value = url.strip().rstrip("/")
    if (window.store.get_setting(setting) or None) != value:
        window.store.set_setting(setting, value)


def forget_url(window: Window) -> None:
    """No county service any more: the screens offer only the USB stick."""
    if county_url(window) is not None:
        window.store.set_setting(SETTING_URL, "")


def send_text(result: SendResult) -> str:
    """What a send did, in the words the command line and the window show."""
    peer = result.peer
    lines = []
    if result.written:
        lines.append(f"已写出上报包（{'；'.join(result.why)}）：{result.written}")
    elif result.nothing_new:
        lines.append("本机没有新的记录，未写新的上报包。")
    if not result.sent:
        lines.append("没有需要发送的上报包。")
    for s in result.sent:
        message = (s.answer.get("report") or {}).get("message") or s.answer.get("message") or ""
        what = {
            "imported": f"{peer}已收下并导入",
            "duplicate": f"{peer}已有（未作改动）",
            "waiting": f"{peer}已收下，等待第 {s.answer.get('waiting_for') or '更早的'} 号包后导入",
        }.get(s.state, s.state)
        lines.append(f"第 {s.seq} 号包：{what}。{message}")
    lines.append(f"确认收到以{peer}回执包为准；本机记录与上报包文件均不删除。")
    return "\n".join(lines)


# ---------------------------------------------------------------------- helpers


def _refusal_of(
    status: int, answer: dict[str, Any], header: Header, peer: str = "县级"
) -> NetProblem:
    message = str(answer.get("message") or "")
    if status == 401:
        return NetProblem(
            "unauthorized",
            f"{peer}服务不认本机的签名：{message}（请核对{peer}是否登记了本机公钥、本机时钟是否准确）",
        )
    if status == 409:
        return NetProblem("conflicting_bundle", message)
    if status == 413:
        return NetProblem("too_large", message)
    return NetProblem(
        str(answer.get("refusal") or "refused"),
        f"{peer}服务未收第 {header.seq} 号包：{message or f'HTTP {status}'}",
    )


def _refusal(response: httpx.Response, peer: str = "县级") -> NetProblem:
    body = _body(response)
    return NetProblem(
        str(body.get("refusal") or "refused"),
        str(body.get("message") or f"{peer}服务答复 HTTP {response.status_code}。"),
    )


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {"message": f"HTTP {response.status_code}"}
    return data if isinstance(data, dict) else {"data": data}


def _chunks(path: Path, size: int, progress: Progress) -> Iterator[bytes]:
    done = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            done += len(chunk)
            progress("发送", done, size)
            yield chunk


def _save_stream(response: httpx.Response, target: Path) -> None:
    with target.open("wb") as out:
        for chunk in response.iter_bytes(CHUNK):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())


def _file_sha256(path: Path) -> bytes:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.digest()


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")
