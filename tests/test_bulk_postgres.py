"""store/bulk.py on PostgreSQL: batches above COPY_FROM go in with COPY (and updates through a
temporary table); the rows read back are those SQLite's plain INSERTs and UPDATEs store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests.test_postgres import postgres_url  # noqa: F401  (fixture)
from unsealed.store import bulk
from unsealed.store.archive import Archive
from unsealed.store.schema import documents, entities, entity_pairs, pages

AWKWARD = ["plain", "tab\there", "new\nline", "back\\slash", "quote ' \" ", "ünïcödé", "\\N", ""]


def _documents(count: int) -> list[dict[str, object]]:
    return [
        {
            "id": f"doc-{i:04d}",
            "dataset": "d",
            "storage_key": f"key-{i}",
            "source_path": f"/in/{i}.pdf",
            "page_count": 1,
            "pipeline_version": "1",
            "filename": AWKWARD[i % len(AWKWARD)] + f" {i}",
            "sha256": f"{i:064d}",
            "md5": f"{i:032d}",
            "size_bytes": i * 1000,
            "mime_type": "application/pdf",
            "status": "ok" if i % 3 else "failed",
            "error": None if i % 3 else AWKWARD[i % len(AWKWARD)],
            "created_at": datetime(2026, 1, 1 + i % 28, 12, i % 60, tzinfo=UTC),
            "updated_at": datetime(2026, 2, 1, tzinfo=UTC),
        }
        for i in range(count)
    ]


def _pages(count: int) -> list[dict[str, object]]:
    return [
        {
            "document_id": f"doc-{i:04d}",
            "number": 1,
            "text": AWKWARD[i % len(AWKWARD)] * 3,
            "char_count": i,
            "text_source": "layer",
            "quality": i / 7 if i % 4 else None,
            "word_boxes": bytes(range(i % 256)) + b"\t\n\\\x00" if i % 5 else None,
        }
        for i in range(count)
    ]


def _entities(count: int) -> list[dict[str, object]]:
    return [
        {
            "id": f"e-{i:04d}",
            "type": "PERSON",
            "key": f"k {i}",
            "name": AWKWARD[i % len(AWKWARD)],
            "hidden": i % 2 == 0,
            "mention_count": i,
            "document_count": 1,
        }
        for i in range(count)
    ]


def _stored(archive: Archive) -> tuple[list[tuple[object, ...]], ...]:
    with archive.engine.connect() as conn:
        return tuple(
            [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns))]
            for table in (documents, pages, entities, entity_pairs)
        )


@pytest.mark.parametrize("count", [bulk.COPY_FROM - 3, bulk.COPY_FROM * 3])
def test_bulk_rows_read_back_alike_on_both_engines(tmp_path, monkeypatch, postgres_url, count):  # noqa: F811
    """Below and above COPY_FROM: inserts (text with tabs, newlines and backslashes, NULL, dates,
    booleans), updates and added counts give the same rows on PostgreSQL as on SQLite."""
    stored = []
    for engine in ("sqlite", "postgresql"):
        if engine == "postgresql":
            monkeypatch.setenv("UNSEALED_DATABASE_URL", postgres_url)
        with Archive.open(tmp_path / engine) as archive:
            with archive.engine.connect() as conn:  # COPY as the first statement: committed all the same
                bulk.insert_many(conn, documents, _documents(count))
                conn.commit()
            with archive.engine.begin() as conn:
                bulk.insert_many(conn, pages, _pages(count))
            with archive.engine.begin() as conn:
                bulk.insert_many(conn, entities, _entities(count))
                pairs = [(f"e-{i:04d}", f"e-{i + 1:04d}", i) for i in range(count)]
                bulk.insert_tuples(conn, entity_pairs, ("entity_id", "other_id", "documents"), pairs)
                changed = [(f"e-{i:04d}", AWKWARD[(i + 1) % len(AWKWARD)], i * 7) for i in range(0, count, 2)]
                bulk.update_rows(conn, entities, "id", ("name", "mention_count"), changed)
                bulk.update_rows(conn, entities, "id", ("name",), [])  # nothing to do
            with archive.engine.begin() as conn:  # a second update in a later transaction
                hidden = [(f"e-{i:04d}", True) for i in range(count)]
                bulk.update_rows(conn, entities, "id", ("hidden",), hidden)
                # counts added: to every other stored pair (+5), and new pairs inserted (1 each)
                more = [(f"e-{i:04d}", f"e-{i + 1:04d}", 5) for i in range(0, count, 2)]
                more += [(f"e-{i:04d}", f"e-{i + 2:04d}", 1) for i in range(count)]
                bulk.add_counts(conn, entity_pairs, ("entity_id", "other_id"), "documents", more)
            stored.append(_stored(archive))
            archive.engine.dispose()
    sqlite_rows, postgres_rows = stored
    assert [len(rows) for rows in postgres_rows] == [count, count, count, 2 * count]
    pair_counts = {(a, b): n for a, b, n in postgres_rows[3]}
    assert pair_counts[("e-0002", "e-0003")] == 2 + 5  # stored, added to
    assert pair_counts[("e-0003", "e-0004")] == 3  # stored, not added to
    assert pair_counts[("e-0003", "e-0005")] == 1  # not stored before: inserted
    for table_sqlite, table_postgres in zip(sqlite_rows, postgres_rows, strict=True):
        assert [_plain(r) for r in table_postgres] == [_plain(r) for r in table_sqlite]


def _plain(row: tuple[object, ...]) -> tuple[object, ...]:
    """Date-times compared as UTC instants (SQLite hands them back naive)."""
    return tuple(
        v.replace(tzinfo=None)
        if isinstance(v, datetime) and v.tzinfo is None
        else v.astimezone(UTC).replace(tzinfo=None)
        if isinstance(v, datetime)
        else v
        for v in row
    )
