"""The single writer holds new documents until a flush: outcomes, copies within one batch, re-reads,
and rows inserted through the driver exactly as SQLAlchemy would store them."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, func, insert, select

from tests.builders import write_pdf
from unsealed.config import Settings
from unsealed.ingest.sources import walk_sources
from unsealed.model import FileResult
from unsealed.pipeline.worker import FileTask, WorkerOptions, failed_file, process_file
from unsealed.store.archive import Archive
from unsealed.store.bulk import insert_many
from unsealed.store.schema import document_sources, documents, pages
from unsealed.store.writer import DocumentWriter, KnownDocuments


def _results(archive: Archive, folder: Path) -> dict[str, tuple[FileTask, FileResult]]:
    """Each file of `folder` read by the real worker, by storage key."""
    settings = Settings(archive_dir=archive.root)
    options = WorkerOptions(blob_root=archive.blobs.url, limits=settings.limits, pages=settings.pages)
    tasks = [FileTask(source) for source in walk_sources([folder], "set1")]
    return {task.source.storage_key: (task, process_file(task, options)) for task in tasks}


def _counts(conn: Connection) -> tuple[int, ...]:
    """Rows in documents, pages and document_sources, as this connection sees them."""
    return tuple(
        conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in (documents, pages, document_sources)
    )


def test_copies_in_one_batch_are_one_document_with_two_sources(tmp_path):
    folder = tmp_path / "release"
    first = write_pdf(folder / "a" / "EFTA00000100.pdf", [["Flight log"], ["Page two"]])
    shutil.copy(first, folder / "EFTA00000100.pdf")
    with Archive.open(tmp_path / "archive") as archive:
        results = _results(archive, folder)
        with archive.engine.begin() as conn:
            writer = DocumentWriter(conn, KnownDocuments.load(conn, "set1"))
            outcomes = [writer.write(results[key][1]) for key in sorted(results)]
            assert _counts(conn) == (0, 0, 0)  # held, not yet sent
            writer.flush()
            assert _counts(conn) == (1, 2, 2)
        assert [o.action for o in outcomes] == ["added", "duplicate"]
        assert outcomes[0].document_id == outcomes[1].document_id


def test_a_copy_that_failed_earlier_in_the_batch_is_replaced_by_one_that_was_read(tmp_path):
    folder = tmp_path / "release"
    first = write_pdf(folder / "a" / "EFTA00000200.pdf", [["Memo"]])
    shutil.copy(first, folder / "b.pdf")
    with Archive.open(tmp_path / "archive") as archive:
        results = _results(archive, folder)
        settings = Settings(archive_dir=archive.root)
        options = WorkerOptions(blob_root=archive.blobs.url, limits=settings.limits)
        timed_out = failed_file(results["set1/a/EFTA00000200.pdf"][0], options, "timed out after 1 s")
        with archive.engine.begin() as conn:
            writer = DocumentWriter(conn, KnownDocuments.load(conn, "set1"))
            failed = writer.write(timed_out)
            read = writer.write(results["set1/b.pdf"][1])
            writer.flush()
            status, error = conn.execute(select(documents.c.status, documents.c.error)).one()
            assert _counts(conn) == (1, 1, 2)
        assert (failed.action, failed.status) == ("added", "failed")
        assert (read.action, read.status) == ("updated", "ok")
        assert (status, error) == ("ok", None)


def test_a_document_that_failed_in_an_earlier_run_is_updated_in_place(tmp_path):
    folder = tmp_path / "release"
    write_pdf(folder / "EFTA00000300.pdf", [["Deposition"], ["Exhibit"]])
    with Archive.open(tmp_path / "archive") as archive:
        ((task, result),) = _results(archive, folder).values()
        settings = Settings(archive_dir=archive.root)
        options = WorkerOptions(blob_root=archive.blobs.url, limits=settings.limits)
        with archive.engine.begin() as conn:
            writer = DocumentWriter(conn, KnownDocuments.load(conn, "set1"))
            writer.write(failed_file(task, options, "the reader crashed on this file"))
            writer.flush()
        with archive.engine.begin() as conn:
            writer = DocumentWriter(conn, KnownDocuments.load(conn, "set1"))
            outcome = writer.write(result)
            assert not writer.midway
            writer.flush()
            created, updated, status = conn.execute(
                select(documents.c.created_at, documents.c.updated_at, documents.c.status)
            ).one()
            assert _counts(conn) == (1, 2, 1)
        assert (outcome.action, status) == ("updated", "ok")
        assert updated >= created


def test_a_later_run_knows_what_the_data_set_holds_without_asking_per_file(tmp_path):
    folder = tmp_path / "release"
    write_pdf(folder / "EFTA00000400.pdf", [["Invoice"]])
    with Archive.open(tmp_path / "archive") as archive:
        first_run = _results(archive, folder)
        with archive.engine.begin() as conn:
            writer = DocumentWriter(conn, KnownDocuments.load(conn, "set1"))
            (added,) = [writer.write(result) for _, result in first_run.values()]
            writer.flush()
        shutil.copy(folder / "EFTA00000400.pdf", folder / "copy.pdf")
        with archive.engine.begin() as conn:
            known = KnownDocuments.load(conn, "set1")
            assert known.ok_contents == {
                "set1/EFTA00000400.pdf": first_run["set1/EFTA00000400.pdf"][1].sha256
            }
            writer = DocumentWriter(conn, known)
            second_run = _results(archive, folder)  # FileTask without the known hash: read again
            outcomes = {key: writer.write(result) for key, (_, result) in sorted(second_run.items())}
            writer.flush()
            assert _counts(conn) == (1, 1, 2)
        assert added.action == "added"
        assert {key: o.action for key, o in outcomes.items()} == {
            "set1/EFTA00000400.pdf": "duplicate",
            "set1/copy.pdf": "duplicate",
        }


def test_insert_many_stores_exactly_what_sqlalchemy_stores(tmp_path):
    now = datetime(2026, 11, 27, 9, 30, 15, 123456, tzinfo=UTC)
    document = {
        "id": "d1", "dataset": "set1", "filename": "a.pdf", "storage_key": "set1/a.pdf",
        "source_path": "/in/a.pdf", "md5": "0" * 32, "sha256": "1" * 64, "size_bytes": 2**40,
        "mime_type": "application/pdf", "page_count": 1, "status": "ok", "error": None, "notes": None,
        "pipeline_version": "1", "created_at": now, "updated_at": now, "bates_first": "EFTA00000001",
        "bates_last": "EFTA00000001", "language": "en", "doc_type": None,
    }  # fmt: skip
    page = {
        "document_id": "d1", "number": 1, "text": "naïve ‘text’ \x00", "char_count": 14,
        "text_source": "layer", "ocr_confidence": None, "quality": 0.25, "bates": "EFTA00000001",
        "bates_source": "stamped", "width": 612, "height": 792.5, "redaction_count": 0,
        "redactions": None, "error": None,
    }  # fmt: skip
    source = {"document_id": "d1", "storage_key": "set1/a.pdf", "source_path": "/in/a.pdf", "first_seen": now}
    dumps = []
    for name, write in (
        ("bulk", lambda conn, table, rows: insert_many(conn, table, rows)),
        ("core", lambda conn, table, rows: conn.execute(insert(table), rows)),
    ):
        with Archive.open(tmp_path / name) as archive, archive.engine.begin() as conn:
            for table, row in ((documents, document), (pages, page), (document_sources, source)):
                write(conn, table, [row])
        with sqlite3.connect(tmp_path / name / "archive.db") as db:
            dumps.append(
                [
                    db.execute(f"SELECT * FROM {t}").fetchall()
                    for t in ("documents", "pages", "document_sources")
                ]
            )
    assert dumps[0] == dumps[1]
