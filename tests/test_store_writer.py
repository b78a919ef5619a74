"""The single writer holds new documents until a flush: outcomes, copies within one batch, re-reads."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import Connection, func, select

from tests.builders import write_pdf
from unsealed.config import Settings
from unsealed.ingest.sources import walk_sources
from unsealed.ingest.worker import FileTask, WorkerOptions, failed_file, process_file
from unsealed.model import FileResult
from unsealed.store.archive import Archive
from unsealed.store.schema import document_sources, documents, pages
from unsealed.store.writer import DocumentWriter


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
            writer = DocumentWriter(conn)
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
            writer = DocumentWriter(conn)
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
            writer = DocumentWriter(conn)
            writer.write(failed_file(task, options, "the reader crashed on this file"))
            writer.flush()
        with archive.engine.begin() as conn:
            writer = DocumentWriter(conn)
            outcome = writer.write(result)
            assert not writer.midway
            writer.flush()
            created, updated, status = conn.execute(
                select(documents.c.created_at, documents.c.updated_at, documents.c.status)
            ).one()
            assert _counts(conn) == (1, 2, 1)
        assert (outcome.action, status) == ("updated", "ok")
        assert updated >= created
