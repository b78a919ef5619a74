"""Curator decisions from the web behind UNSEALED_ADMIN_TOKEN; gzip, cache headers, entity list paging."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from unsealed.store.archive import Archive
from unsealed.store.schema import curations
from unsealed.web import create_app


def _location(client: TestClient) -> dict:
    return client.get("/api/v1/entities", params={"type": "LOCATION", "per_page": 500}).json()


def test_without_a_token_the_server_is_read_only(client: TestClient) -> None:
    entity = _location(client)["entities"][0]
    form = client.post(f"/entities/{entity['id']}/curate", data={"action": "hide", "token": "x"})
    assert form.status_code == 403 and "read-only" in form.text
    api = client.post(f"/api/v1/entities/{entity['id']}/curate", json={"action": "hide"})
    assert api.status_code == 403 and api.json()["error"]["status"] == 403
    assert 'action="/entities/' not in client.get(f"/entities/{entity['id']}").text  # no forms shown


def test_curator_hides_and_shows_again_with_the_token(sample_archive: Archive) -> None:
    curator = TestClient(create_app(sample_archive, admin_token="s3cret"))
    entity = _location(curator)["entities"][-1]
    page = curator.get(f"/entities/{entity['id']}").text
    assert 'action="/entities/' in page and 'type="password"' in page
    wrong = curator.post(f"/entities/{entity['id']}/curate", data={"action": "hide", "token": "nope"})
    assert wrong.status_code == 403
    hidden = curator.post(
        f"/entities/{entity['id']}/curate", data={"action": "hide", "token": "s3cret"}, follow_redirects=False
    )
    assert hidden.status_code == 303
    assert entity["id"] not in {e["id"] for e in _location(curator)["entities"]}
    assert curator.get(f"/api/v1/entities/{entity['id']}").json()["hidden"] is True
    shown = curator.post(
        f"/api/v1/entities/{entity['id']}/curate",
        json={"action": "unhide"},
        headers={"Authorization": "Bearer s3cret"},
    )
    assert shown.status_code == 200 and shown.json() == {
        "action": "unhide",
        "entity": entity["id"],
        "merged": None,
        "alias": None,
        "new_entity": None,
    }
    assert entity["id"] in {e["id"] for e in _location(curator)["entities"]}
    with sample_archive.engine.connect() as conn:  # recorded like the CLI's decisions
        actions = [r.action for r in conn.execute(select(curations.c.action).order_by(curations.c.id))]
    assert actions[-2:] == ["hide", "unhide"]


def test_entity_list_is_paged_and_filtered(client: TestClient) -> None:
    everyone = client.get("/api/v1/entities", params={"per_page": 10}).json()
    assert everyone["paging"]["total"] > 10 and len(everyone["entities"]) == 10
    second = client.get("/api/v1/entities", params={"per_page": 10, "page": 2}).json()
    assert not {e["id"] for e in everyone["entities"]} & {e["id"] for e in second["entities"]}
    named = client.get("/api/v1/entities", params={"name": "kess"}).json()
    assert named["entities"] and all("kess" in e["name"].lower() for e in named["entities"])
    body = client.get("/entities", params={"per_page": 10}).text
    assert f"1–10 of {everyone['paging']['total']:,} entities" in body and 'rel="next"' in body


def test_network_filters_and_shared_documents(client: TestClient) -> None:
    person = client.get("/api/v1/entities", params={"type": "PERSON", "per_page": 1}).json()["entities"][0]
    full = client.get("/api/v1/network", params={"entity": person["id"]}).json()
    only = client.get(
        "/api/v1/network", params={"entity": person["id"], "type": "ORG", "min_shared": 2}
    ).json()
    assert all(n["type"] == "ORG" and n["documents"] >= 2 for n in only["nodes"][1:])
    assert len(only["nodes"]) <= len(full["nodes"])
    other = full["nodes"][1]
    shared = client.get(f"/api/v1/entities/{person['id']}/shared/{other['id']}").json()
    assert len(shared["documents"]) == other["documents"]
    assert client.get(f"/entities/{person['id']}/shared/{other['id']}").status_code == 200


def test_responses_are_compressed_and_static_files_cached(client: TestClient) -> None:
    page = client.get("/status", headers={"Accept-Encoding": "gzip"})
    assert page.headers["content-encoding"] == "gzip"
    css = client.get("/static/app.css", headers={"Accept-Encoding": "gzip"})
    assert css.headers["content-encoding"] == "gzip" and "max-age=86400" in css.headers["cache-control"]
