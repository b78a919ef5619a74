"""The post-ingest stages of this area: e-mail headers, mentions, resolution.

Each is idempotent: a document whose freshly computed rows equal the stored ones is not touched,
and resolution rewrites only the links that change.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select, update

from unsealed.enrich import tagging
from unsealed.enrich.extract import PageMention, extract_document, soften_newlines
from unsealed.enrich.resolve import Prepared, resolve_archive
from unsealed.enrich.resolve import prepare as prepare_resolution
from unsealed.enrich.tagging import TagStats
from unsealed.pipeline.email_stage import emails_pending, run_emails
from unsealed.pipeline.stage import Stage
from unsealed.store.archive import Archive
from unsealed.store.documents import document_pages
from unsealed.store.mentions import analysed_copy, copy_mentions, replace_mentions
from unsealed.store.schema import documents, mentions

if TYPE_CHECKING:
    from unsealed.pipeline.executor import Executor

DOCS_PER_BATCH = 50  # documents whose pages go through spaCy in one nlp.pipe stream


def _batches(ids: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _mention_rows(document_id: str, found: list[PageMention]) -> list[dict[str, object]]:
    return [
        {
            "document_id": document_id,
            "page_number": m.page_number,
            "start": m.found.start,
            "end": m.found.end,
            "text": m.found.text,
            "type": m.found.type,
            "extractor": m.found.extractor,
        }
        for m in found
    ]


def store_mentions(conn: Connection, document_id: str, found: list[PageMention]) -> bool:
    """Replace a document's mentions when they differ; True when something was written."""
    return replace_mentions(conn, document_id, _mention_rows(document_id, found))


def mark_enriched(conn: Connection, document_id: str, changed: bool) -> None:
    stmt = update(documents).where(documents.c.id == document_id)
    if not changed:
        stmt = stmt.where(documents.c.enriched_at.is_(None))
    conn.execute(stmt.values(enriched_at=datetime.now(UTC)))


@dataclass
class EnrichReport:
    """What a batch cost: documents and pages, and how much of it reused earlier analyses."""

    documents: int = 0
    pages: int = 0
    copied_pages: int = 0  # pages of documents whose mentions were copied from an exact copy
    paragraphs: int = 0  # paragraphs of the documents analysed
    reused_paragraphs: int = 0  # of those, paragraphs tagged earlier (content-hash cache)

    def add(self, other: EnrichReport) -> None:
        for name in ("documents", "pages", "copied_pages", "paragraphs", "reused_paragraphs"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _mentions_batch(archive: Archive, batch: Sequence[str], report: EnrichReport) -> None:
    with archive.engine.connect() as conn:
        rows = conn.execute(select(documents.c.id, documents.c.sha256).where(documents.c.id.in_(list(batch))))
        sha = {doc_id: sha256 for doc_id, sha256 in rows}
        docs = [(doc_id, document_pages(conn, doc_id)) for doc_id in batch]
        copies = {
            doc_id: analysed_copy(conn, doc_id, sha.get(doc_id, ""), [t for _, t in p]) for doc_id, p in docs
        }
    fresh = [(doc_id, p) for doc_id, p in docs if copies[doc_id] is None]
    cache = tagging.process_cache()
    before = TagStats(cache.stats.paragraphs, cache.stats.reused)
    tagged = iter(tagging.tag_texts([soften_newlines(t) for _, p in fresh for _, t in p], cache=cache))
    report.paragraphs += cache.stats.paragraphs - before.paragraphs
    report.reused_paragraphs += cache.stats.reused - before.reused
    with archive.engine.begin() as conn:
        for doc_id, doc_pages in docs:
            source = copies[doc_id]
            if source is not None:
                changed = copy_mentions(conn, doc_id, source)
                report.copied_pages += len(doc_pages)
            else:
                doc_tags = [next(tagged) for _ in doc_pages]
                changed = store_mentions(conn, doc_id, extract_document(doc_pages, tagged=doc_tags))
            mark_enriched(conn, doc_id, changed)
            report.documents += 1
            report.pages += len(doc_pages)


def _mark_analysed(archive: Archive, document_ids: Sequence[str], analysed: Collection[str]) -> list[str]:
    """Mark the documents in `analysed` enriched; the others, which still need their mentions."""
    done = [doc_id for doc_id in document_ids if doc_id in analysed]
    if done:
        with archive.engine.begin() as conn:
            for doc_id in done:
                mark_enriched(conn, doc_id, changed=True)
    return [doc_id for doc_id in document_ids if doc_id not in analysed]


def extract_mentions(
    archive: Archive, document_ids: Sequence[str], analysed: Collection[str] = ()
) -> EnrichReport:
    """NER + patterns for the documents, a batch of documents at a time: a document whose exact copy
    was analysed gets that copy's mentions, and paragraphs tagged before are not tagged again.
    Documents in `analysed` had their mentions written by the ingest workers: they are only marked."""
    report = EnrichReport()
    for batch in _batches(_mark_analysed(archive, document_ids, analysed), DOCS_PER_BATCH):
        _mentions_batch(archive, batch, report)
    return report


def enrich_batch(archive: Archive, document_ids: Sequence[str]) -> int:
    """Entity mentions for one batch of documents, where the executor runs it (a local worker
    process or a Celery worker); the number of documents done."""
    extract_mentions(archive, document_ids)
    return len(document_ids)


def extract_mentions_with(
    executor: Executor, archive: Archive, document_ids: Sequence[str], analysed: Collection[str] = ()
) -> None:
    """The documents in batches of DOCS_PER_BATCH, run by `executor`. A batch that fails leaves its
    documents unenriched (`pending`), so the next run or `unsealed enrich` takes them again.
    Documents in `analysed` had their mentions written with them: they are only marked enriched."""
    todo = _mark_analysed(archive, document_ids, analysed)
    batches = [list(batch) for batch in _batches(todo, DOCS_PER_BATCH)]
    if not batches:
        return  # no worker processes started for nothing
    for _ in executor.map_archive(enrich_batch, batches, archive):
        pass


class Resolution:
    """The resolution stage. Called, it resolves and writes in one transaction. `prepare` resolves
    from a read of the mentions and curations first (run_stages calls it while the e-mail stage runs
    in the background worker: the write reads the e-mails' dates for the documents' months, the
    resolving does not); the call then writes that outcome, or resolves again when the mentions or
    curations changed meanwhile."""

    def __init__(self) -> None:
        self._prepared: Prepared | None = None

    def prepare(self, archive: Archive, document_ids: Sequence[str]) -> None:
        if document_ids:
            with archive.engine.connect() as conn:
                self._prepared = prepare_resolution(conn)

    def __call__(self, archive: Archive, document_ids: Sequence[str]) -> None:
        prepared, self._prepared = self._prepared, None
        if not document_ids:
            return
        with archive.engine.begin() as conn:
            resolve_archive(conn, prepared)


def enrichable_documents(archive: Archive, *, include_enriched: bool = False) -> list[str]:
    """Documents read successfully; by default only those not yet through entity extraction."""
    stmt = select(documents.c.id).where(documents.c.status == "ok")
    if not include_enriched:
        stmt = stmt.where(documents.c.enriched_at.is_(None))
    with archive.engine.connect() as conn:
        return [r[0] for r in conn.execute(stmt.order_by(documents.c.id))]


def unenriched(archive: Archive) -> list[str]:
    """Documents read successfully but not yet through entity extraction (an interrupted run)."""
    return enrichable_documents(archive)


def unresolved(archive: Archive) -> list[str]:
    """A document with a mention not linked to an entity yet, if any (resolution is archive-wide)."""
    stmt = select(mentions.c.document_id).where(mentions.c.rule.is_(None)).limit(1)
    with archive.engine.connect() as conn:
        return [r[0] for r in conn.execute(stmt)]


def enrichment_stages(
    executor: Executor | None = None, analysed: Collection[str] = (), *, background: bool = False
) -> list[Stage]:
    """The stages; `executor` runs the mention batches (this process when None); `analysed`:
    documents whose mentions were written with them (found by the ingest workers). `background`:
    the e-mail headers run in the background stage worker (pipeline/background.py) while the
    mentions are marked and resolution resolves here; resolution waits for them before it writes."""
    mentions_run: Callable[[Archive, Sequence[str]], object]
    if executor is None:
        mentions_run = partial(extract_mentions, analysed=analysed)
    else:
        mentions_run = partial(extract_mentions_with, executor, analysed=analysed)
    resolution = Resolution()
    headers = Stage("e-mail headers", run_emails, pending=emails_pending, background=background)
    return [
        headers,
        Stage("entity mentions", mentions_run, pending=unenriched),
        Stage(
            "entity resolution",
            resolution,
            pending=unresolved,
            prepare=resolution.prepare if background else None,
            needs=headers.name if background else None,
        ),
    ]
