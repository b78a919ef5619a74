"""search(): every part of the query language against a real archive + index, hits, facets, paging."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.search_helpers import Doc, add_documents
from unsealed.search import indexer
from unsealed.search.errors import QueryError
from unsealed.search.service import Searcher
from unsealed.store.archive import Archive

SEED = Path("/work/shared/seed/document-page-EFTA01197902.txt")
JNS_PAGE = (
    "From: JNS News <news@jns.org>\nTo: <jeevacation@gmail.com>\nSubject: The improbable romance\n"
    "Israeli Defense Minister Mosbe Ya'alon visits Azerbaijan. Israeli Defense Minister Moshe Ya'alon took "
    "a surprise trip to Azerbaijan in September. Azeri President Ilham Aliyev.\nEFTA01197902"
)
HARPAZ_PAGE = (
    "Rafael liarpaz, Israel's ambassador to Azerbaijan, told JNS.org <script>alert(1)</script>\nEFTA01197903"
)
CONTACT_PAGE = "Call 212-555-0134 or write to j.doe@example.com about the flight.\nEFTA01197904"


def _docs() -> list[Doc]:
    docs = [
        Doc(
            "EFTA01197902.pdf",
            [JNS_PAGE, HARPAZ_PAGE, CONTACT_PAGE],
            doc_type="email",
            date=datetime(2014, 12, 24, 20, 52, tzinfo=UTC),
            bates_first=1197902,
            sender=("JNS News", "news@jns.org"),
            to=[("", "jeevacation@gmail.com")],
            entities={1: ["Ilham Aliyev", "Moshe Ya'alon"], 2: ["Rafael Harpaz"]},
        ),
        Doc(
            "memo-2016.pdf",
            ["A memo about the island. Harpaz was not there. Far far away, many words later, the Moshe."],
            dataset="dataset_10",
            doc_type="memo",
            date=datetime(2016, 1, 2, tzinfo=UTC),
            entities={1: ["Rafael Harpaz"]},
        ),
        Doc(
            "undated-log.pdf",
            ["Flight log: Azerbaijan to Teterboro, passengers listed."],
            dataset="dataset_10",
        ),
    ]
    # a long document: many pages that all mention "manifest", for paging and grouping
    docs.append(
        Doc(
            "manifest.pdf",
            [f"Passenger manifest sheet {i} with azerbaijan stamp" for i in range(1, 31)],
            dataset="dataset_11",
            doc_type="flight_log",
            date=datetime(2005, 6, 1, tzinfo=UTC),
            bates_first=2000001,
        )
    )
    for i in range(12):
        docs.append(
            Doc(
                f"note-{i}.pdf",
                [f"Short manifest note {i}"],
                dataset="dataset_11",
                date=datetime(2000 + i, 3, 1, tzinfo=UTC),
            )
        )
    return docs


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    archive = Archive.open(tmp_path_factory.mktemp("search-archive"))
    add_documents(archive, _docs())
    indexer.sync(archive)
    return Searcher(archive)


def _cites(searcher: Searcher, query: str, **options: object) -> list[str]:
    return [str(h.citation) for h in searcher.search(query, limit=100, facets=False, **options).hits]  # type: ignore[arg-type]


def test_hit_is_a_page_cited_by_dataset_file_page_and_bates(searcher: Searcher) -> None:
    results = searcher.search('"surprise trip"')
    assert results.total == 1
    assert str(results.hits[0].citation) == "dataset_9 · EFTA01197902.pdf · page 1 · EFTA01197902"


def test_fuzzy_finds_ocr_damaged_name(searcher: Searcher) -> None:
    assert "dataset_9 · EFTA01197902.pdf · page 2 · EFTA01197903" in _cites(searcher, "Harpaz~")
    assert "dataset_9 · EFTA01197902.pdf · page 2 · EFTA01197903" not in _cites(searcher, "Harpaz")
    assert "dataset_9 · EFTA01197902.pdf · page 2 · EFTA01197903" not in _cites(searcher, "Harpaz~1")


def test_phrase_or_not_prefix(searcher: Searcher) -> None:
    assert len(_cites(searcher, '"Moshe Ya\'alon"')) == 1
    assert set(_cites(searcher, "teterboro OR liarpaz")) == {
        "dataset_10 · undated-log.pdf · page 1",
        "dataset_9 · EFTA01197902.pdf · page 2 · EFTA01197903",
    }
    assert "dataset_10 · undated-log.pdf · page 1" not in _cites(searcher, "azerbaijan -teterboro")
    assert "dataset_10 · undated-log.pdf · page 1" not in _cites(searcher, "azerbaijan NOT flight")
    assert "dataset_10 · undated-log.pdf · page 1" in _cites(searcher, "teter*")


def test_near_is_within_n_words_either_order(searcher: Searcher) -> None:
    assert len(_cites(searcher, "NEAR(Azerbaijan Moshe, 6)")) == 1
    assert _cites(searcher, "NEAR(harpaz moshe, 3)") == []
    assert len(_cites(searcher, "NEAR(harpaz moshe, 20)")) == 1


def test_literals_phone_email_bates(searcher: Searcher) -> None:
    page3 = "dataset_9 · EFTA01197902.pdf · page 3 · EFTA01197904"
    assert _cites(searcher, "212-555-0134") == [page3]
    assert _cites(searcher, "j.doe@example.com") == [page3]
    assert _cites(searcher, "EFTA01197904") == [page3]
    assert _cites(searcher, "bates:EFTA01197904") == [page3]
    assert len(_cites(searcher, "bates:EFTA01197900..EFTA01197999")) == 3
    assert len(_cites(searcher, "bates:EFTA02000001..EFTA02000010")) == 10


def test_fields_dataset_type_from_to_entity_date(searcher: Searcher) -> None:
    assert len(_cites(searcher, "dataset:10")) == 2
    assert len(_cites(searcher, "dataset:dataset_10 harpaz")) == 1
    assert len(_cites(searcher, "type:email")) == 3
    assert len(_cites(searcher, "from:news@jns.org")) == 3
    assert len(_cites(searcher, 'from:"JNS News" azerbaijan')) == 2
    assert len(_cites(searcher, "to:jeevacation@gmail.com")) == 3
    assert _cites(searcher, 'entity:"Ilham Aliyev"') == [
        "dataset_9 · EFTA01197902.pdf · page 1 · EFTA01197902"
    ]
    assert len(_cites(searcher, 'entity:"Rafael Harpaz"')) == 2
    assert len(_cites(searcher, "date:2014-12")) == 3
    assert len(_cites(searcher, "date:2014-01-01..2016-12-31")) == 4
    assert len(_cites(searcher, "date:2016 harpaz")) == 1


def test_snippet_marks_terms_and_escapes_document_text(searcher: Searcher) -> None:
    hit = searcher.search("liarpaz").hits[0]
    html = hit.snippet.html()  # type: ignore[union-attr]
    assert "<mark>liarpaz</mark>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    fuzzy = searcher.search("Harpaz~ ambassador").hits[0].snippet
    marked = {fuzzy.text[s:e] for s, e in fuzzy.highlights}  # type: ignore[union-attr]
    assert marked == {"liarpaz", "ambassador"}


def test_group_by_document_shows_best_pages_and_counts(searcher: Searcher) -> None:
    results = searcher.search("manifest", group="document", limit=5, pages_per_document=2)
    assert results.groups is not None and len(results.groups) == 5
    groups = list(results.groups)
    while results.next_cursor:
        results = searcher.search(
            "manifest", group="document", limit=5, pages_per_document=2, cursor=results.next_cursor
        )
        groups += results.groups or []
    assert len(groups) == len({g.document_id for g in groups}) == 13
    manifest = next(g for g in groups if g.citation.filename == "manifest.pdf")
    assert manifest.matching_pages == 30 and len(manifest.hits) == 2
    assert all(g.matching_pages == 1 and len(g.hits) == 1 for g in groups if g is not manifest)


@pytest.mark.parametrize("sort", ["relevance", "date", "date-desc"])
def test_cursor_pages_through_every_hit_once(searcher: Searcher, sort: str) -> None:
    first = searcher.search("manifest", limit=7, sort=sort, facets=False)  # type: ignore[arg-type]
    pages = [(h.document_id, h.page) for h in first.hits]
    results = first
    while results.next_cursor:
        results = searcher.search("manifest", limit=7, sort=sort, cursor=results.next_cursor, facets=False)  # type: ignore[arg-type]
        assert results.total == first.total
        pages += [(h.document_id, h.page) for h in results.hits]
    assert len(pages) == len(set(pages)) == first.total == 42


def test_date_sort_orders_by_date_then_page(searcher: Searcher) -> None:
    hits = searcher.search("manifest OR azerbaijan", sort="date", limit=100, facets=False).hits
    dated = [h.date for h in hits if h.date is not None]
    assert dated == sorted(dated)
    assert hits[-1].date is None  # undated pages last
    manifest_pages = [h.page for h in hits if h.citation.filename == "manifest.pdf"]
    assert manifest_pages == sorted(manifest_pages)
    newest = searcher.search("manifest OR azerbaijan", sort="date-desc", limit=100, facets=False).hits
    assert [h.date for h in newest if h.date] == sorted(dated, reverse=True)


def test_facets_count_pages_with_refinements_that_work(searcher: Searcher) -> None:
    results = searcher.search("azerbaijan")
    facets = results.facets
    assert facets is not None
    assert {f.value: f.count for f in facets["dataset"]} == {
        "dataset_9": 2,
        "dataset_10": 1,
        "dataset_11": 30,
    }
    assert {f.value: f.count for f in facets["year"]} == {"2005": 30, "2014": 2}
    assert {f.value for f in facets["type"]} == {"email", "flight_log"}
    assert {f.value for f in facets["sender"]} == {"JNS News <news@jns.org>"}
    assert {f.value for f in facets["entity"]} >= {"Ilham Aliyev", "Rafael Harpaz"}
    for name, values in facets.items():
        for facet in values:
            refined = searcher.search(f"azerbaijan {facet.refine}", facets=False)
            assert refined.total == facet.count, (name, facet)


def test_export_yields_every_hit(searcher: Searcher) -> None:
    for sort in ("date", "relevance"):
        export = searcher.export("manifest OR azerbaijan", sort=sort, chunk=5)  # type: ignore[arg-type]
        hits = list(export)
        assert len(hits) == len({(h.document_id, h.page) for h in hits}) == export.total == 45


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "NEAR(",
        "OR",
        "-",
        "((((",
        "x" * 10_000,
        "SELECT * FROM pages; DROP TABLE pages; --",
        'text MATCH "a" NEAR/2 b',
        "date:2099-99",
        "bates:",
        "💥",
        "a~9 b* c:d",
        "\x00",
    ],
)
def test_hostile_input_gives_results_or_a_message(searcher: Searcher, query: str) -> None:
    try:
        results = searcher.search(query)
    except QueryError as exc:
        assert str(exc)
    else:
        assert results.total >= 0


def test_bad_cursor_and_options_are_clear(searcher: Searcher) -> None:
    with pytest.raises(QueryError, match="cursor is not valid"):
        searcher.search("manifest", cursor="garbage!")
    other = searcher.search("manifest", limit=1).next_cursor
    with pytest.raises(QueryError, match="another search"):
        searcher.search("azerbaijan", cursor=other)
    with pytest.raises(QueryError, match="limit"):
        searcher.search("manifest", limit=0)
    with pytest.raises(QueryError, match="sort"):
        searcher.search("manifest", sort="random")  # type: ignore[arg-type]


_SOUP = st.lists(
    st.sampled_from(
        [
            '"',
            "(",
            ")",
            "-",
            " OR ",
            " AND ",
            "NOT ",
            "NEAR(",
            ",",
            " 5",
            "*",
            "~",
            "~2",
            ":",
            "from:",
            "to:",
            "entity:",
            "date:",
            "date:2014",
            "..",
            "bates:EFTA01197904",
            "dataset:9",
            "type:email",
            "harpaz",
            "manifest",
            "é",
            " ",
            "212-555-0134",
            "\\",
            "'",
            "%",
            "_",
        ]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=120), _SOUP))
def test_any_input_searches_or_gives_a_message(searcher: Searcher, text: str) -> None:
    try:
        results = searcher.search(text, limit=5)
    except QueryError as exc:
        assert str(exc)
    else:
        assert results.total >= len(results.hits)
        for hit in results.hits:
            assert hit.snippet is not None and "<script>" not in hit.snippet.html()


_ASCII_SOUP = st.lists(
    st.sampled_from(["a" * 39, "B" * 40, "c" * 41, "x_y", "9", "Ab1", " ", "\n", "\t", "-", ".", "\x00"])
    | st.just("é"),
    max_size=20,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(max_codepoint=127), max_size=200), _ASCII_SOUP))
def test_snippet_tokens_are_the_analyzer_tokens(searcher: Searcher, text: str) -> None:
    """ASCII page text is split in Python for snippets; it must give the analyzer's tokens."""
    backend = searcher.backend()
    analyzed = backend.index.analyzer.pre_tokenize(text).tokens
    expected = [(t.text, t.char_offset_from, t.char_offset_to) for t in analyzed]
    assert backend.tokens_with_offsets(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(alphabet=st.characters(max_codepoint=127), max_size=200), _ASCII_SOUP), st.data())
def test_snippet_term_search_finds_the_analyzer_tokens(
    searcher: Searcher, text: str, data: st.DataObject
) -> None:
    """Snippets look for the query's terms in ASCII text with a regex; it must find the tokens the
    analyzer gives that are (or start with) a term."""
    backend = searcher.backend()
    tokens = [
        (t.text, t.char_offset_from, t.char_offset_to)
        for t in backend.index.analyzer.pre_tokenize(text).tokens
    ]
    words = sorted({tok for tok, _, _ in tokens}) + ["zz", "é", "b" * 40]
    exact = set(data.draw(st.lists(st.sampled_from(words), max_size=3)))
    prefixes = tuple(data.draw(st.lists(st.sampled_from([w[:2] for w in words]), max_size=2)))
    lengths = data.draw(st.one_of(st.none(), st.tuples(st.integers(0, 12), st.integers(0, 12))))
    found = backend.find_terms(text, exact, prefixes, lengths)
    if not text.isascii():
        assert found is None
    else:
        low, high = lengths if lengths else (1, 0)  # fuzzy candidates: tokens of a length in the window
        assert found == [
            t for t in tokens if t[0] in exact or t[0].startswith(prefixes) or low <= len(t[0]) <= high
        ]
