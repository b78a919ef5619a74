"""The document page's data: header, e-mail headers, pages, entities, metadata, in-document search.

`document_view` is what `show --json` and `/api/v1/documents/{id}` return; `page_segments` adds the
marked-up text the HTML page needs. Hits are marked by the search service's `highlighter`, so the
document page marks exactly what search matched (`a -b` marks a only; `word~` marks fuzzy matches).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup
from sqlalchemy import Connection

from unsealed.errors import NotFoundError
from unsealed.search.errors import QueryError
from unsealed.search.query import parse
from unsealed.search.tree import Near, positive_terms
from unsealed.store.documents import document_record
from unsealed.views import queries
from unsealed.views.evidence import attachments_view, copies_view, fields_view, redaction_diff
from unsealed.views.models import (
    Document,
    DocumentEntities,
    DocumentEntity,
    DocumentLinks,
    DocumentSearch,
    Email,
    EntityGroup,
    MentionSpan,
    OtherCopy,
    Page,
    Processing,
    SearchInPage,
    Source,
)
from unsealed.views.textmarks import Span, segments, to_html
from unsealed.views.threads import document_threads

Highlighter = Callable[[str], list[tuple[int, int]]]

# Panel groups in display order: entity type → heading.
ENTITY_GROUPS = [
    ("PERSON", "People"),
    ("ORG", "Organizations"),
    ("LOCATION", "Locations"),
    ("EMAIL", "E-mail addresses"),
    ("PHONE", "Phones"),
    ("URL", "Web addresses"),
]


def _processing_state(doc: dict[str, Any]) -> Processing:
    """Where the document stands, so an empty panel never reads as "nothing found"."""
    if doc["status"] == "failed":
        return Processing(state="failed", message=f"This file could not be processed: {doc['error']}")
    if doc["enriched_at"] is None or doc.get("emails_at") is None:
        return Processing(state="processing", message="Entities and e-mail headers are not extracted yet.")
    return Processing(state="ok", message="")


def mention_anchor(page: int, start: int) -> str:
    """The id of a mention's mark in the document page: the same from any page that links to it."""
    return f"m-{page}-{start}"


def _entity_groups(grouped: dict[str, list[dict[str, Any]]]) -> list[EntityGroup]:
    """queries.document_entities output as panel groups, with the first mention's anchor."""
    labels = dict(ENTITY_GROUPS)
    groups = []
    for etype, members in grouped.items():
        rows = [
            DocumentEntity(
                id=e["id"],
                type=etype,
                name=e["name"],
                count=e["count"],
                first_page=e["mentions"][0]["page"],
                first_anchor=mention_anchor(e["mentions"][0]["page"], e["mentions"][0]["start"]),
                mentions=[MentionSpan(**m) for m in e["mentions"]],
            )
            for e in members
        ]
        groups.append(EntityGroup(type=etype, label=labels.get(etype, etype), count=len(rows), entities=rows))
    return groups


def query_terms(q: str) -> list[str]:
    """The words and phrases of a query that mark a page (not those under NOT); [] for a bad query."""
    try:
        tree = parse(q).tree
    except QueryError:
        return []
    terms: list[str] = []
    for leaf in positive_terms(tree):
        terms += list(leaf.words) if isinstance(leaf, Near) else [leaf.text]
    return terms


def document_view(
    conn: Connection,
    document_id: str,
    q: str = "",
    *,
    highlight: Highlighter | None = None,
    located_page: int | None = None,
) -> Document:
    """A document as the CLI, API and page show it; `highlight` marks the hits of `q` in the pages."""
    record = document_record(conn, document_id)
    if record is None:
        raise NotFoundError(f"no document {document_id!r}")
    grouped = queries.document_entities(conn, document_id)
    groups = _entity_groups(grouped)
    chain = [Email.model_validate(e) for e in queries.document_emails(conn, document_id)]
    hit_spans: dict[int, list[tuple[int, int]]] = {}
    pages = []
    for raw in record["pages"]:
        page = Page.model_validate(raw)
        if q.strip() and highlight is not None:
            hit_spans[page.number] = highlight(page.text or "")
            page.hits = len(hit_spans[page.number])
        page.image_url = f"/documents/{document_id}/pages/{page.number}.png"
        pages.append(page)
    search_pages = [SearchInPage(number=p.number, bates=p.bates, hits=p.hits) for p in pages if p.hits]
    own = (
        "page",
        "processing",
        "sources",
        "also_in",
        "email",
        "emails",
        "entities",
        "pages",
        "search",
        "links",
        "fields",
        "attachments",
        "copies",
        "redaction_diff",
        "threads",
    )
    fields = {k: v for k, v in record.items() if k in Document.model_fields and k not in own}
    view = Document(
        **fields,
        page=located_page,
        processing=_processing_state(record),
        sources=[Source(storage_key=s["storage_key"]) for s in record["sources"]],
        also_in=[OtherCopy(**o) for o in record["also_in"]],
        email=chain[0] if chain and chain[0].seq == 0 else None,
        emails=chain,
        entities=DocumentEntities(
            extracted=record["enriched_at"] is not None,
            total=sum(g.count for g in groups),
            groups=groups,
        ),
        pages=pages,
        search=DocumentSearch(
            q=q,
            terms=query_terms(q) if q.strip() else [],
            total_hits=sum(p.hits for p in search_pages),
            pages=search_pages,
        ),
        links=DocumentLinks(
            html=f"/documents/{document_id}",
            original=f"/documents/{document_id}/original",
            api=f"/api/v1/documents/{document_id}",
        ),
    )
    view.fields = fields_view(conn, document_id)
    view.attachments = attachments_view(conn, document_id, view.fields)
    view.copies = copies_view(conn, document_id)
    view.redaction_diff = redaction_diff(conn, document_id)
    view.threads = document_threads(conn, document_id)
    view._hit_spans = hit_spans
    return view


def page_segments(view: Document) -> dict[int, Markup]:
    """Each page's text as escaped HTML with hit and mention marks (for the HTML page only)."""
    by_page: dict[int, list[Span]] = {}
    for group in view.entities.groups:
        for e in group.entities:
            for m in e.mentions:
                anchor = mention_anchor(m.page, m.start)
                by_page.setdefault(m.page, []).append(Span(m.start, m.end, "mention", anchor, e.id, e.type))
    out: dict[int, Markup] = {}
    for page in view.pages:
        spans = list(by_page.get(page.number, []))
        for i, (a, b) in enumerate(view._hit_spans.get(page.number, [])):
            spans.append(Span(a, b, "hit", f"hit-{page.number}-{i + 1}"))
        out[page.number] = to_html(segments(page.text or "", spans))
    return out


def hit_spans(view: Document) -> dict[int, list[tuple[int, int]]]:
    """The character spans marked as hits on each page (what to box on the page image)."""
    return {page.number: list(spans) for page in view.pages if (spans := view._hit_spans.get(page.number))}
