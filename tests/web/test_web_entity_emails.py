"""An entity page's e-mail lists (first of each by date, from the email_people date index) equal a
straightforward query of every e-mail that names it, at every cut: on the real sample archive and on
e-mails made to tie at the cut (PostgreSQL: tests/test_entities_postgres.py)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.entities_support import add_dated_emails, check_entity_emails
from unsealed.store.archive import Archive
from unsealed.store.schema import email_people, entities
from unsealed.views.entity_detail import entity_forms


def test_every_correspondent_of_the_sample_lists_its_emails_in_order(
    client: TestClient, sample_archive: Archive
) -> None:
    with sample_archive.engine.connect() as conn:
        keys = set(conn.execute(select(email_people.c.key).distinct()).scalars())
        people = [
            dict(r)
            for r in conn.execute(select(entities).where(entities.c.type.in_(["PERSON", "EMAIL"]))).mappings()
        ]
        counts = []
        for entity in people:
            aliases = [a["text"] for a in entity_forms(conn, entity["id"])[0]]
            counts.append(check_entity_emails(conn, entity, aliases))
    assert keys and sum(1 for n in counts if n > 1) >= 3, "the sample's correspondents must be checked"
    busiest = people[counts.index(max(counts))]
    detail = client.get(f"/api/v1/entities/{busiest['id']}").json()  # the page's twin reads the same lists
    assert detail["emails_sent_total"] + detail["emails_received_total"] == max(counts)


def test_ties_and_undated_emails_at_the_cut(tmp_path: Path) -> None:
    with Archive.open(tmp_path) as archive:
        entity, aliases = add_dated_emails(archive)
        with archive.engine.connect() as conn:
            assert check_entity_emails(conn, entity, aliases) == 13
