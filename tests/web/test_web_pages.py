"""HTML pages and their JSON twins over a sample archive ingested for real (write → read)."""

from __future__ import annotations

import hashlib
import io

from fastapi.testclient import TestClient
from markupsafe import escape
from PIL import Image
from web_support import HOSTILE_TEXT

from unsealed.store.archive import Archive
from unsealed.store.documents import locate_document
from unsealed.views.models import EmailRef, EntityDocument, EntityMention, Snippet
from unsealed.web.templating import document_rows, email_rows, mention_items


def doc_id(archive: Archive, key: str) -> str:
    with archive.engine.connect() as conn:
        located = locate_document(conn, key)
    assert located is not None, key
    return located.document_id


def test_home_lists_datasets_status_and_failures(client: TestClient, sample_archive: Archive) -> None:
    summary = client.get("/api/v1/status").json()
    page = client.get("/")
    assert page.status_code == 200
    body = page.text
    assert 'role="search"' in body and 'name="q"' in body
    for counts in summary["datasets"]:
        assert f'href="/datasets/{counts["name"]}"' in body
        assert f">{counts['pages']:,}<" in body
    assert summary["totals"]["failed"] > 0
    assert 'href="/status#failed"' in body
    for failure in summary["failed"][:10]:
        assert escape(failure["error"]) in body
    twin = client.get("/api/v1/home").json()
    assert twin["totals"]["failed"] == summary["totals"]["failed"]
    assert twin["datasets"] == summary["datasets"]
    assert f"{summary['totals']['enriched']:,} of {summary['totals']['ok']:,} documents" in body
    assert summary["totals"]["enriched"] <= summary["totals"]["ok"]


def test_document_page_shows_header_bates_and_metadata(client: TestClient, sample_archive: Archive) -> None:
    seed = doc_id(sample_archive, "dataset_9/EFTA01197902.pdf")
    record = client.get(f"/api/v1/documents/{seed}").json()
    doc = record
    assert doc["filename"] == "EFTA01197902.pdf" and doc["page_count"] == 6
    body = client.get(f"/documents/{seed}").text
    assert "<h1>EFTA01197902.pdf</h1>" in body
    assert "dataset_9" in body and "6 pages" in body
    for n, page in enumerate(record["pages"], start=1):
        assert page["bates"] == f"EFTA{1197902 + n - 1:08d}"
        assert f'id="page-{n}"' in body and f'href="/bates/{page["bates"]}"' in body
        assert f"{page['bates']}, page {n} of EFTA01197902.pdf, data set dataset_9" in body
    assert "text layer" in body
    for field in ("id", "storage_key", "md5", "sha256", "pipeline_version"):
        assert doc[field] and escape(str(doc[field])) in body
    assert "source_path" not in record and "/tmp/" not in body  # the server's paths stay private
    # The same bytes are in dataset_10: "also in" links there.
    assert [a["dataset"] for a in record["also_in"]] == ["dataset_10"]
    assert f'href="/documents/{record["also_in"][0]["id"]}"' in body
    assert "Moshe Ya&#39;alon" in body  # the text itself, page by page


def test_document_without_enrichment_says_so(client: TestClient, sample_archive: Archive) -> None:
    seed = doc_id(sample_archive, "dataset_9/EFTA01197902.pdf")
    data = client.get(f"/api/v1/documents/{seed}").json()
    body = client.get(f"/documents/{seed}").text
    if data["entities"]["extracted"]:
        assert f"{data['entities']['total']} entit" in body
    else:
        assert "Not extracted yet" in body and "No entities found" not in body


def test_failed_document_shows_its_reason(client: TestClient, sample_archive: Archive) -> None:
    failed = doc_id(sample_archive, "dataset_10/EFTA02000103.pdf")
    data = client.get(f"/api/v1/documents/{failed}").json()
    assert data["processing"]["state"] == "failed"
    body = client.get(f"/documents/{failed}").text
    assert "could not be processed" in body
    assert escape(data["error"]) in body


def test_search_within_document_counts_hits_per_page(client: TestClient, sample_archive: Archive) -> None:
    seed = doc_id(sample_archive, "dataset_9/EFTA01197902.pdf")
    data = client.get(f"/api/v1/documents/{seed}", params={"q": "Azerbaijan"}).json()
    expected = {p["number"]: p["text"].lower().count("azerbaijan") for p in data["pages"]}
    got = {p["number"]: p["hits"] for p in data["search"]["pages"]}
    assert got == {n: c for n, c in expected.items() if c}
    body = client.get(f"/documents/{seed}", params={"q": "Azerbaijan"}).text
    assert body.count('id="hit-') == sum(expected.values())  # one jump target per hit
    assert f"{sum(expected.values())} hits for" in body


def test_bates_redirects_to_the_page(client: TestClient) -> None:
    response = client.get("/bates/EFTA01197904", follow_redirects=False)
    assert response.status_code == 302
    path, anchor = response.headers["location"].split("#")
    assert anchor == "page-3"
    target = client.get(f"/api/v1{path}").json()
    assert target["pages"][2]["bates"] == "EFTA01197904"
    twin = client.get("/api/v1/bates/EFTA01197904").json()
    assert (f"/documents/{twin['document_id']}", twin["page"]) == (path, 3)
    assert client.get("/bates/EFTA99999999", follow_redirects=False).status_code == 404


def test_dataset_page_sorts_pages_and_lists_failures(client: TestClient) -> None:
    data = client.get("/api/v1/datasets/dataset_10", params={"sort": "pages", "order": "desc"}).json()
    counts = [d["page_count"] for d in data["documents"]]
    assert counts == sorted(counts, reverse=True)
    assert data["failed"] and all(f["error"] for f in data["failed"])
    body = client.get("/datasets/dataset_10", params={"sort": "pages", "order": "desc"}).text
    assert 'aria-sort="descending"' in body
    for f in data["failed"]:
        assert escape(f["error"]) in body
    assert client.get("/datasets/nope").status_code == 404


def test_hostile_text_is_escaped(client: TestClient, sample_archive: Archive) -> None:
    hostile = doc_id(sample_archive, "fixtures/EFTA09000001.pdf")
    body = client.get(f"/documents/{hostile}").text
    assert "<script>alert(1)</script>" not in body and "<img src=x" not in body
    assert escape(HOSTILE_TEXT) in body
    csp = client.get(f"/documents/{hostile}").headers["content-security-policy"]
    assert "script-src 'self'" in csp


def test_entity_page_rows_escape_every_value() -> None:
    """The entity page's long lists are built by Python filters, not the template: every value
    printed there is escaped all the same."""
    bad = HOSTILE_TEXT
    mention = EntityMention(
        id=1, document_id=bad, page_number=2, start=3, end=4, bates=bad, filename=bad, dataset=bad,
        snippet=Snippet(before=bad, match=bad, after=bad),
    )  # fmt: skip
    mail = EmailRef.model_validate(
        {"seq": 0, "page": 1, "from": {"name": bad, "address": bad}, "to": [{"name": bad, "address": bad}],
         "subject": bad, "sent_raw": bad, "document_id": bad, "filename": bad}
    )  # fmt: skip
    document = EntityDocument(id=bad, filename=bad, dataset=bad, doc_type=bad, mentions=3)
    for html in (mention_items([mention], bad), email_rows([mail]), document_rows([document])):
        assert "<script>" not in html and "<img src=x" not in html
        assert str(escape(bad)) in html


def test_original_download_is_the_stored_file(client: TestClient, sample_archive: Archive) -> None:
    seed = doc_id(sample_archive, "dataset_9/EFTA01197902.pdf")
    doc = client.get(f"/api/v1/documents/{seed}").json()
    response = client.get(f"/documents/{seed}/original")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    assert hashlib.sha256(response.content).hexdigest() == doc["sha256"]


def test_page_image_is_a_png(client: TestClient, sample_archive: Archive) -> None:
    seed = doc_id(sample_archive, "dataset_9/EFTA01197902.pdf")
    response = client.get(f"/documents/{seed}/pages/2.png", params={"width": 300})
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).width == 300
    assert client.get(f"/documents/{seed}/pages/99.png").status_code == 404
    body = client.get(f"/documents/{seed}", params={"view": "both"}).text
    assert f'src="/documents/{seed}/pages/1.png"' in body


def test_api_errors_are_json_with_status(client: TestClient) -> None:
    missing = client.get("/api/v1/documents/does-not-exist")
    assert missing.status_code == 404
    assert missing.json()["error"] == {"status": 404, "message": "no document 'does-not-exist'"}
    bad = client.get("/api/v1/datasets/dataset_9", params={"page": 0})
    assert bad.status_code == 422 and bad.json()["error"]["status"] == 422
    assert client.get("/documents/does-not-exist").headers["content-type"].startswith("text/html")


def test_server_is_read_only_and_has_no_cors(client: TestClient) -> None:
    for method in ("post", "put", "delete", "patch"):
        response = getattr(client, method)("/api/v1/status")
        assert response.status_code == 405
        assert response.json()["error"]["status"] == 405
    response = client.get("/api/v1/status", headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in response.headers
    preflight = client.options(
        "/api/v1/status",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_openapi_lists_every_json_twin(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/status",
        "/api/v1/home",
        "/api/v1/datasets",
        "/api/v1/datasets/{name}",
        "/api/v1/documents/{document_id}",
        "/api/v1/documents/{document_id}/pages",
        "/api/v1/documents/{document_id}/pages/{number}",
        "/api/v1/bates/{bates}",
        "/api/v1/lookup",
    ):
        assert path in paths, path
    assert not any(p.startswith("/documents") for p in paths)  # HTML pages stay out of the schema
