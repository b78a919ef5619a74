"""The search page over the real index: hits, snippets, facets that refine, sort, paging, CSV export."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient


def test_hits_have_citations_and_highlighted_snippets(client: TestClient) -> None:
    data = client.get("/api/v1/search", params={"q": "Harpaz"}).json()
    assert data["total"] >= 1
    body = client.get("/search", params={"q": "Harpaz"}).text
    for hit in data["hits"]:
        assert f'href="/documents/{hit["document_id"]}?q=Harpaz#page-{hit["page"]}"' in body
        assert f"page {hit['page']} of {hit['filename']}" in body
    assert '<mark class="hit">Harpaz</mark>' in body
    assert 'href="/search/help"' in body


def test_facets_refine_the_query(client: TestClient) -> None:
    data = client.get("/api/v1/search", params={"q": "israel"}).json()
    assert set(data["facets"]) >= {"dataset", "type", "year", "entity"}
    facet = data["facets"]["dataset"][0]
    refined_q = f"israel {facet['refine']}"
    refined = client.get("/api/v1/search", params={"q": refined_q}).json()
    assert refined["total"] == facet["count"]
    body = client.get("/search", params={"q": "israel"}).text
    assert "Data set</h2>" in body and "Entities</h2>" in body
    assert facet["refine"].replace('"', "%22").split(":")[0] in body


def test_sort_and_cursor_paging(client: TestClient) -> None:
    first = client.get("/api/v1/search", params={"q": "israel", "limit": 2, "sort": "date"}).json()
    assert len(first["hits"]) == 2 and first["next_cursor"]
    second = client.get(
        "/api/v1/search", params={"q": "israel", "limit": 2, "sort": "date", "cursor": first["next_cursor"]}
    ).json()
    seen = {(h["document_id"], h["page"]) for h in first["hits"]}
    assert second["hits"] and not seen & {(h["document_id"], h["page"]) for h in second["hits"]}
    body = client.get("/search", params={"q": "israel", "limit": 2, "sort": "date"}).text
    assert 'rel="next"' in body and 'aria-current="true">Oldest' in body


def test_csv_export_has_every_hit(client: TestClient) -> None:
    total = client.get("/api/v1/search", params={"q": "israel"}).json()["total"]
    response = client.get("/search/export.csv", params={"q": "israel"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == total
    assert all(r["citation"] and r["document_id"] for r in rows)
    assert 'href="/search/export.csv?q=israel"' in client.get("/search", params={"q": "israel"}).text


def test_bad_query_keeps_the_page_with_the_reason(client: TestClient) -> None:
    page = client.get("/search", params={"q": "date:someday"})
    assert page.status_code == 400
    assert 'role="alert"' in page.text and "date:someday" in page.text
    api = client.get("/api/v1/search", params={"q": "date:someday"})
    assert api.status_code == 400 and "date:someday" in api.json()["error"]["message"]
    assert client.get("/search").status_code == 200  # no query: the form and help link
    assert "NEAR(" in client.get("/search/help").text
