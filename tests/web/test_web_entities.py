"""Entity panels, e-mail headers, entity and network pages, after real ingest + enrichment (write → read)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import Connection, select, update

from unsealed.enrich import curate
from unsealed.store import entity_links
from unsealed.store.archive import Archive
from unsealed.store.documents import locate_document
from unsealed.store.schema import (
    document_entities,
    documents,
    emails,
    entities,
    entity_forms,
    entity_months,
    entity_pairs,
    mentions,
)
from unsealed.views.entity_detail import entity_timeline


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


def _summaries(conn: Connection) -> dict[str, list[tuple[object, ...]]]:
    return {
        t.name: sorted(tuple(r) for r in conn.execute(select(t)))
        for t in (document_entities, entity_pairs, entity_forms, entity_months)
    }


def _live_co_mentions(conn: Connection, entity_id: str) -> dict[str, int]:
    """Documents shared with each other entity, counted from the mentions themselves."""
    linked = mentions.c.entity_id.is_not(None)
    rows = conn.execute(select(mentions.c.document_id, mentions.c.entity_id).where(linked))
    docs: dict[str, set[str]] = {}
    for doc, ent in rows:
        docs.setdefault(ent, set()).add(doc)
    mine = docs[entity_id]
    return {e: len(d & mine) for e, d in docs.items() if e != entity_id and d & mine}


def test_the_entity_summaries_follow_every_resolution(client: TestClient, sample_archive: Archive) -> None:
    """The sample was ingested data set by data set, so resolution updated the summaries in steps;
    they equal a rebuild from the mentions, also after a curator merge (rolled back afterwards)."""
    with sample_archive.engine.connect() as conn:
        kept = _summaries(conn)
        assert all(kept.values())
        top = conn.execute(select(entities.c.id).order_by(entities.c.mention_count.desc())).scalars().first()
        assert top is not None
        detail = client.get(f"/api/v1/entities/{top}").json()
        live = _live_co_mentions(conn, top)
        hidden = set(conn.execute(select(entities.c.id).where(entities.c.hidden.is_(True))).scalars())
        assert {c["id"]: c["documents"] for c in detail["co_mentions"]} == {
            c["id"]: live[c["id"]] for c in detail["co_mentions"]
        }
        shown = sorted((n for e, n in live.items() if e not in hidden), reverse=True)
        assert [c["documents"] for c in detail["co_mentions"]] == shown[: len(detail["co_mentions"])]
        conn.rollback()  # end the reads' transaction
        trans = conn.begin()
        try:
            entity_links.rebuild(conn)
            assert _summaries(conn) == kept
        finally:
            trans.rollback()
        trans = conn.begin()
        try:
            by_mentions = entities.c.mention_count.desc()
            people = conn.execute(
                select(entities.c.id).where(entities.c.type == "PERSON").order_by(by_mentions)
            ).scalars()
            first, second = next(people), next(people)
            curate.merge(conn, first, second)
            merged = _summaries(conn)
            assert merged != kept
            entity_links.rebuild(conn)
            assert _summaries(conn) == merged
        finally:
            trans.rollback()


def test_the_timeline_follows_a_document_that_moves_to_another_month(sample_archive: Archive) -> None:
    """A dated document given a date (which wins over its e-mail's) in a month no other document has:
    the next sync moves its mentions from its month to the new one (the month sums move by the
    difference, not rebuilt), and the result equals a rebuild."""
    with sample_archive.engine.connect() as conn, conn.begin() as trans:
        links: defaultdict[str, Counter[str]] = defaultdict(Counter)
        linked = select(mentions.c.document_id, mentions.c.entity_id).where(mentions.c.entity_id.is_not(None))
        for doc, ent in conn.execute(linked):
            links[doc][ent] += 1
        # the sample's documents are dated by their own e-mail's sent date (none has a date of its own)
        own = (emails.c.seq == 0) & emails.c.sent_at.is_not(None)
        sent = select(emails.c.document_id, emails.c.sent_at).where(own)
        dated = {d: date for d, date in conn.execute(sent)}
        doc = max((d for d in links if d in dated), key=lambda d: (len(links[d]), d))
        old = f"{dated[doc].astimezone(UTC) if dated[doc].tzinfo else dated[doc]:%Y-%m}"
        entity, count = links[doc].most_common(1)[0]
        before = {t["month"]: t["mentions"] for t in entity_timeline(conn, entity)}
        assert "1987-06" not in before and before[old] >= count
        new_date = datetime(1987, 6, 1, tzinfo=UTC)
        conn.execute(update(documents).where(documents.c.id == doc).values(doc_date=new_date))
        assert entity_links.sync(conn, links, touched=[]) == 1
        after = {t["month"]: t["mentions"] for t in entity_timeline(conn, entity)}
        assert after["1987-06"] == count
        assert after.get(old, 0) == before[old] - count
        assert sum(after.values()) == sum(before.values())
        kept = _summaries(conn)
        entity_links.rebuild(conn)
        assert _summaries(conn) == kept
        trans.rollback()
