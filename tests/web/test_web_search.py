"""The search page over the real index: hits grouped by document, facet filters, sort, numbered pages,
CSV export with citations, and document highlighting that follows the query tree."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient


def test_results_are_grouped_by_document_with_snippets(client: TestClient) -> None:
    data = client.get("/api/v1/search", params={"q": "Harpaz", "group": "document"}).json()
    assert data["total"] >= 1 and data["groups"]
    body = client.get("/search", params={"q": "Harpaz"}).text
    for group in data["groups"]:
        assert group["hits"] and group["matching_pages"] >= len(group["hits"])
        assert group["more_hits"] == group["matching_pages"] - len(group["hits"])
        for hit in group["hits"]:
            assert f'href="/documents/{hit["document_id"]}?q=Harpaz#page-{hit["page"]}"' in body
    assert '<mark class="hit">Harpaz</mark>' in body
    assert f"Documents 1–{len(data['groups'])}" in body
    seed = next(g for g in data["groups"] if g["filename"] == "EFTA01197902.pdf")
    assert seed["title"] != seed["filename"]  # an e-mail: titled by its subject


def test_facets_are_removable_multi_select_filters(client: TestClient) -> None:
    data = client.get("/api/v1/search", params={"q": "israel"}).json()
    assert set(data["facets"]) >= {"dataset", "type", "year", "entity"}
    first, second = data["facets"]["dataset"][:2]
    one = client.get("/api/v1/search", params={"q": "israel", "f": first["refine"]}).json()
    assert one["total"] == first["count"] and one["filters"] == [first["refine"]]
    chosen = {f["value"]: f["selected"] for f in one["facets"]["dataset"]}
    assert chosen[first["value"]] and not chosen[second["value"]]  # the others stay offered
    both = client.get(
        "/api/v1/search", params={"q": "israel", "f": [first["refine"], second["refine"]]}
    ).json()
    assert both["total"] == first["count"] + second["count"]  # values of one facet are OR'ed
    body = client.get("/search", params={"q": "israel", "f": first["refine"]}).text
    assert 'class="chip on removable" href="/search?q=israel"' in body  # removing it: back to the query
    assert "Data set</h2>" in body and "Entities</h2>" in body


def test_sort_and_numbered_pages(client: TestClient) -> None:
    first = client.get("/api/v1/search", params={"q": "israel", "limit": 2, "sort": "date"}).json()
    assert len(first["hits"]) == 2 and first["next_cursor"]
    second = client.get(
        "/api/v1/search", params={"q": "israel", "limit": 2, "sort": "date", "cursor": first["next_cursor"]}
    ).json()
    seen = {(h["document_id"], h["page"]) for h in first["hits"]}
    assert second["hits"] and not seen & {(h["document_id"], h["page"]) for h in second["hits"]}
    body = client.get("/search", params={"q": "the", "sort": "date"}).text
    assert 'aria-current="true">Oldest' in body
    if 'rel="next"' in body:
        page2 = client.get("/search", params={"q": "the", "sort": "date", "page": 2}).text
        assert "Documents 21–" in page2 and 'aria-current="page" class="current">2<' in page2


def test_csv_export_has_every_hit_with_citation_and_url(client: TestClient) -> None:
    total = client.get("/api/v1/search", params={"q": "israel"}).json()["total"]
    response = client.get("/search/export.csv", params={"q": "israel"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == total
    for r in rows:
        assert r["citation"].startswith(f"{r['dataset']} · {r['filename']} · page {r['page']}")
        assert r["url"] == f"http://testserver/documents/{r['document_id']}#page-{r['page']}"
    assert 'href="/search/export.csv?q=israel"' in client.get("/search", params={"q": "israel"}).text


def test_document_highlights_follow_the_query_tree(client: TestClient) -> None:
    seed = client.get("/api/v1/lookup", params={"key": "dataset_9/EFTA01197902.pdf"}).json()["document_id"]
    text = " ".join(p["text"] for p in client.get(f"/api/v1/documents/{seed}").json()["pages"])
    assert "Harpaz" in text and "Azerbaijan" in text
    body = client.get(f"/documents/{seed}", params={"q": "Harpaz -Azerbaijan"}).text
    marked = re.findall(r'<mark class="[^"]*\bhit\b[^"]*"[^>]*>([^<]*)</mark>', body)
    assert marked and set(marked) == {"Harpaz"}  # the excluded word is not marked
    data = client.get(f"/api/v1/documents/{seed}", params={"q": "Harpaz -Azerbaijan"}).json()
    assert data["search"]["terms"] == ["Harpaz"] and data["search"]["total_hits"] == len(marked)
    fuzzy = client.get(f"/api/v1/documents/{seed}", params={"q": "Harpax~"}).json()
    assert fuzzy["search"]["total_hits"] >= text.count("Harpaz")  # a fuzzy word marks its near matches
    assert client.get(f"/documents/{seed}", params={"q": 'NEAR("'}).status_code == 200  # bad query: no marks


def test_bad_query_keeps_the_page_with_the_reason(client: TestClient) -> None:
    page = client.get("/search", params={"q": "date:someday"})
    assert page.status_code == 400
    assert 'role="alert"' in page.text and "date:someday" in page.text
    api = client.get("/api/v1/search", params={"q": "date:someday"})
    assert api.status_code == 400 and "date:someday" in api.json()["error"]["message"]
    assert client.get("/search").status_code == 200  # no query: the form and help link
    assert "NEAR(" in client.get("/search/help").text


def test_the_same_file_in_two_data_sets_is_one_result(client: TestClient) -> None:
    data = client.get("/api/v1/search", params={"q": "Harpaz", "group": "document"}).json()
    seeds = [g for g in data["groups"] if g["filename"] == "EFTA01197902.pdf"]
    assert len(seeds) == 1 and [c["dataset"] for c in seeds[0]["also_in"]] == ["dataset_10"]
    assert "2 copies · also in:" in client.get("/search", params={"q": "Harpaz"}).text
    every = client.get("/api/v1/search", params={"q": "Harpaz", "group": "document", "copies": "all"}).json()
    both = sorted(g["dataset"] for g in every["groups"] if g["filename"] == "EFTA01197902.pdf")
    assert both == sorted([seeds[0]["dataset"], "dataset_10"])  # "show all copies": each copy
    assert every["result_count"] > data["result_count"] and every["total"] == data["total"]


def test_numbered_pages_with_exact_totals_show_each_document_once(client: TestClient) -> None:
    """`/search` pages say "21–40 of N" with N the documents (copies collapsed) over all pages, link
    the first, the neighbours and the last page, and together show every document cluster once."""
    api = client.get("/api/v1/search", params={"q": "the", "group": "document", "limit": 20}).json()
    count = api["result_count"]
    assert api["result_count_exact"] and count > 20 and api["total"] >= count
    last = -(-count // 20)
    seen: list[str] = []
    for page in range(1, last + 1):
        body = client.get("/search", params={"q": "the", "page": page}).text
        shown = re.findall(r'<h3 class="hit-title"><a href="/documents/([^"?]+)', body)
        start = (page - 1) * 20 + 1
        assert f"Documents {start}–{start + len(shown) - 1} of {count}" in body
        assert 'aria-current="page" class="current">' + str(page) + "<" in body
        if page < last:
            assert f'aria-label="last page, {last}"' in body and 'rel="next"' in body
        seen += shown
    assert len(seen) == len(set(seen)) == count
    cursor_walk: list[str] = []
    params: dict[str, str | int] = {"q": "the", "group": "document", "limit": 7}
    while True:  # the API's cursor reaches the same documents in the same order
        body = client.get("/api/v1/search", params=params).json()
        cursor_walk += [g["document_id"] for g in body["groups"]]
        if not body["next_cursor"]:
            break
        params["cursor"] = body["next_cursor"]
    assert cursor_walk == seen
