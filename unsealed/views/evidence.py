"""A document's load-file fields and attachments, its near-duplicate copies, and the redaction diff.

The redaction diff compares each page with the copies of that page (same near-duplicate cluster):
where this page has redaction boxes and a copy's text holds words this page lacks at that place,
those words are what the copy reveals; the other way round, what this page reveals that a redacted
copy hides. Both pages are named by their Bates numbers, so both can be cited.
"""

from __future__ import annotations

import difflib
import re

from sqlalchemy import Connection, and_, select

from unsealed.store.schema import document_fields, documents, near_duplicates, pages
from unsealed.views.links import page_url
from unsealed.views.models import Attachments, Copies, Copy, FamilyMember, LoadField, RedactionDiff

_WORD = re.compile(r"\S+")
MAX_CHANGES = 50  # per page pair


def fields_view(conn: Connection, document_id: str) -> list[LoadField]:
    rows = conn.execute(
        select(document_fields.c.name, document_fields.c.value).where(
            document_fields.c.document_id == document_id
        )
    )
    return [LoadField(name=name, value=value) for name, value in rows]


def _field(fields: list[LoadField], *keys: str) -> str | None:
    for f in fields:
        if "".join(c for c in f.name.lower() if c.isalnum()) in keys:
            return f.value
    return None


def attachments_view(conn: Connection, document_id: str, fields: list[LoadField]) -> Attachments:
    """The family a load file gives: the parent (first Bates of the attachment range) and children."""
    begin = _field(fields, "begbates", "beginbates", "begdoc", "prodbeg")
    first = _field(fields, "begattach", "beginattach", "attachbeg", "begfamily")
    last = _field(fields, "endattach", "attachend", "endfamily")
    if not (begin and first and last):
        return Attachments()
    dataset = conn.execute(select(documents.c.dataset).where(documents.c.id == document_id)).scalar()
    family = conn.execute(
        select(documents.c.id, documents.c.bates_first, documents.c.filename)
        .join(document_fields, document_fields.c.document_id == documents.c.id)
        .where(
            documents.c.dataset == dataset,
            document_fields.c.key.in_(("begbates", "beginbates", "begdoc", "prodbeg")),
            document_fields.c.value >= first,
            document_fields.c.value <= last,
            documents.c.id != document_id,
        )
        .order_by(document_fields.c.value)
    ).all()
    members = [FamilyMember(id=r.id, bates=r.bates_first, filename=r.filename) for r in family]
    if begin == first:
        return Attachments(children=members)
    return Attachments(parent=next((m for m in members if m.bates == first), None))


def _cluster_of(conn: Connection, document_id: str, page: int) -> str | None:
    """The cluster, or None before the near-duplicate stage has run on the document ("")."""
    cluster = conn.execute(
        select(near_duplicates.c.cluster).where(
            near_duplicates.c.document_id == document_id, near_duplicates.c.page_number == page
        )
    ).scalar()
    return cluster or None


def copies_view(conn: Connection, document_id: str) -> Copies:
    """The document's near-duplicate cluster: every copy with its Bates range and data set."""
    cluster = _cluster_of(conn, document_id, 0)
    if cluster is None:
        return Copies()
    rows = conn.execute(
        select(
            documents.c.id,
            documents.c.dataset,
            documents.c.filename,
            documents.c.bates_first,
            documents.c.bates_last,
            documents.c.sha256,
            near_duplicates.c.canonical,
            near_duplicates.c.similarity,
        )
        .join(near_duplicates, near_duplicates.c.document_id == documents.c.id)
        .where(near_duplicates.c.cluster == cluster, near_duplicates.c.page_number == 0)
        .order_by(documents.c.bates_first, documents.c.dataset)
    ).all()
    own_sha = next((r.sha256 for r in rows if r.id == document_id), None)
    copies = [
        Copy(
            id=r.id,
            dataset=r.dataset,
            filename=r.filename,
            bates_first=r.bates_first,
            bates_last=r.bates_last,
            canonical=bool(r.canonical),
            exact=r.sha256 == own_sha,
            url=f"/documents/{r.id}",
        )
        for r in rows
        if r.id != document_id
    ]
    canonical = next((r.id for r in rows if r.canonical), document_id)
    return Copies(cluster=cluster, count=len(rows), canonical=canonical, copies=copies)


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _diff(this: str, other: str) -> tuple[list[str], list[str]]:
    """(words the other copy has where this one differs, words this one has there)."""
    a, b = _words(this), _words(other)
    shown, hidden = [], []
    matcher = difflib.SequenceMatcher(None, [w.lower() for w in a], [w.lower() for w in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if j2 > j1:
            shown.append(" ".join(b[j1:j2]))
        if i2 > i1:
            hidden.append(" ".join(a[i1:i2]))
    return shown[:MAX_CHANGES], hidden[:MAX_CHANGES]


def redaction_diff(conn: Connection, document_id: str) -> list[RedactionDiff]:
    """Per page with copies where either side is redacted: what each copy shows that the other hides."""
    own = {
        r.number: r
        for r in conn.execute(
            select(pages.c.number, pages.c.text, pages.c.bates, pages.c.redaction_count).where(
                pages.c.document_id == document_id
            )
        )
    }
    clusters: dict[int, str] = dict(
        conn.execute(  # type: ignore[arg-type]
            select(near_duplicates.c.page_number, near_duplicates.c.cluster).where(
                near_duplicates.c.document_id == document_id,
                near_duplicates.c.page_number > 0,
                near_duplicates.c.cluster != "",
            )
        ).all()
    )
    if not clusters:
        return []
    others = conn.execute(
        select(
            near_duplicates.c.cluster,
            pages.c.document_id,
            pages.c.number,
            pages.c.text,
            pages.c.bates,
            pages.c.redaction_count,
        )
        .join(
            pages,
            and_(
                pages.c.document_id == near_duplicates.c.document_id,
                pages.c.number == near_duplicates.c.page_number,
            ),
        )
        .where(
            near_duplicates.c.cluster.in_(set(clusters.values())),
            near_duplicates.c.document_id != document_id,
        )
    ).all()
    out = []
    for number, cluster in sorted(clusters.items()):
        page = own.get(number)
        if page is None:
            continue
        for other in (o for o in others if o.cluster == cluster):
            if not (page.redaction_count or other.redaction_count):
                continue
            revealed, hidden = _diff(page.text or "", other.text or "")
            if not revealed and not hidden:
                continue
            out.append(
                RedactionDiff(
                    page=number,
                    bates=page.bates,
                    redactions=page.redaction_count or 0,
                    other_document=other.document_id,
                    other_page=other.number,
                    other_bates=other.bates,
                    other_redactions=other.redaction_count or 0,
                    revealed_by_other=revealed,  # in the other copy, not in this one
                    revealed_here=hidden,  # in this copy, not in the other
                    url=page_url(other.document_id, other.number),
                )
            )
    return out
