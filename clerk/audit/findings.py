"""What a verify found, as the checks collect it (`clerk.audit.proof`): the problems, the
counts, the chain summaries and the progress; and the labels and limits the checks share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from clerk.domain.chain import (
    ChainReport,
)
from clerk.ports.verify_report import (
    ChainSummary,
    FilesLook,
    VerifyProblem,
    VerifyReport,
)
from clerk.support.progress import Progress, silent

SOURCE_LABELS = {
    "ledger": "日结单上打印的",
    "ack": "上级经办机构确认收到的",
    "verified": "上次核验通过时的",
}


@dataclass(frozen=True)
class Problem:
    kind: str  # integrity | foreign_key | trigger | chain | checkpoint | case | document | orphan
    message: str  # Chinese
    case_no: str | None = None
    column: str | None = None
    origin: str | None = None
    seq: int | None = None


@dataclass
class Proof:
    """A proof as it goes: what was checked, what was found, and where it got to."""

    full: bool
    integrity: str | list[str] = "ok"  # "not checked" in an incremental verify
    chains: list[ChainReport] = field(default_factory=list)
    checkpoints: int = 0
    cases: int = 0
    documents: int = 0
    set_aside: int = 0
    problems: list[Problem] = field(default_factory=list)
    escalated: str | None = None  # why an incremental verify became a full one
    last_n: int = 0  # the local event number the check reached
    marks: list[tuple[str, int]] = field(default_factory=list)  # (case uuid, mark) seen
    quick_check: bool = False  # an incremental verify that also ran the engine's quick check
    recent_files: bool = True  # an incremental verify also looks at the last days' document files
    last_look: FilesLook | None = None  # what the last passed look at them saw (the store's)
    files_look: FilesLook | None = None  # what this one's saw, to remember (None: it made none)
    recent_looked: int | None = None  # the files that look looked for (None: no look made)
    recent_unchanged: bool = False  # no look needed: nothing changed since the last passed one
    progress: Progress = field(default=silent, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def heads(self) -> dict[str, tuple[int, str]]:
        """{origin: (seq, hash)} of every chain head this proof reached."""
        return {c.origin: (c.head.seq, c.head.hash) for c in self.chains if c.head is not None}

    def as_dict(self) -> dict[str, Any]:
        return self.typed().as_dict()

    def typed(self) -> VerifyReport:
        """The port's report (`clerk.ports.verify_report.VerifyReport`) of this proof."""
        broken = next((c for c in self.chains if not c.ok), None)
        heads = {c.origin: c.head for c in self.chains if c.head is not None}
        own_head = next(iter(heads.values()), None) if len(heads) == 1 else None
        return VerifyReport(
            ok=self.ok,
            mode="full" if self.full else "incremental",
            escalated=self.escalated,
            integrity=self.integrity,
            foreign_keys="ok"
            if not any(p.kind == "foreign_key" for p in self.problems)
            else "problems",
            chain_ok=broken is None,
            events=sum(c.walked for c in self.chains),
            first_broken=broken.broken_at if broken else None,
            first_broken_origin=broken.origin if broken else None,
            head=own_head.hash if own_head and broken is None else None,
            chains=tuple(
                ChainSummary(
                    origin=c.origin,
                    from_seq=c.start,
                    walked=c.walked,
                    seq=c.head.seq if c.head else 0,
                    hash=c.head.hash if c.head else None,
                    ok=c.ok,
                    broken_at=c.broken_at,
                )
                for c in self.chains
            ),
            checkpoints=self.checkpoints,
            cases=self.cases,
            documents=self.documents,
            set_aside_files=self.set_aside,
            recent_files=self.recent_looked,
            recent_files_unchanged=self.recent_unchanged,
            problems=tuple(
                VerifyProblem(p.kind, p.message, p.case_no, p.column, p.origin, p.seq)
                for p in self.problems
            ),
            problem="；".join(p.message for p in self.problems[:20]) if self.problems else None,
        )
