"""Enrichment, resolution and curation on the real PostgreSQL (the scale-out store)."""

from __future__ import annotations

from tests.entities_support import add_document, seed_pages
from tests.test_postgres import postgres_url  # noqa: F401  (fixture)
from unsealed.enrich import curate
from unsealed.enrich.lookup import find_entity
from unsealed.pipeline.enrich_stages import enrichment_stages
from unsealed.store.archive import Archive
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
