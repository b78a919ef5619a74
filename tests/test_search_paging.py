"""Relevance paging reaches every hit exactly once, whatever the archive and the page size."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.search_helpers import Doc, add_documents
from unsealed.pipeline import dedup_stage
from unsealed.search import indexer
from unsealed.search.model import SearchResults
from unsealed.search.service import Searcher
from unsealed.store.archive import Archive
from unsealed.store.schema import near_duplicates

WORDS = ("alpha", "beta", "gamma")

# a page: how often each word appears (many pages tie on score), plus filler of random length
_page = st.tuples(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4), st.integers(0, 6))
_doc = st.lists(_page, min_size=1, max_size=6)


def _text(words: list[str], filler: int) -> str:
    return " ".join(words + ["filler"] * filler)


def _walk(searcher: Searcher, query: str, limit: int, group: str) -> tuple[int, list[tuple[str, int]]]:
    results = searcher.search(query, limit=limit, group=group, facets=False, snippets=False)  # type: ignore[arg-type]
    total, seen = results.total, [(h.document_id, h.page) for h in results.hits]
    groups = [g.document_id for g in results.groups or []]
    while results.next_cursor:
        results = searcher.search(
            query,
            limit=limit,
            group=group,
            cursor=results.next_cursor,
            facets=False,
            snippets=False,  # type: ignore[arg-type]
        )
        assert results.total == total
        seen += [(h.document_id, h.page) for h in results.hits]
        groups += [g.document_id for g in results.groups or []]
    if group == "document":
        assert len(groups) == len(set(groups))
        return total, [(d, 0) for d in groups]
    return total, seen


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    distinct=st.lists(_doc, min_size=1, max_size=12),
    copies=st.integers(1, 40),  # the same pages many times over: long runs of equal scores
    limit=st.integers(1, 25),
    word=st.sampled_from(WORDS),
)
def test_relevance_paging_reaches_every_hit_once(
    distinct: list[list[tuple[list[str], int]]], copies: int, limit: int, word: str
) -> None:
    docs = distinct * copies
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive.open(Path(tmp))
        add_documents(
            archive, [Doc(f"d{i}.pdf", [_text(w, f) for w, f in pages]) for i, pages in enumerate(docs)]
        )
        indexer.sync(archive)
        searcher = Searcher(archive)
        expected = {
            (Doc(f"d{i}.pdf", []).id, n)
            for i, pages in enumerate(docs)
            for n, (w, _) in enumerate(pages, start=1)
            if word in w
        }
        total, seen = _walk(searcher, word, limit, "page")
        assert total == len(expected)
        assert len(seen) == len(set(seen)) and set(seen) == expected
        _, groups = _walk(searcher, word, limit, "document")
        assert {d for d, _ in groups} == {d for d, _ in expected}
        archive.engine.dispose()


def test_relevance_paging_with_thousands_of_equal_scores(tmp_path: Path) -> None:
    archive = Archive.open(tmp_path)
    add_documents(archive, [Doc(f"n{i}.pdf", ["the note " * (1 + i % 3)] * 4) for i in range(500)])
    indexer.sync(archive)
    total, seen = _walk(Searcher(archive), "note", 20, "page")
    assert total == 2000 and len(seen) == len(set(seen)) == 2000


def test_api_and_search_page_follow_the_cursor_to_every_hit(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from unsealed.web import create_app

    archive = Archive.open(tmp_path)
    add_documents(archive, [Doc(f"n{i}.pdf", ["the note " * (1 + i % 2)] * 3) for i in range(100)])
    indexer.sync(archive)
    client = TestClient(create_app(archive))
    seen: list[tuple[str, int]] = []
    params: dict[str, str | int] = {"q": "note", "limit": 20}
    while True:
        body = client.get("/api/v1/search", params=params).json()
        seen += [(h["document_id"], h["page"]) for h in body["hits"]]
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
        assert client.get("/search", params=params).status_code == 200
    assert len(seen) == len(set(seen)) == 300


def _walk_collapsed(
    searcher: Searcher, query: str, limit: int, group: str, sort: str = "relevance"
) -> tuple[SearchResults, list[list[tuple[str, int]]]]:
    """Every page of collapsed results: the first page's results and each result's shown pages."""
    options = {"limit": limit, "group": group, "copies": "collapse", "facets": False, "snippets": False}
    options["sort"] = sort
    first = results = searcher.search(query, **options)  # type: ignore[arg-type]
    seen: list[list[tuple[str, int]]] = []
    while True:
        assert results.result_count == first.result_count and results.result_count_exact
        if results.groups is not None:
            seen += [[(h.document_id, h.page) for h in g.hits] for g in results.groups]
        else:
            seen += [[(h.document_id, h.page)] for h in results.hits]
        if not results.next_cursor:
            return first, seen
        results = searcher.search(query, cursor=results.next_cursor, **options)  # type: ignore[arg-type]


def _clusters(archive: Archive) -> dict[tuple[str, int], str]:
    """(document, page) -> near-duplicate cluster, as the dedup stage stored them (page 0: document)."""
    with archive.engine.connect() as conn:
        rows = conn.execute(
            select(near_duplicates.c.document_id, near_duplicates.c.page_number, near_duplicates.c.cluster)
        )
        return {(r.document_id, r.page_number): r.cluster for r in rows}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    distinct=st.lists(_doc, min_size=1, max_size=8),
    copies=st.integers(1, 12),
    limit=st.integers(1, 9),
    word=st.sampled_from(WORDS),
    sort=st.sampled_from(["relevance", "date", "date-desc"]),
)
def test_collapsed_paging_shows_every_cluster_once(
    distinct: list[list[tuple[list[str], int]]], copies: int, limit: int, word: str, sort: str
) -> None:
    """With copies collapsed, each near-duplicate cluster of matching pages (of documents, when grouped)
    is one result over all pages, counted exactly; identical texts never show twice."""
    docs = [
        Doc(
            f"d{i}.pdf", [_text(w, f) for w, f in pages], date=datetime(2001, 1, 1 + i % 5) if i % 4 else None
        )
        for i, pages in enumerate(distinct * copies)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive.open(Path(tmp))
        add_documents(archive, docs)
        dedup_stage.run_stage(archive, [d.id for d in docs])
        indexer.sync(archive)
        searcher = Searcher(archive)
        cluster = _clusters(archive)
        texts = {(d.id, n): t for d in docs for n, t in enumerate(d.pages, start=1)}
        matching = {key for key, text in texts.items() if word in text.split()}

        first, seen = _walk_collapsed(searcher, word, limit, "page", sort)
        shown = [keys[0] for keys in seen]
        assert len(shown) == len(set(shown)) and set(shown) <= matching
        expected = {cluster[k] for k in matching}
        assert sorted(cluster[k] for k in shown) == sorted(expected)
        assert first.result_count == len(expected) and first.total == len(matching)
        assert len(shown) <= len({texts[k] for k in matching})  # the same text: one result

        first, seen = _walk_collapsed(searcher, word, limit, "document", sort)
        leads = [keys[0][0] for keys in seen]
        assert all(d == lead for keys, lead in zip(seen, leads, strict=True) for d, _ in keys)
        expected_docs = {cluster[(d, 0)] for d, _ in matching}
        assert sorted(cluster[(d, 0)] for d in leads) == sorted(expected_docs)
        assert first.result_count == len(expected_docs)

        every, _ = _walk(searcher, word, limit, "page")
        assert every == len(matching)  # "all" keeps every copy
        archive.engine.dispose()


def test_a_copy_added_later_collapses_with_the_indexed_one(tmp_path: Path) -> None:
    """Incremental: a copy ingested after its original (another data set) joins its cluster, and a
    sync of what is pending makes both one result."""
    archive = Archive.open(tmp_path)
    text = "the ledger of flights in march lists the passengers and the pilots by name"
    first = [Doc("a.pdf", [text, "another page"], dataset="ds1"), Doc("b.pdf", ["unrelated words"])]
    add_documents(archive, first)
    dedup_stage.run_stage(archive, [d.id for d in first])
    indexer.sync(archive)
    copy = Doc("a.pdf", [text, "another page"], dataset="ds2")
    add_documents(archive, [copy])
    dedup_stage.run_stage(archive, [copy.id])
    indexer.sync(archive)
    searcher = Searcher(archive)
    for group in ("page", "document"):
        one = searcher.search("ledger", group=group, copies="collapse")  # type: ignore[arg-type]
        assert one.result_count == len(one.hits) == 1 and one.total == 2
        both = searcher.search("ledger", group=group, copies="all")  # type: ignore[arg-type]
        assert both.result_count == 2 and {h.document_id for h in both.hits} == {first[0].id, copy.id}


def test_group_counts_past_the_cap_say_more_than(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from unsealed.search import service
    from unsealed.web import create_app

    archive = Archive.open(tmp_path)
    # pages of 50 lengths: many scores, so the first window holds the best hits only (not all 800)
    add_documents(archive, [Doc(f"n{i}.pdf", ["the note " + "word " * (i % 50)] * 2) for i in range(400)])
    indexer.sync(archive)
    exact = Searcher(archive).search("note", group="document", limit=5)
    assert exact.result_count == 400 and exact.result_count_exact and exact.total == 800
    monkeypatch.setattr(service, "GROUP_COUNT_CAP", 300)
    capped = Searcher(archive).search("note", group="document", limit=5)
    assert capped.result_count == 300 and not capped.result_count_exact
    # 400 groups against a cap of 100: the estimate alone says "more than" (no exact count)
    monkeypatch.setattr(service, "GROUP_COUNT_CAP", 100)
    for facets in (True, False):
        far = Searcher(archive).search("note", group="document", limit=5, facets=facets)
        assert far.result_count == 100 and not far.result_count_exact
    monkeypatch.setattr(service, "GROUP_COUNT_CAP", 300)
    body = TestClient(create_app(archive)).get("/search", params={"q": "note"}).text
    assert "Documents 1–20 of more than 300" in body and "last page" not in body


def test_one_searcher_sees_each_commit_and_its_facet_counts(tmp_path: Path) -> None:
    """The searcher keeps facet counts per query for one state of its reader; a sync (new pages, a
    changed one) moves the reader at the next search, and the counts are the new ones."""
    archive = Archive.open(tmp_path)
    add_documents(archive, [Doc(f"a{i}.pdf", ["the ledger of accounts"], dataset="ds1") for i in range(3)])
    indexer.sync(archive)
    searcher = Searcher(archive)

    def datasets() -> dict[str, int]:
        found = searcher.search("ledger", group="document")
        assert found.facets is not None and found.total == sum(f.count for f in found.facets["dataset"])
        return {f.value: f.count for f in found.facets["dataset"]}

    assert datasets() == {"ds1": 3}
    assert datasets() == {"ds1": 3}  # the same query again: the counts kept
    add_documents(archive, [Doc("b.pdf", ["another ledger", "ledger again"], dataset="ds2")])
    indexer.sync(archive)
    assert datasets() == {"ds1": 3, "ds2": 2}
    for round_ in range(3):  # commits in quick succession, each seen
        add_documents(archive, [Doc(f"c{round_}.pdf", ["ledger"], dataset="ds3")])
        indexer.sync(archive)
        assert datasets() == {"ds1": 3, "ds2": 2, "ds3": round_ + 1}
