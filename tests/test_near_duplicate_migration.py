"""Migration 0015 (integer text ids in the band index) keeps the clusters and the band index, down
and up again, on SQLite and on PostgreSQL; 0019 (a new word hash) then drops every signature, and
the next run signs and clusters the archive again."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Connection, text

from tests.builders import write_pdf
from tests.queue_support import postgres_database
from tests.test_evidence_duplicates import OTHER, _release
from unsealed.config import Settings
from unsealed.pipeline import dedup_stage
from unsealed.pipeline.ingest import ingest
from unsealed.store.archive import Archive
from unsealed.store.database import _alembic_config

_INDEXED = (  # both levels of the band index (0016 added the recent one)
    "SELECT b.band, n.document_id, n.page_number FROM (SELECT band, text_id FROM near_duplicate_bands "
    "UNION ALL SELECT band, text_id FROM near_duplicate_recent_bands) b "
    "JOIN near_duplicates n ON n.id = b.text_id"
)
_INDEXED_BEFORE = "SELECT band, document_id, page_number FROM near_duplicate_bands"
_CLUSTERS = "SELECT document_id, page_number, cluster, canonical, signature, bands FROM near_duplicates"


def _rows(conn: Connection, sql: str) -> list[tuple[object, ...]]:
    return sorted(tuple(r) for r in conn.execute(text(sql)))


def _down_and_up(archive: Archive) -> None:
    with archive.engine.connect() as conn:
        clusters, indexed = _rows(conn, _CLUSTERS), _rows(conn, _INDEXED)
    assert indexed and len({r[2] for r in clusters}) < len(clusters)  # some texts share a cluster
    config = _alembic_config(archive.engine)
    command.downgrade(config, "0014_entity_page_indexes")
    with archive.engine.connect() as conn:
        assert _rows(conn, _CLUSTERS) == clusters
        assert _rows(conn, _INDEXED_BEFORE) == indexed
    command.upgrade(config, "0018_entity_months")
    with archive.engine.connect() as conn:
        assert _rows(conn, _CLUSTERS) == clusters
        assert _rows(conn, _INDEXED) == indexed
    command.upgrade(config, "head")  # 0019: signatures of the old word hash are dropped, to be signed again
    with archive.engine.connect() as conn:
        assert _rows(conn, _CLUSTERS) == _rows(conn, _INDEXED) == []


def _ingest_both(archive: Archive, root: Path, settings: Settings) -> None:
    one, two = _release(root)
    # a reprint of EFTA00000300 under its own Bates in `one`, so that texts share clusters before
    # the migration whatever the hash (the release's other pair is borderline: OTHER and its lines
    # reversed, Jaccard 0.64, which a 64-value MinHash estimates either side of 0.6)
    reprint = [OTHER[::-1] + ["a wholly different page of notes"]]
    write_pdf(one / "EFTA00000400.pdf", reprint, ["EFTA00000400"])
    ingest(archive, [one], "one", settings, stages=[dedup_stage.stage()])
    _down_and_up(archive)
    dedup_stage.run_stage(archive, dedup_stage.pending_ids(archive))  # `one` signed and clustered again
    ingest(archive, [two], "two", settings, stages=[dedup_stage.stage()])  # clusters on the index
    with archive.engine.connect() as conn:
        memo = conn.execute(
            text(
                "SELECT count(DISTINCT n.document_id) FROM near_duplicates n JOIN documents d "
                "ON d.id = n.document_id WHERE n.page_number = 0 AND n.cluster = ("
                "SELECT n2.cluster FROM near_duplicates n2 JOIN documents d2 ON d2.id = n2.document_id "
                "WHERE d2.dataset = 'one' AND d2.bates_first = 'EFTA00000100' AND n2.page_number = 0)"
            )
        ).scalar_one()
    assert memo == 3  # the copy in `two` and the redacted print joined the memo's cluster


def test_migration_keeps_clusters_on_sqlite(tmp_path):
    settings = Settings(archive_dir=tmp_path / "archive", workers=1)
    with Archive.open(settings.archive_dir) as archive:
        _ingest_both(archive, tmp_path, settings)


def test_migration_keeps_clusters_on_postgresql(tmp_path, monkeypatch):
    with postgres_database() as url:
        monkeypatch.setenv("UNSEALED_DATABASE_URL", url)
        settings = Settings(archive_dir=tmp_path / "archive", workers=1)
        with Archive.open(settings.archive_dir) as archive:
            _ingest_both(archive, tmp_path, settings)
