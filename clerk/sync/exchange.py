"""What a bundle carries and how an imported one is checked and applied.

Export (`build_export`): everything the receiver has not acknowledged — per chain, the events
after the sequence number the receiver last confirmed, and every case touched by them or changed
since the receiver confirmed our last bundle (with its material checks, documents and their files,
evaluations). Nothing is dropped locally, ever; a lost USB stick costs nothing, the next bundle
carries the same again. The manifest also carries our acknowledgements: per chain of the
receiver's, the last sequence number and hash we hold.

Import (`check_bundle` then `apply_bundle`): decryption, signature, every part's hash and every
chain link are checked before the database is touched; then one transaction applies it. Records
are matched by UUID and events by (origin, seq): identical is skipped, the same id with other
content is refused and reported, never overwritten. Case rows follow their owner (see
`clerk.sync.ownership`); another installation's event that would change a case goes to the
conflict queue. Events dated in the future or running backwards are flagged; order is by
sequence, never by clock.
"""

from __future__ import annotations

from clerk.sync.applying import CASE_MUTABLE, apply_bundle
from clerk.sync.checking import (
    Checked,
    check_bundle,
    check_bundle_file,
    check_chains,
    event_link_hash,
)
from clerk.sync.clocks import FUTURE_SLACK
from clerk.sync.export import (
    HISTORY,
    ExportError,
    build_export,
    chains_for,
    manifest_summary,
    receiver_for,
    record_written,
)
from clerk.sync.report import TELL, ImportReport, refused, report_text

__all__ = [
    "CASE_MUTABLE",
    "FUTURE_SLACK",
    "HISTORY",
    "TELL",
    "Checked",
    "ExportError",
    "ImportReport",
    "apply_bundle",
    "build_export",
    "chains_for",
    "check_bundle",
    "check_bundle_file",
    "check_chains",
    "event_link_hash",
    "manifest_summary",
    "receiver_for",
    "record_written",
    "refused",
    "report_text",
]
