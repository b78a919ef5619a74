"""The document page's data: header, e-mail headers, pages, entities, metadata, in-document search.

`document_view` is what the JSON API returns; `page_segments` adds the marked-up text the HTML needs.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from sqlalchemy import Connection

from unsealed.errors import NotFoundError
from unsealed.store.documents import document_record
from unsealed.views import queries
from unsealed.views.evidence import attachments_view, copies_view, fields_view, redaction_diff
from unsealed.views.textmarks import Span, find_hits, query_terms, segments, to_html
from unsealed.views.threads import document_threads

# Panel groups in display order: entity type → heading.
ENTITY_GROUPS = [
    ("PERSON", "People"),
    ("ORG", "Organizations"),
    ("LOCATION", "Locations"),
    ("EMAIL", "E-mail addresses"),
    ("PHONE", "Phones"),
    ("URL", "Web addresses"),
]


def _processing_state(doc: dict[str, Any]) -> dict[str, str]:
    """Where the document stands, so an empty panel never reads as "nothing found"."""
    if doc["status"] == "failed":
        return {"state": "failed", "message": f"This file could not be processed: {doc['error']}"}
    if doc["enriched_at"] is None:
        return {"state": "processing", "message": "Entities and e-mail headers are not extracted yet."}
    return {"state": "ok", "message": ""}


def mention_anchor(page: int, start: int) -> str:
    """The id of a mention's mark in the document page: the same from any page that links to it."""
    return f"m-{page}-{start}"


def _entity_groups(grouped: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """enrich.queries.document_entities output as panel groups, with the first mention's anchor."""
    labels = dict(ENTITY_GROUPS)
    groups = []
    for etype, members in grouped.items():
        rows = []
        for e in members:
            first = e["mentions"][0]
            rows.append(
                {
                    "id": e["id"],
                    "type": etype,
                    "name": e["name"],
                    "count": e["count"],
                    "first_page": first["page"],
                    "first_anchor": mention_anchor(first["page"], first["start"]),
                }
            )
        groups.append(
            {"type": etype, "label": labels.get(etype, etype), "count": len(rows), "entities": rows}
        )
    return groups


def _mentions(grouped: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return sorted(
        (
            {"page": m["page"], "start": m["start"], "end": m["end"], "entity_id": e["id"], "type": etype}
            for etype, members in grouped.items()
            for e in members
            for m in e["mentions"]
        ),
        key=lambda m: (m["page"], m["start"]),
    )


def document_view(conn: Connection, document_id: str, q: str = "") -> dict[str, Any]:
    record = document_record(conn, document_id)
    if record is None:
        raise NotFoundError(f"no document {document_id!r}")
    pages = record.pop("pages")
    sources = record.pop("sources")
    also_in = record.pop("also_in")
    grouped = queries.document_entities(conn, document_id)
    groups = _entity_groups(grouped)
    terms = query_terms(q)
    search_pages = []
    for page in pages:
        page["hits"] = len(find_hits(page["text"], terms)) if terms else 0
        page["image_url"] = f"/documents/{document_id}/pages/{page['number']}.png"
        if page["hits"]:
            search_pages.append({"number": page["number"], "bates": page["bates"], "hits": page["hits"]})
    fields = fields_view(conn, document_id)
    return {
        "document": record,
        "processing": _processing_state(record),
        "sources": sources,
        "also_in": also_in,
        "fields": fields,
        "attachments": attachments_view(conn, document_id, fields),
        "copies": copies_view(conn, document_id),
        "redaction_diff": redaction_diff(conn, document_id),
        "threads": document_threads(conn, document_id),
        "emails": queries.document_emails(conn, document_id),
        "entities": {
            "extracted": record["enriched_at"] is not None,
            "total": sum(g["count"] for g in groups),
            "groups": groups,
        },
        "mentions": _mentions(grouped),
        "pages": pages,
        "search": {
            "q": q,
            "terms": terms,
            "total_hits": sum(p["hits"] for p in search_pages),
            "pages": search_pages,
        },
        "links": {
            "html": f"/documents/{document_id}",
            "original": f"/documents/{document_id}/original",
            "api": f"/api/v1/documents/{document_id}",
        },
    }


def page_segments(view: dict[str, Any]) -> dict[int, Markup]:
    """Each page's text as escaped HTML with hit and mention marks (for the HTML page only)."""
    by_page: dict[int, list[Span]] = {}
    for m in view["mentions"]:
        anchor = mention_anchor(m["page"], m["start"])
        by_page.setdefault(m["page"], []).append(
            Span(m["start"], m["end"], "mention", anchor, m["entity_id"], m["type"])
        )
    terms = view["search"]["terms"]
    out: dict[int, Markup] = {}
    for page in view["pages"]:
        spans = list(by_page.get(page["number"], []))
        for i, (a, b) in enumerate(find_hits(page["text"], terms)):
            spans.append(Span(a, b, "hit", f"hit-{page['number']}-{i + 1}"))
        out[page["number"]] = to_html(segments(page["text"], spans))
    return out
