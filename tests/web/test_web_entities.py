"""Entity panels, e-mail headers, entity and network pages, after real ingest + enrichment (write → read)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from markupsafe import escape

from unsealed.store.archive import Archive
from unsealed.store.documents import locate_document


def seed_view(client: TestClient, archive: Archive) -> tuple[str, dict]:
    with archive.engine.connect() as conn:
        located = locate_document(conn, "dataset_9/EFTA01197902.pdf")
    assert located is not None
    return located.document_id, client.get(f"/api/v1/documents/{located.document_id}").json()


def test_email_headers_are_shown(client: TestClient, sample_archive: Archive) -> None:
    doc_id, data = seed_view(client, sample_archive)
    assert data["emails"], "the seed is a printed e-mail: its header must be extracted"
    header = data["emails"][0]
    assert header["from"]["name"] == "JNS News"
    assert header["to"][0]["address"] == "jeevacation@gmail.com"
    body = client.get(f"/documents/{doc_id}").text
    assert '<section class="panel email"' in body
    assert escape(header["subject"]) in body
    assert "<dt>To</dt><dd>jeevacation@gmail.com</dd>" in body
    assert escape(header["sent_raw"]) in body


def test_entities_panel_groups_links_and_jumps(client: TestClient, sample_archive: Archive) -> None:
    doc_id, data = seed_view(client, sample_archive)
    assert data["entities"]["extracted"] and data["entities"]["total"] > 10
    labels = [g["label"] for g in data["entities"]["groups"]]
    assert labels[:3] == ["People", "Organizations", "Locations"]
    body = client.get(f"/documents/{doc_id}").text
    assert f"{data['entities']['total']} entities mentioned" in body
    for group in data["entities"]["groups"]:
        assert f'{group["label"]} <span class="count">{group["count"]}</span>' in body
        for entity in group["entities"]:
            assert f'href="/entities/{entity["id"]}"' in body
            assert escape(entity["name"]) in body
            assert f'href="#{entity["first_anchor"]}"' in body
            assert f'id="{entity["first_anchor"]}"' in body  # the jump target exists in the text
    people = next(g for g in data["entities"]["groups"] if g["type"] == "PERSON")
    assert any("Ya" in e["name"] and "alon" in e["name"] for e in people["entities"])


def test_entity_page_shows_mentions_with_citations(client: TestClient, sample_archive: Archive) -> None:
    _, data = seed_view(client, sample_archive)
    person = max(
        (e for g in data["entities"]["groups"] if g["type"] == "PERSON" for e in g["entities"]),
        key=lambda e: e["count"],
    )
    detail = client.get(f"/api/v1/entities/{person['id']}").json()
    assert detail["name"] == person["name"]
    assert detail["paging"]["total"] == sum(a["count"] for a in detail["aliases"])
    body = client.get(f"/entities/{person['id']}").text
    assert f"{escape(person['name'])}</h1>" in body
    for alias in detail["aliases"]:
        assert escape(alias["text"]) in body
    for mention in detail["mentions"]:
        anchor = f"m-{mention['page_number']}-{mention['start']}"
        assert f'href="/documents/{mention["document_id"]}#{anchor}"' in body
        assert f"page {mention['page_number']} of" in body
    for other in detail["co_mentions"][:5]:
        assert f'href="/entities/{other["id"]}"' in body
    assert f'href="/network?entity={person["id"]}"' in body


def test_correspondent_page_lists_emails(client: TestClient, sample_archive: Archive) -> None:
    _, data = seed_view(client, sample_archive)
    addresses = next(g for g in data["entities"]["groups"] if g["type"] == "EMAIL")["entities"]
    target = next(e for e in addresses if e["name"] == "jeevacation@gmail.com")
    detail = client.get(f"/api/v1/entities/{target['id']}").json()
    assert detail["emails_received"], "jeevacation@gmail.com received the seed e-mail"
    assert all(
        any(r["address"] == "jeevacation@gmail.com" for r in e["to"] + e["cc"] + e["bcc"])
        for e in detail["emails_received"]
    )
    body = client.get(f"/entities/{target['id']}").text
    assert "Received (" in body
    assert detail["timeline"] and "Mentions by month" in body


def test_network_page_and_twin(client: TestClient, sample_archive: Archive) -> None:
    _, data = seed_view(client, sample_archive)
    place = next(g for g in data["entities"]["groups"] if g["type"] == "LOCATION")["entities"][0]
    graph = client.get("/api/v1/network", params={"entity": place["id"], "limit": 10}).json()
    assert graph["nodes"][0] == {
        "id": place["id"],
        "name": place["name"],
        "type": "LOCATION",
        "center": True,
        "documents": 0,
    }
    assert 1 <= len(graph["nodes"]) - 1 <= 10
    node_ids = {n["id"] for n in graph["nodes"]}
    assert all(
        e["source"] in node_ids and e["target"] in node_ids and e["documents"] >= 1 for e in graph["edges"]
    )
    body = client.get("/network", params={"entity": place["id"], "limit": 10}).text
    assert '<script src="/static/vendor/cytoscape.min.js"></script>' in body
    for node in graph["nodes"][1:]:
        assert f'href="/entities/{node["id"]}"' in body
    assert client.get("/network", params={"entity": "nope"}).status_code == 404
    vendored = client.get("/static/vendor/cytoscape.min.js")
    assert vendored.status_code == 200 and b"cytoscape" in vendored.content[:2000]


def test_home_lists_top_entities(client: TestClient) -> None:
    top = client.get("/api/v1/entities", params={"per_page": 5}).json()["entities"]
    assert len(top) == 5
    counts = [e["mention_count"] for e in top]  # "most mentioned" first
    assert counts == sorted(counts, reverse=True)
    body = client.get("/").text
    for entity in top:
        assert f'href="/entities/{entity["id"]}"' in body
