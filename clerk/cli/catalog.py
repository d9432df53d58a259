"""`clerk catalog [N] [--json]`: the guide to the 39 service items."""

from __future__ import annotations

import argparse
import json

from clerk.domain.catalog import default_catalog
from clerk.domain.catalog_view import catalog_as_json, item_guide_text, item_list_text


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("catalog", help="查看39项服务事项（办理指南）")
    p.add_argument("item", nargs="?", help="事项序号（1–39）或子项编码")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    catalog = default_catalog()
    if args.item is None:
        if args.json:
            print(json.dumps(catalog_as_json(catalog), ensure_ascii=False, indent=2))
        else:
            print(item_list_text(catalog))
        return 0
    items = []
    if args.item.isdigit() and len(args.item) <= 2:
        no = int(args.item)
        if 1 <= no <= len(catalog.items):
            items = [catalog.item(no)]
    else:
        items = catalog.by_code(args.item)
    if not items:
        print(f"没有找到事项“{args.item}”：请输入 1–{len(catalog.items)} 的序号或12位子项编码。")
        return 1
    if args.json:
        data = catalog_as_json(catalog)["items"]
        print(json.dumps([data[i.no - 1] for i in items], ensure_ascii=False, indent=2))
    else:
        print("\n\n".join(item_guide_text(catalog, i) for i in items))
    return 0
