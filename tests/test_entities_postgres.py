"""Enrichment, resolution and curation on the real PostgreSQL (the scale-out store)."""

from __future__ import annotations

from collections import Counter
from itertools import permutations

from sqlalchemy import select

from tests.entities_support import add_dated_emails, add_document, check_entity_emails, seed_pages
from tests.test_postgres import postgres_url  # noqa: F401  (fixture)
from unsealed.enrich import curate
from unsealed.enrich.lookup import find_entity
from unsealed.pipeline.enrich_stages import enrichment_stages
from unsealed.store import entity_links
from unsealed.store.archive import Archive
from unsealed.store.schema import entity_pairs
from unsealed.views.entity import entity_view
from unsealed.views.queries import document_emails


def test_seed_enrichment_on_postgresql(tmp_path, monkeypatch, postgres_url):  # noqa: F811
    monkeypatch.setenv("UNSEALED_DATABASE_URL", postgres_url)
    with Archive.open(tmp_path) as archive:
        doc_id = add_document(archive, "EFTA01197902.pdf", [t for _, t in seed_pages()])
        for _ in range(2):  # idempotent on this engine too
            for stage in enrichment_stages():
                stage.run(archive, [doc_id])
        with archive.engine.begin() as conn:
            harpaz = entity_view(conn, find_entity(conn, "liarpaz")).json_data()
            assert harpaz["name"] == "Rafael Harpaz"
            assert document_emails(conn, doc_id)[0]["sent_at"] == "2014-12-24T20:52:29+00:00"
            curate.hide(conn, "Baku")
            assert entity_view(conn, find_entity(conn, "Baku")).hidden is True


def _pairs_after_each_sync(archive: Archive) -> None:
    """Pair counts equal those counted afresh from the links after every sync: pairs added, moved
    (one more document shares them) and dropped (no document shares them any more)."""
    steps = [
        {"d1": {"a": 1, "b": 2}, "d2": {"a": 1, "c": 1}},
        {"d1": {"a": 1}, "d2": {"a": 1, "c": 1}, "d3": {"b": 1, "c": 2}},  # (a, b) gone, (b, c) new
        {"d1": {"a": 1}, "d2": {"a": 1, "c": 1}, "d3": {"b": 1, "c": 2}, "d4": {"a": 3, "c": 1}},
    ]
    for links in steps:
        with archive.engine.begin() as conn:
            entity_links.sync(conn, links)
            stored = {(a, b): n for a, b, n in conn.execute(select(entity_pairs))}
        expected: Counter[tuple[str, str]] = Counter()
        for entities in links.values():
            expected.update(permutations(entities, 2))
        assert stored == dict(expected)
    assert stored[("a", "c")] == 2 and ("a", "b") not in stored


def test_pair_counts_follow_each_sync_on_sqlite(tmp_path):
    with Archive.open(tmp_path) as archive:
        _pairs_after_each_sync(archive)


def test_pair_counts_follow_each_sync_on_postgresql(tmp_path, monkeypatch, postgres_url):  # noqa: F811
    monkeypatch.setenv("UNSEALED_DATABASE_URL", postgres_url)
    with Archive.open(tmp_path) as archive:
        _pairs_after_each_sync(archive)


def test_entity_email_lists_at_the_cut_on_postgresql(tmp_path, monkeypatch, postgres_url):  # noqa: F811
    """Undated e-mails sort last here (first on SQLite): the lists still equal the reference."""
    monkeypatch.setenv("UNSEALED_DATABASE_URL", postgres_url)
    with Archive.open(tmp_path) as archive:
        entity, aliases = add_dated_emails(archive)
        with archive.engine.connect() as conn:
            assert check_entity_emails(conn, entity, aliases) == 13
