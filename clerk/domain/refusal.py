"""What a refusal (不予受理) must say beyond its reason.

行政许可法 Art. 32(1)(2): an application outside the office's competence is refused at once, *and the
applicant is told which authority to apply to* (并告知申请人向有关行政机关申请). A refusal whose reason
is lack of competence therefore needs the place to apply instead; `refusal_terms` refuses it without.
"""

from __future__ import annotations

from dataclasses import dataclass

# Words by which a clerk's reason says the matter is not this office's to decide.
COMPETENCE_WORDS: tuple[str, ...] = (
    "职权范围",
    "不属于本机关",
    "不属于本机构",
    "非本机关",
    "非本机构",
    "管辖",
)
COMPETENCE_BASIS = "《中华人民共和国行政许可法》第三十二条第一款第（二）项"


class RefusalError(ValueError):
    """A refusal the rules do not allow as given (Chinese message)."""


@dataclass(frozen=True)
class RefusalTerms:
    reason: str
    apply_instead: str  # "" unless the reason is lack of competence


def is_lack_of_competence(reason: str) -> bool:
    return any(word in reason for word in COMPETENCE_WORDS)


def refusal_terms(reason: str, apply_instead: str = "") -> RefusalTerms:
    """The reason and where to apply instead, checked. Raises `RefusalError`."""
    reason = reason.strip()
    apply_instead = apply_instead.strip()
    if not reason:
        return RefusalTerms("", "")  # the workflow refuses an empty reason with its own message
    if is_lack_of_competence(reason) and not apply_instead:
        raise RefusalError(
            "以不属于本机关职权范围为由不予受理的，须告知申请人向哪个机关申请"
            "（行政许可法第三十二条第一款第（二）项），请填写受理机关。"
        )
    return RefusalTerms(reason, apply_instead)
