"""A hit as plain JSON-ready data (the read layer's search model and export rows are built on it)."""

from __future__ import annotations

from typing import Any

from unsealed.search.model import Hit


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    out: dict[str, Any] = {
        "document_id": hit.document_id,
        "dataset": hit.citation.dataset,
        "filename": hit.citation.filename,
        "page": hit.page,
        "bates": hit.citation.bates,
        "citation": str(hit.citation),
        "doc_type": hit.doc_type,
        "date": hit.date.isoformat() if hit.date else None,
        "score": round(hit.score, 4),
    }
    if hit.snippet is not None:
        out["snippet"] = {
            "text": hit.snippet.text,
            "highlights": [list(h) for h in hit.snippet.highlights],
            "html": hit.snippet.html(),
        }
    return out


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A text cell made inert for spreadsheets the way OWASP recommends: a leading character that
    would start a formula gets a single quote before it (numbers are left as they are)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
