"""The index stays in step with the store: sync, reprocess, deletion, status, rebuild, the stage."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.search_helpers import Doc, add_documents, remove, touch
from unsealed.pipeline.stages import post_ingest_stages
from unsealed.search import indexer
from unsealed.search.errors import SearchIndexError
from unsealed.search.service import Searcher
from unsealed.search.tantivy_index import META_FILE
from unsealed.store.archive import Archive


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    arch = Archive.open(tmp_path)
    add_documents(
        arch,
        [
            Doc("a.pdf", ["alpha page one", "alpha page two"]),
            Doc("b.pdf", ["bravo only"]),
        ],
    )
    return arch


def _total(archive: Archive, query: str) -> int:
    return Searcher(archive).search(query, facets=False).total


def test_status_before_any_index_says_what_to_run(archive: Archive) -> None:
    state = indexer.status(archive)
    assert not state.exists and not state.in_step
    assert "unsealed reindex" in (state.needs_rebuild or "")
    assert state.documents_pending == 2
    with pytest.raises(SearchIndexError, match="unsealed reindex"):
        Searcher(archive).search("alpha")


def test_sync_is_idempotent(archive: Archive) -> None:
    first = indexer.sync(archive)
    assert (first.documents_indexed, first.pages_indexed) == (2, 3)
    second = indexer.sync(archive)
    assert (second.documents_indexed, second.pages_indexed, second.documents_removed) == (0, 0, 0)
    state = indexer.status(archive)
    assert state.in_step and state.pages == 3 and state.documents_indexed == 2
    assert _total(archive, "alpha") == 2


def test_new_documents_become_pending_then_indexed(archive: Archive) -> None:
    indexer.sync(archive)
    add_documents(archive, [Doc("c.pdf", ["charlie"])])
    assert indexer.status(archive).documents_pending == 1
    assert indexer.sync(archive).documents_indexed == 1
    assert _total(archive, "charlie") == 1


def test_reprocessed_document_replaces_its_pages(archive: Archive) -> None:
    indexer.sync(archive)
    doc = Doc("a.pdf", [])
    touch(archive, doc, ["delta page one", "delta page two"])
    assert indexer.status(archive).documents_pending == 1
    indexer.sync(archive)
    assert _total(archive, "alpha") == 0
    assert _total(archive, "delta") == 2
    assert indexer.status(archive).pages == 3


def test_deleted_document_leaves_the_index(archive: Archive) -> None:
    indexer.sync(archive)
    remove(archive, Doc("b.pdf", []))
    state = indexer.status(archive)
    assert state.documents_orphaned == 1 and not state.in_step
    assert indexer.sync(archive).documents_removed == 1
    assert _total(archive, "bravo") == 0
    assert indexer.status(archive).in_step


def test_rebuild_swaps_in_a_new_generation(archive: Archive) -> None:
    indexer.sync(archive)
    searcher = Searcher(archive)
    assert searcher.search("alpha", facets=False).total == 2
    report = indexer.rebuild(archive)
    assert report.pages_indexed == 3
    assert not list(archive.root.glob("index.new-*")) and not list(archive.root.glob("index.old-*"))
    state = indexer.status(archive)
    assert state.in_step and state.pages == 3
    assert searcher.search("bravo", facets=False).total == 1  # the held searcher reopened the new index


def test_damaged_or_outdated_index_asks_for_reindex(archive: Archive) -> None:
    indexer.sync(archive)
    meta = archive.root / "index" / META_FILE
    meta.write_text('{"engine": "tantivy", "format": 0, "generation": 1}')
    assert "outdated" in (indexer.status(archive).needs_rebuild or "")
    with pytest.raises(SearchIndexError, match="unsealed reindex"):
        Searcher(archive).search("alpha")
    meta.write_text("{not json")
    assert "damaged" in (indexer.status(archive).needs_rebuild or "")
    indexer.rebuild(archive)
    assert _total(archive, "alpha") == 2


def test_second_writer_gets_a_clear_message(archive: Archive) -> None:
    index = indexer.open_index(archive, create=True)
    with index.writer():
        with pytest.raises(SearchIndexError, match="another process"):
            indexer.sync(archive)


def test_search_index_is_a_post_ingest_stage(archive: Archive) -> None:
    stage = next(s for s in post_ingest_stages() if s.name == "search index")
    assert stage.pending is not None
    pending = stage.pending(archive)
    assert len(pending) == 2
    stage.run(archive, pending)
    assert indexer.status(archive).in_step and stage.pending(archive) == []
    assert _total(archive, "bravo") == 1


def test_quoted_email_headers_belong_to_their_page(archive: Archive) -> None:
    from sqlalchemy import insert

    from unsealed.store.schema import emails

    doc = Doc("a.pdf", [])
    with archive.engine.begin() as conn:
        conn.execute(
            insert(emails).values(
                document_id=doc.id, seq=0, page_number=1, sender_name="Own Sender", sender_address="own@x.org"
            )
        )
        conn.execute(
            insert(emails).values(
                document_id=doc.id,
                seq=1,
                page_number=2,
                sender_name="Quoted Person",
                recipients='{"to": [{"name": "Deep Recipient", "address": "deep@y.org"}]}',
            )
        )
    indexer.sync(archive)
    searcher = Searcher(archive)
    assert searcher.search('from:"Own Sender"', facets=False).total == 2
    assert [h.page for h in searcher.search('from:"Quoted Person"', facets=False).hits] == [2]
    assert [h.page for h in searcher.search("to:deep@y.org", facets=False).hits] == [2]
    facets = searcher.search("alpha").facets or {}
    assert [(f.value, f.count) for f in facets["sender"]] == [("Own Sender <own@x.org>", 2)]
