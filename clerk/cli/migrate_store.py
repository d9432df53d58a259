"""`clerk migrate-store FROM TO`: move an office's SQLite file onto a PostgreSQL server.

FROM is a clerk file, TO a `postgresql://` URL of a new, empty database (the schema is made on
open; a database that already holds a record is refused). Every table's stored rows go across as
they are, in one transaction, with the engine's bulk load (`PostgresStore.bulk_load`: `COPY`);
the events keep their origin, seq, prev_hash and hash, so every chain is the same chain. Then a
full `clerk verify` of the target, and its chain heads and row counts compared with the file's.
The documents' files come along: their bytes go into the server's `document_contents` (`COPY`,
in the same transaction), each row records the file's name instead of its path here, and the
full verify proves every document's bytes on the server against its recorded SHA-256.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from clerk.cli.verify import report_text
from clerk.ports.errors import StorageError
from clerk.support.targets import is_server


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "migrate-store",
        help="把本机的数据库文件（SQLite）迁移到 PostgreSQL 服务器上的空数据库，并核验",
    )
    p.add_argument("source", metavar="FROM", help="现有的数据库文件（如 clerk.db）")
    p.add_argument("target", metavar="TO", help="目标：postgresql://用户@服务器/数据库（须为空库）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出结果")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from clerk.storage.postgres.store import PostgresStore
    from clerk.storage.sqlite.raw_tables import raw_tables

    source, target = Path(args.source), str(args.target)
    if not is_server(target):
        print(
            "迁移失败：TO 必须是 postgresql://… 地址（目标是 PostgreSQL 数据库）。", file=sys.stderr
        )
        return 2
    try:
        with raw_tables(source) as src:
            tables = src.tables()
            store = PostgresStore.open(target)
            try:
                where = store.location
                extra = sorted(set(tables) - set(store.loadable_tables()))
                if extra:
                    print(
                        f"迁移失败：数据库文件中的数据表 {'、'.join(extra)} 在目标中没有对应，未迁移。"
                        "请确认两边是同一版本的 clerk。",
                        file=sys.stderr,
                    )
                    return 1

                def rows_of(table: str) -> tuple[Sequence[str], Iterable[Sequence[Any]]]:
                    if table not in tables:
                        return (), ()
                    columns = src.columns(table)
                    wanted = set(store.loadable_columns(table))
                    missing = [c for c in columns if c not in wanted and c != "n"]
                    if missing:
                        raise StorageError(
                            f"数据表 {table} 的列 {'、'.join(missing)} 在目标中没有对应"
                        )
                    kept = [c for c in columns if c in wanted]
                    return kept, src.rows(table, kept)

                print(f"正在迁移 {source} → {where} ……", file=sys.stderr)
                loaded = store.bulk_load(rows_of)
                contents = loaded.pop("document_contents", 0)
                target_counts = store.row_counts()  # before the verify adds its checkpoint
                print("正在完整核验目标数据库 ……", file=sys.stderr)
                report = store.verify(full=True)
                target_heads = store.chain_heads()
                anchor = store.sync_store().database_path()
            finally:
                store.close()
            source_heads = src.heads()
            source_counts = src.counts()
    except StorageError as exc:
        print(f"迁移失败：{exc}", file=sys.stderr)
        return 1
    differences = [
        f"数据表 {t}：文件中 {source_counts.get(t, 0)} 行，目标中 {target_counts.get(t, 0)} 行"
        for t in sorted(set(source_counts) | set(target_counts))
        if source_counts.get(t, 0) != target_counts.get(t, 0)
    ]
    differences += [
        f"来源 {o} 的链头：文件中 {source_heads.get(o)}，目标中 {target_heads.get(o)}"
        for o in sorted(set(source_heads) | set(target_heads))
        if source_heads.get(o) != target_heads.get(o)
    ]
    ok = report.ok and not differences
    keys_note = _carry_keys(source, anchor) if ok else None
    if args.json:
        print(
            json.dumps(
                {
                    "from": str(source),
                    "to": where,
                    "ok": ok,
                    "rows": loaded,
                    "document_contents": contents,
                    "heads": {o: list(h) for o, h in target_heads.items()},
                    "differences": differences,
                    "keys": keys_note,
                    "verify": report.as_dict(),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0 if ok else 1
    print(f"已将 {source} 迁移到 {where}")
    print(
        f"迁移：办件 {loaded.get('cases', 0)} 件，事件记录 {loaded.get('events', 0)} 条，"
        f"文书记录 {loaded.get('documents', 0)} 份，用户 {loaded.get('users', 0)} 个，"
        f"共 {sum(loaded.values())} 行（{sum(1 for n in loaded.values() if n)} 个数据表）"
    )
    for origin, (seq, digest) in sorted(target_heads.items()):
        same = source_heads.get(origin) == (seq, digest)
        print(
            f"  来源 {origin}：{seq} 条，链头 {digest[:16]}…，{'与原文件一致' if same else '与原文件不一致'}"
        )
    print(report_text(where, report))
    if differences:
        print("迁移后的数据库与原文件不一致：")
        print("\n".join(f"  - {d}" for d in differences))
    if keys_note:
        print(keys_note)
    print(
        f"文书：{contents} 个文件的内容已复制到服务器数据库（各窗口均可重打），"
        "本机的文书目录与原数据库文件请保留作备份。"
    )
    if ok:
        print("结论：迁移完成，目标数据库核验通过，链头与行数与原文件一致。")
    else:
        print("结论：迁移后的核验未通过，请勿启用目标数据库；原文件未作任何改动。")
    return 0 if ok else 1


def _carry_keys(source: Path, anchor: Path | None) -> str | None:
    """Copy the file's sync keys (`FILE.keys`) to where the server database's are kept (the data
    directory's `servers/HOST_PORT_DATABASE.keys`), owner-only; never over keys already there."""
    import shutil

    from clerk.support.file_modes import make_private_tree
    from clerk.sync.keys import key_dir

    mine = key_dir(source)
    if anchor is None or not mine.is_dir():
        return None
    theirs = key_dir(anchor)
    if theirs.exists():
        return f"同步密钥：{theirs} 已存在，未覆盖；原文件的密钥仍在 {mine}，请核对后手工处理。"
    theirs.parent.mkdir(parents=True, exist_ok=True)
    partial = theirs.with_name(theirs.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(mine, partial)
    make_private_tree(partial)
    partial.rename(theirs)
    return f"同步密钥：已从 {mine} 复制到 {theirs}（仅本用户可读），本机可继续与各服务点交换数据。"
