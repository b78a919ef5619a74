"""Reused analyses give what a fresh analysis gives, on real corpus text.

Paragraphs tagged once through the content-hash cache, quoted replies carried into a later
document, and a file copied into another data set (whose stored mentions are copied) all end with
the mentions of a fresh analysis of the same pages.
"""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from unsealed.config import Settings
from unsealed.enrich import shared_tagging, tagging
from unsealed.enrich.extract import PageMention, extract_document
from unsealed.enrich.tagging import ParagraphCache
from unsealed.pipeline.enrich_stages import extract_mentions
from unsealed.pipeline.ingest import ingest
from unsealed.sample.real import RealDocument, load_corpus, write_corpus
from unsealed.store.archive import Archive
from unsealed.store.mentions import MENTION_COLUMNS
from unsealed.store.schema import documents, mentions, pages

# Short real documents: printed e-mails (House Oversight and EFTA) and a few other kinds.
IDS = [
    "HOUSE_OVERSIGHT_022258",
    "HOUSE_OVERSIGHT_025199",
    "HOUSE_OVERSIGHT_025874",
    "HOUSE_OVERSIGHT_026078",
    "HOUSE_OVERSIGHT_019300",
    "HOUSE_OVERSIGHT_023120",
]


@pytest.fixture(scope="module")
def corpus() -> list[RealDocument]:
    by_id = {doc.id: doc for doc in load_corpus(ids=IDS)}
    return [by_id[i] for i in IDS]


def _pages(doc: RealDocument) -> list[tuple[int, str]]:
    return [(i + 1, text) for i, text in enumerate(doc.pages)]


def _key(found: list[PageMention]) -> list[tuple[object, ...]]:
    return [
        (m.page_number, m.found.start, m.found.end, m.found.text, m.found.type, m.found.extractor)
        for m in found
    ]


def test_cached_paragraphs_and_quoted_replies_give_the_fresh_mentions(corpus):
    assert len(corpus) == len(IDS)
    cache = ParagraphCache()
    fresh = {doc.id: _key(extract_document(_pages(doc))) for doc in corpus}
    assert sum(len(found) for found in fresh.values()) > 20
    for doc in corpus:  # fills the cache
        assert _key(extract_document(_pages(doc), cache=cache)) == fresh[doc.id]
    reused_before = cache.stats.reused
    for doc in corpus:  # every paragraph from the cache now
        assert _key(extract_document(_pages(doc), cache=cache)) == fresh[doc.id]
    assert cache.stats.reused - reused_before == cache.stats.paragraphs / 2

    # A reply that carries the earlier messages below its own text, as chains in the release do.
    first, second = corpus[0], corpus[1]
    reply = [(1, second.pages[0] + "\n\n-----Original Message-----\n" + first.pages[0]), (2, first.pages[1])]
    before = cache.stats.reused
    assert _key(extract_document(reply, cache=cache)) == _key(extract_document(reply))
    assert cache.stats.reused > before  # the quoted paragraphs were not tagged again


def _through_process_cache(docs: list[RealDocument]) -> tuple[dict[str, list[tuple[object, ...]]], int]:
    """The docs' mentions through this process's cache, and how many paragraphs came from the file."""
    cache = tagging.process_cache()
    assert isinstance(cache, shared_tagging.SharedParagraphCache)
    return {doc.id: _key(extract_document(_pages(doc), cache=cache)) for doc in docs}, cache.file_hits


def _in_a_child(docs: list[RealDocument]) -> tuple[dict[str, list[tuple[object, ...]]], int]:
    """`_through_process_cache` in a process forked from this one, as a worker's pool forks."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(_through_process_cache, (docs,))


def test_processes_sharing_the_machine_cache_tag_each_paragraph_once_with_the_fresh_mentions(
    corpus: list[RealDocument], tmp_path: Path
) -> None:
    fresh = {doc.id: _key(extract_document(_pages(doc))) for doc in corpus}
    with shared_tagging.shared_by_processes(tmp_path) as path:
        first, hits = _in_a_child(corpus[:4])  # tags its paragraphs and leaves them in the file
        assert hits == 0 and first == {doc.id: fresh[doc.id] for doc in corpus[:4]}
        second, hits = _in_a_child(corpus[2:])  # another process: two documents from the file
        assert second == {doc.id: fresh[doc.id] for doc in corpus[2:]}
        shared = ParagraphCache()
        extract_document(_pages(corpus[2]), cache=shared)
        extract_document(_pages(corpus[3]), cache=shared)
        assert hits >= len(shared) > 0  # every paragraph of those two came from the first process
        assert path.exists()
    assert not path.exists() and not isinstance(tagging.process_cache(), shared_tagging.SharedParagraphCache)


def test_a_cache_file_that_cannot_be_opened_only_costs_the_sharing(
    corpus: list[RealDocument], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = shared_tagging.SharedParagraphCache(tmp_path)  # a folder: SQLite cannot open it
    for doc in corpus[:2]:
        assert _key(extract_document(_pages(doc), cache=cache)) == _key(extract_document(_pages(doc)))
    assert len(cache) > 0 and cache.file_hits == 0  # this process's own cache still works
    assert caplog.text.count("not usable") == 1  # said once


def _stored(archive: Archive, dataset: str) -> dict[str, list[tuple[object, ...]]]:
    columns = [mentions.c[c] for c in MENTION_COLUMNS]
    with archive.engine.connect() as conn:
        rows = conn.execute(
            select(documents.c.filename, *columns)
            .join(mentions, mentions.c.document_id == documents.c.id)
            .where(documents.c.dataset == dataset)
        )
        out: dict[str, list[tuple[object, ...]]] = {}
        for filename, *values in rows:
            out.setdefault(filename, []).append(tuple(values))
    return {name: sorted(values) for name, values in out.items()}


def _stored_pages(archive: Archive, dataset: str) -> dict[str, list[tuple[int, str]]]:
    with archive.engine.connect() as conn:
        rows = conn.execute(
            select(documents.c.filename, pages.c.number, pages.c.text)
            .join(pages, pages.c.document_id == documents.c.id)
            .where(documents.c.dataset == dataset)
            .order_by(pages.c.number)
        )
        out: dict[str, list[tuple[int, str]]] = {}
        for filename, number, text in rows:
            out.setdefault(filename, []).append((number, text))
    return out


def test_a_copy_in_another_dataset_reuses_the_stored_mentions(corpus, tmp_path):
    first = tmp_path / "first"
    write_corpus(corpus[:4], first)
    second = tmp_path / "second"
    shutil.copytree(first, second)
    settings = Settings(archive_dir=tmp_path / "archive", workers=2)
    with Archive.open(settings.archive_dir) as archive:
        one = ingest(archive, [first], "one", settings)
        assert one.added == 4 and len(one.analysed_ids) == 4 and one.copied_pages == 0
        two = ingest(archive, [second], "two", settings)
        assert two.added == 4 and two.copied_pages == two.pages > 0  # no page went through spaCy again

        stored_one, stored_two = _stored(archive, "one"), _stored(archive, "two")
        assert stored_one == stored_two and sum(len(v) for v in stored_one.values()) > 10
        # ... and they are what a fresh analysis of the pages the archive holds finds
        for name, doc_pages in _stored_pages(archive, "two").items():
            assert sorted(_key(extract_document(doc_pages))) == stored_two.get(name, []), name
        with archive.engine.connect() as conn:
            assert all(r[0] is not None for r in conn.execute(select(documents.c.enriched_at)))

        # The mentions stage (`unsealed enrich`, a Celery batch) copies them the same way.
        with archive.engine.begin() as conn:
            ids = [r[0] for r in conn.execute(select(documents.c.id).where(documents.c.dataset == "two"))]
            conn.execute(delete(mentions).where(mentions.c.document_id.in_(ids)))
            conn.execute(update(documents).where(documents.c.id.in_(ids)).values(enriched_at=None))
        report = extract_mentions(archive, ids)
        assert report.copied_pages == report.pages == two.pages and report.paragraphs == 0
        assert _stored(archive, "two") == stored_one
