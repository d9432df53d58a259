"""`clerk serve`: the receiving service for bundles sent over the network, at a county office
(its points send) or at the city (the county offices send; `--db` may be the city's
postgresql:// URL, then with `--spool` and `--returns`).

    clerk serve --db PATH [--listen 127.0.0.1:8443] [--certfile CERT --keyfile KEY]
                [--spool DIR] [--returns DIR] [--max-bundle-mb 512] [--max-uploads 8]
                [--passphrase-env VAR]

Bundles received are kept in the spool (default `<db>.received/`) and imported by the same code
as `clerk import`; return bundles written with `clerk export --for POINT --out <returns>` (default
`<db>.outbox/`) are served to the point (or, at the city, the county office) that fetches them.
See `clerk.net.server`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from clerk.cli.keys import passphrase_from


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "serve",
        help="县级经办机构或市级：启动上报包接收服务（HTTP，下级 send/fetch）",
    )
    p.add_argument(
        "--db",
        dest="target_db",
        help="数据库文件或 postgresql:// 地址（默认为本机数据库）",
    )
    p.add_argument(
        "--listen", default="127.0.0.1:8443", help="监听地址:端口（默认 127.0.0.1:8443）"
    )
    p.add_argument(
        "--certfile",
        help="TLS 证书文件（PEM，经办机构的证书；不给则为明文 HTTP，仅供反向代理后使用）",
    )
    p.add_argument("--keyfile", help="TLS 私钥文件（PEM）")
    p.add_argument("--spool", help="收到的上报包存放目录（默认 <数据库>.received）")
    p.add_argument(
        "--returns", help="回执包所在目录（clerk export --for 写出的目录，默认 <数据库>.outbox）"
    )
    p.add_argument(
        "--max-bundle-mb", type=int, default=512, help="单个上报包的大小上限（MB，默认 512）"
    )
    p.add_argument(
        "--max-uploads", type=int, default=8, help="同时上传的包数上限（默认 8，超出答 503）"
    )
    p.add_argument("--passphrase-env", metavar="VAR", help="私钥口令所在的环境变量（私钥有口令时）")
    p.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    from clerk.cli._paths import db_target
    from clerk.net.server import MB, ServeConfig, make_app, run
    from clerk.service.compose import open_window
    from clerk.support.paths import documents_dir
    from clerk.sync.keys import KeyProblem

    target = db_target(args)
    if isinstance(target, str):  # a server database: no file to put the folders beside
        if not (args.spool and args.returns):
            print(
                "未完成：数据库为 postgresql:// 地址时，请用 --spool 和 --returns 指定收件目录和回执包目录。",
                file=sys.stderr,
            )
            return 1
        path = Path("clerk")  # unused: both folders are given
    else:
        path = target
        if not path.is_file():
            print(f"未完成：找不到数据库文件 {path}，请用 --db 指定。", file=sys.stderr)
            return 1
    host, _, port_text = args.listen.rpartition(":")
    if not host or not port_text.isdigit():
        print("未完成：--listen 应写成 地址:端口，如 127.0.0.1:8443。", file=sys.stderr)
        return 1
    if bool(args.certfile) != bool(args.keyfile):
        print("未完成：--certfile 和 --keyfile 要一起给。", file=sys.stderr)
        return 1
    try:
        passphrase = passphrase_from(args)
    except KeyProblem as exc:
        print(f"未完成：{exc}", file=sys.stderr)
        return 1
    config = ServeConfig(
        spool=Path(args.spool) if args.spool else path.with_name(path.name + ".received"),
        returns=Path(args.returns) if args.returns else path.with_name(path.name + ".outbox"),
        max_bundle=args.max_bundle_mb * MB,
        max_uploads=args.max_uploads,
        passphrase=passphrase,
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    app = make_app(
        lambda: open_window(target, documents_root=documents_dir(), create=False), config
    )
    print(
        f"clerk serve：{'https' if args.certfile else 'http'}://{args.listen}，"
        f"收件目录 {config.spool}，回执包目录 {config.returns}",
        file=sys.stderr,
    )
    run(app, host.strip("[]"), int(port_text), certfile=args.certfile, keyfile=args.keyfile)
    return 0
