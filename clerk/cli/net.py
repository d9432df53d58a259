"""`clerk send` and `clerk fetch`: bundles to and from the next level over the network: a point's
to its county, a county office's to the city.

    clerk send --db PATH --to URL [--for CODE] [--resend-only] [--json] [--passphrase-env VAR]
               [--cafile PEM]
    clerk fetch --db PATH --from URL [--for CODE] [--json] [--passphrase-env VAR] [--cafile PEM]

At a county office the receiver is the city (`--for` may name it, nothing else); its address is
remembered apart from a point's county address.

`send` writes the next bundle as `clerk export` does (into `<db>.outbox/`) when there is something
new to carry (new records, changed cases, a return bundle to confirm; it says which), and sends
every bundle there the county has not taken yet (`--resend-only`: writes nothing); `fetch` imports the county's new return bundles as
`clerk import` does. Exit status 0 done; 1 refused or the network is down (everything is kept:
send again later, or carry the files in `<db>.outbox/` on a USB stick).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from clerk.cli.keys import passphrase_from
from clerk.support.progress import StreamProgress


def register(subparsers: argparse._SubParsersAction) -> None:
    s = subparsers.add_parser(
        "send", help="写出上报包并通过网络发送（服务点发给县级，县级经办机构发给市级）"
    )
    s.add_argument("--db", dest="target_db", help="数据库文件（默认为本机数据库）")
    s.add_argument(
        "--to",
        help="县级（或市级）服务地址，如 https://yb.county.gov.cn:8443（记住，下次可省略）",
    )
    s.add_argument("--resend-only", action="store_true", help="不写新包，只重发尚未被县级收下的包")
    _common(s)
    s.set_defaults(func=run_send)
    f = subparsers.add_parser(
        "fetch", help="从上级服务取回回执包并导入（服务点从县级，县级经办机构从市级）"
    )
    f.add_argument("--db", dest="target_db", help="数据库文件（默认为本机数据库）")
    f.add_argument("--from", dest="source", help="县级（或市级）服务地址（默认为 send 记住的地址）")
    _common(f)
    f.set_defaults(func=run_fetch)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--for",
        dest="for_code",
        metavar="CODE",
        help="接收方编码（县级经办机构为市级编码，默认即市级；服务点为所属县级）",
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    p.add_argument("--passphrase-env", metavar="VAR", help="私钥口令所在的环境变量（私钥有口令时）")
    p.add_argument("--cafile", help="县级（或市级）服务证书的 CA 文件（PEM；自签证书时用）")


def _open(args: argparse.Namespace) -> Any:
    from clerk.cli.exchange import _window

    return passphrase_from(args), _window(args)


def _url(args: argparse.Namespace, window: Any, given: str | None) -> str | None:
    from clerk.net.client import upstream_url

    return given or upstream_url(window)


def run_send(args: argparse.Namespace) -> int:
    from clerk.net.client import NetProblem, remember_url, send, send_text, url_setting
    from clerk.service.sync_desk import SyncProblem
    from clerk.sync.keys import KeyProblem

    try:
        passphrase, window = _open(args)
    except KeyProblem as exc:
        return _fail(args, "keys", str(exc))
    except FileNotFoundError as exc:
        return _fail(args, "no_db", f"找不到数据库文件 {exc}，请用 --db 指定。")
    from clerk.net.client import url_problem

    try:
        url = _url(args, window, args.to)
    except KeyProblem as exc:
        window.store.close()
        return _fail(args, "keys", str(exc))
    if not url:
        window.store.close()
        return _fail(args, "no_url", "请用 --to 指定县级（或市级）服务地址（首次发送后会记住）。")
    if (problem := url_problem(url)) is not None:
        window.store.close()
        return _fail(args, "bad_url", f"--to {url}：{problem}")
    try:
        result = send(
            window,
            url,
            for_code=args.for_code,
            passphrase=passphrase,
            write_new=not args.resend_only,
            progress=StreamProgress(sys.stderr),
            verify=args.cafile or True,
        )
        remember_url(window, url, url_setting(window.me()))
    except (NetProblem, SyncProblem, KeyProblem) as exc:
        return _fail(args, getattr(exc, "code", "send"), str(exc))
    finally:
        window.store.close()
    if args.json:
        print(
            json.dumps(
                {
                    "ok": True,
                    "to": result.to,
                    "written": str(result.written) if result.written else None,
                    "why": result.why,
                    "nothing_new": result.nothing_new,
                    "sent": [
                        {
                            "file": str(s.file),
                            "seq": s.seq,
                            "http": s.http_status,
                            "answer": s.answer,
                        }
                        for s in result.sent
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(send_text(result))
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    from clerk.net.client import NetProblem, fetch, peer_name
    from clerk.sync.exchange import report_text
    from clerk.sync.keys import KeyProblem

    try:
        passphrase, window = _open(args)
    except KeyProblem as exc:
        return _fail(args, "keys", str(exc))
    except FileNotFoundError as exc:
        return _fail(args, "no_db", f"找不到数据库文件 {exc}，请用 --db 指定。")
    from clerk.net.client import url_problem

    try:
        url = _url(args, window, args.source)
    except KeyProblem as exc:
        window.store.close()
        return _fail(args, "keys", str(exc))
    if not url:
        window.store.close()
        return _fail(args, "no_url", "请用 --from 指定县级（或市级）服务地址。")
    if (problem := url_problem(url)) is not None:
        window.store.close()
        return _fail(args, "bad_url", f"--from {url}：{problem}")
    try:
        peer = peer_name(window.me())
        reports = fetch(
            window,
            url,
            for_code=args.for_code,
            passphrase=passphrase,
            progress=StreamProgress(sys.stderr),
            verify=args.cafile or True,
        )
    except (NetProblem, KeyProblem) as exc:
        return _fail(args, getattr(exc, "code", "fetch"), str(exc))
    finally:
        window.store.close()
    ok = all(r.ok for r in reports) and not any(r.rejected for r in reports)
    if args.json:
        print(
            json.dumps(
                {"ok": ok, "imported": [r.to_json() for r in reports]},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        if not reports:
            print(f"{peer}没有新的回执包。")
        for r in reports:
            print(report_text(r), file=sys.stdout if r.ok else sys.stderr)
    return 0 if ok else 1


def _fail(args: argparse.Namespace, code: str, message: str) -> int:
    if getattr(args, "json", False):
        print(json.dumps({"ok": False, "refusal": code, "message": message}, ensure_ascii=False))
    else:
        print(f"未完成：{message}", file=sys.stderr)
    return 1
