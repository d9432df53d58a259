"""Turn a stored case into the document the window hands over, and save it.

The issuer takes plain values (`IssueContext`: the office, the point, the item, the case record,
the day and the clerk), never the service, so documents sit below the service layer. The service
calls it inside the decision's write transaction, after the decision is known to be allowed: a
document that cannot be issued (a required element empty) stops the decision, and the files of a
decision that then fails to commit are set aside by the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from clerk.documents.model import DocKind, DocumentData, doc_number
from clerk.documents.store import SavedDocument, save_document
from clerk.domain.catalog import Item, Material
from clerk.domain.clock import TZ
from clerk.domain.masking import mask_id
from clerk.domain.model import Deadline
from clerk.domain.notice import NoticeContent
from clerk.domain.offices import Office
from clerk.ports.records import CaseRecord, MaterialCheckRecord

# 行政许可法 Art. 32: the window refuses in writing, citing the law it acts under.
REFUSAL_LAW = "《中华人民共和国行政许可法》第三十二条"
DEFAULT_QUERY = (
    "现场查询、线上查询（全市各级医保经办机构公布电话、门户网站、手机APP或微信公众号等）"
)


def basis_lines(item: Item) -> list[str]:
    return [f"{b.law}{b.articles or ''}" for b in item.basis]


@dataclass(frozen=True)
class IssueContext:
    """Everything a document of one case needs, as plain values."""

    office: Office  # the county office whose seal the document carries
    point_code: str  # the point issuing it (the office's own code at the county hall)
    point_name: str
    item: Item
    case: CaseRecord  # the case as it stands after the decision
    issued_on: date
    clerk_name: str
    issued_kinds: Sequence[str] = ()  # kinds of the documents already issued for the case
    issued_at: datetime | None = None  # the moment of issue: the PDF's creation date
    # Art. 32: the receipt day the case counts as accepted from (no notice within 5 working days)
    deemed_from: date | None = None


class DocumentIssuer:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root

    # ------------------------------------------------------------------ kinds

    def acceptance(
        self,
        ctx: IssueContext,
        deadline: Deadline,
        required: Sequence[Material],
        checks: Mapping[str, MaterialCheckRecord],
    ) -> SavedDocument:
        received = _received(required, checks)
        data = replace(
            self._base(ctx, DocKind.ACCEPTANCE),
            accepted_on=ctx.deemed_from or ctx.issued_on,
            due=deadline.due,
            due_provisional=deadline.provisional,
            materials_received=tuple(received) or ("（本事项无需提交纸质材料）",),
        )
        return self._save(data)

    def collection(
        self,
        ctx: IssueContext,
        required: Sequence[Material],
        checks: Mapping[str, MaterialCheckRecord],
    ) -> SavedDocument:
        """收件回执 for a case a point collects and hands on to its county office (收件转报)."""
        data = replace(
            self._base(ctx, DocKind.COLLECTION),
            materials_received=tuple(_received(required, checks))
            or ("（本事项无需提交纸质材料）",),
        )
        return self._save(data)

    def notice(self, ctx: IssueContext, content: NoticeContent) -> SavedDocument:
        return self._save(self.notice_data(ctx, content))

    def notice_data(self, ctx: IssueContext, content: NoticeContent) -> DocumentData:
        """The notice as it will be printed (the preview shows exactly this)."""
        return replace(
            self._base(ctx, DocKind.NOTICE),
            missing=tuple(content.missing),
            hand_in_by=content.due_by,
            hand_in_where=content.hand_in_where,
            supplement_days=content.supplement_days,
            basis=tuple(content.basis),
        )

    def decision(
        self, ctx: IssueContext, kind: str, reason: str, apply_instead: str = ""
    ) -> SavedDocument:
        return self._save(self.decision_data(ctx, kind, reason, apply_instead))

    def decision_data(
        self, ctx: IssueContext, kind: str, reason: str, apply_instead: str = ""
    ) -> DocumentData:
        """A decision's document as it will be printed (a refusal's preview shows exactly this)."""
        doc_kind = DocKind(kind)
        basis = basis_lines(ctx.item)
        if doc_kind is DocKind.REFUSAL:
            basis = [REFUSAL_LAW, *basis]
        return replace(
            self._base(ctx, doc_kind),
            reason=reason,
            basis=tuple(basis),
            apply_instead=apply_instead,
        )

    def completion(self, ctx: IssueContext) -> SavedDocument:
        data = self._base(ctx, DocKind.COMPLETION)
        case = ctx.case
        if case.amount_fen is not None:
            paid_on = case.paid_at.astimezone(TZ).date() if case.paid_at else ctx.issued_on
            data = replace(data, amount_fen=case.amount_fen, paid_on=paid_on)
        return self._save(data)

    # ------------------------------------------------------------------ helpers

    def _base(self, ctx: IssueContext, kind: DocKind) -> DocumentData:
        item, case, office = ctx.item, ctx.case, ctx.office
        n = 1 + sum(1 for k in ctx.issued_kinds if k == kind)
        limit = item.time_limit.for_channel(case.channel == "online")
        query = item.local.query if item.local is not None and item.local.query else DEFAULT_QUERY
        at_office = ctx.point_code == office.code
        return DocumentData(
            kind=kind,
            doc_no=doc_number(case.case_no, kind, n),
            office_name=office.agency_name,
            office_address=office.address,
            supervision_phone=office.phone,
            point_name="" if at_office else ctx.point_name,
            point_at_office=at_office,
            case_no=case.case_no,
            item_no=item.no,
            item_name=item.name,
            applicant_name=case.applicant_name,
            applicant_id_masked=mask_id(case.id_number or ""),
            applicant_kind=case.applicant_kind,
            issued_on=ctx.issued_on,
            issued_at=ctx.issued_at,
            received_on=case.received_at.astimezone(TZ).date(),
            accepted_on=ctx.deemed_from
            or (case.accepted_at.astimezone(TZ).date() if case.accepted_at else None),
            deemed_accepted=ctx.deemed_from is not None,
            due=case.due_date,
            due_provisional=case.due_provisional,
            clerk_name=ctx.clerk_name,
            query_channel=query,
            time_limit_text=limit.describe() if hasattr(limit, "describe") else "",
            reconsideration_body=office.reconsideration_body,
        )

    def _save(self, data: DocumentData) -> SavedDocument:
        return save_document(data, root=self.root)


def _received(required: Sequence[Material], checks: Mapping[str, MaterialCheckRecord]) -> list[str]:
    """The materials handed in, as printed (a choice names the alternative chosen)."""
    return [
        f"{m.name}（{checks[m.id].alternative}）"
        if m.is_choice and checks[m.id].alternative
        else m.name
        for m in required
        if m.id in checks and checks[m.id].status == "ok"
    ]
