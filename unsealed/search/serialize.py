"""Search results as plain JSON-ready dicts (CLI --json, export lines, the API)."""

from __future__ import annotations

from typing import Any

from unsealed.search.model import DocumentGroup, Hit, SearchResults


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


def group_to_dict(group: DocumentGroup) -> dict[str, Any]:
    return {
        "document_id": group.document_id,
        "citation": str(group.citation),
        "matching_pages": group.matching_pages,
        "hits": [hit_to_dict(h) for h in group.hits],
    }


def results_to_dict(results: SearchResults) -> dict[str, Any]:
    out: dict[str, Any] = {
        "query": results.query,
        "total": results.total,
        "took_ms": round(results.took_ms, 2),
        "warnings": results.warnings,
        "next_cursor": results.next_cursor,
    }
    if results.groups is not None:
        out["groups"] = [group_to_dict(g) for g in results.groups]
    else:
        out["hits"] = [hit_to_dict(h) for h in results.hits]
    if results.facets is not None:
        out["facets"] = {
            name: [{"value": f.value, "count": f.count, "refine": f.refine} for f in values]
            for name, values in results.facets.items()
        }
    return out


EXPORT_COLUMNS = [
    "citation",
    "dataset",
    "filename",
    "page",
    "bates",
    "document_id",
    "doc_type",
    "date",
    "score",
]

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A text cell made inert for spreadsheets the way OWASP recommends: a leading character that
    would start a formula gets a single quote before it (numbers are left as they are)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(hit: Hit) -> dict[str, Any]:
    """One export line for csv.DictWriter (use it with quoting=csv.QUOTE_ALL)."""
    return {name: csv_cell(value) for name, value in hit_to_dict(hit).items() if name in EXPORT_COLUMNS}
