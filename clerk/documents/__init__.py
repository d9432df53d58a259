"""Written documents the window hands over: what they say, as text and PDF, and where they are kept."""

from clerk.documents.model import DocKind, DocumentData, DocumentError, doc_number, validate

__all__ = ["DocKind", "DocumentData", "DocumentError", "doc_number", "validate"]
