"""Turn a stored case into the document the window hands over, and save it.

The service calls these before it commits the decision: a document that cannot be issued (a
required element empty) stops the decision, and a saved file whose decision then fails to commit
is only an orphan file, never a decision without its document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clerk.catalog import Item
from clerk.clock import TZ
from clerk.documents.model import DocKind, DocumentData, doc_number
from clerk.documents.store import SavedDocument, save_document
from clerk.masking import mask_id
from clerk.model import Deadline
from clerk.notice import NoticeContent

if TYPE_CHECKING:  # pragma: no cover
    from clerk.service import Window
    from clerk.storage.users import User

# 行政许可法 Art. 32: the window refuses in writing, citing the law it acts under.
REFUSAL_LAW = "《中华人民共和国行政许可法》第三十二条"
DEFAULT_QUERY = "现场查询、线上查询（全市各级医保经办机构公布电话、门户网站、手机APP或微信公众号等）"


def _date(value: str | None) -> date | None:
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(TZ).date() if "T" in value else date.fromisoformat(value)


def basis_lines(item: Item) -> list[str]:
    return [f"{b.law}{b.articles or ''}" for b in item.basis]


class DocumentIssuer:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root

    # ------------------------------------------------------------------ kinds

    def acceptance(self, window: Window, row: Mapping[str, Any], deadline: Deadline, user: User) -> SavedDocument:
        received = self._received(window, row)
        data = self._base(window, row, DocKind.ACCEPTANCE, user)
        data = replace(
            data,
            accepted_on=window.today(),
            due=deadline.due,
            due_provisional=deadline.provisional,
            materials_received=tuple(received) or ("（本事项无需提交纸质材料）",),
        )
        return self._save(data)

    def collection(self, window: Window, row: Mapping[str, Any], user: User) -> SavedDocument:
        """收件回执 for a case a point collects and hands on to its county office (收件转报)."""
        data = replace(
            self._base(window, row, DocKind.COLLECTION, user),
            materials_received=tuple(self._received(window, row)) or ("（本事项无需提交纸质材料）",),
        )
        return self._save(data)

    def notice(self, window: Window, row: Mapping[str, Any], content: NoticeContent, user: User) -> SavedDocument:
        data = replace(
            self._base(window, row, DocKind.NOTICE, user),
            missing=tuple(content.missing),
            hand_in_by=content.due_by,
            hand_in_where=content.hand_in_where,
            extra=(content.policy_note,) if content.policy_note else (),
        )
        return self._save(data)

    def decision(self, window: Window, row: Mapping[str, Any], kind: str, reason: str, user: User) -> SavedDocument:
        doc_kind = DocKind(kind)
        item = window.catalog.item(row["item_no"])
        basis = basis_lines(item)
        if doc_kind is DocKind.REFUSAL:
            basis = [REFUSAL_LAW, *basis]
        data = replace(self._base(window, row, doc_kind, user), reason=reason, basis=tuple(basis))
        return self._save(data)

    def completion(self, window: Window, row: Mapping[str, Any], user: User) -> SavedDocument:
        data = self._base(window, row, DocKind.COMPLETION, user)
        if row.get("amount_fen") is not None:
            data = replace(data, amount_fen=int(row["amount_fen"]), paid_on=_date(row.get("paid_at")) or window.today())
        return self._save(data)

    # ------------------------------------------------------------------ helpers

    def _received(self, window: Window, row: Mapping[str, Any]) -> list[str]:
        item = window.catalog.item(row["item_no"])
        checks = {c["material_id"]: c for c in window.store.material_checks(row["uuid"])}
        return [
            m.name
            if not m.is_choice or not checks.get(m.id, {}).get("alternative")
            else f"{m.name}（{checks[m.id]['alternative']}）"
            for m in (window.required_for(item.no, _circumstances(row)))
            if checks.get(m.id, {}).get("status") == "ok"
        ]

    def _base(self, window: Window, row: Mapping[str, Any], kind: DocKind, user: User) -> DocumentData:
        item = window.catalog.item(row["item_no"])
        office = window.office()
        point = window.point()
        n = 1 + sum(1 for d in window.store.documents_for(row["uuid"]) if d["kind"] == kind)
        limit = item.time_limit.for_channel(row["channel"] == "online")
        query = item.local.query if item.local is not None and item.local.query else DEFAULT_QUERY
        return DocumentData(
            kind=kind,
            doc_no=doc_number(row["case_no"], kind, n),
            office_name=office.name,
            office_address=office.address,
            supervision_phone=office.phone,
            point_name="" if point.code == office.code else point.name,
            point_at_office=point.code == office.code,
            case_no=row["case_no"],
            item_no=item.no,
            item_name=item.name,
            applicant_name=row["applicant_name"],
            applicant_id_masked=mask_id(row["id_number"] or ""),
            applicant_kind=row["applicant_kind"],
            issued_on=window.today(),
            received_on=_date(row["received_at"]) or window.today(),
            accepted_on=_date(row.get("accepted_at")),
            due=_date(row.get("due_date")),
            due_provisional=bool(row.get("due_provisional")),
            clerk_name=user.name,
            query_channel=query,
            time_limit_text=limit.describe() if hasattr(limit, "describe") else "",
        )

    def _save(self, data: DocumentData) -> SavedDocument:
        return save_document(data, root=self.root)


def _circumstances(row: Mapping[str, Any]) -> frozenset[str]:
    import json

    return frozenset(json.loads(row.get("circumstances") or "[]"))
