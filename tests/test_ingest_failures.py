"""A file's failure is that file's: gone, unreadable, a symlink, a bug in its worker; and originals
are stored by content, so two names never share bytes and one content is stored once."""

from __future__ import annotations

import hashlib
import time
import unicodedata
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.builders import write_pdf
from unsealed.config import PageOptions, Settings
from unsealed.model import FileResult, SourceFile
from unsealed.pipeline.ingest import IngestReport, SilentObserver, ingest
from unsealed.pipeline.pool import run_tasks
from unsealed.pipeline.worker import FileTask, WorkerOptions
from unsealed.search.errors import SearchIndexError
from unsealed.search.service import Searcher
from unsealed.store.archive import Archive
from unsealed.store.blobs import BlobStore
from unsealed.store.schema import document_sources, documents
from unsealed.store.verify import verify_originals
from unsealed.web import create_app


def _settings(archive_dir: Path, **changes: object) -> Settings:
    base = Settings(archive_dir=archive_dir, workers=2, pages=PageOptions(ocr_mode="never"))
    return base.with_overrides(**changes)


def _ingest(archive: Archive, folder: Path, observer: object = None, **changes: object) -> IngestReport:
    settings = _settings(archive.root, **changes)
    return ingest(archive, [folder], "ds", settings, observer=observer, stages=[])  # type: ignore[arg-type]


def _statuses(archive: Archive) -> dict[str, tuple[str, str | None]]:
    with archive.engine.connect() as conn:
        rows = conn.execute(
            select(document_sources.c.storage_key, documents.c.status, documents.c.error).join(
                documents, documents.c.id == document_sources.c.document_id
            )
        ).all()
    return {r.storage_key: (r.status, r.error) for r in rows}


def test_two_names_never_share_bytes_and_one_content_is_stored_once(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    nfc, nfd = unicodedata.normalize("NFC", "café.pdf"), unicodedata.normalize("NFD", "café.pdf")
    write_pdf(folder / nfc, [["the first cafe"]])
    write_pdf(folder / nfd, [["the second cafe, other bytes"]])
    same = write_pdf(folder / "copy-00.pdf", [["one content under twelve names"]])
    for i in range(1, 12):
        (folder / f"copy-{i:02d}.pdf").write_bytes(same.read_bytes())
    archive = Archive.open(tmp_path / "archive")
    _ingest(archive, folder)

    statuses = _statuses(archive)
    assert f"ds/{nfc}" in statuses and f"ds/{nfd}" in statuses and len(statuses) == 14
    blobs = [p for p in archive.blobs.fs.find(archive.blobs.root) if "/_originals/" in p]
    assert len(blobs) == 3  # two cafés and one copy of the twelve
    client = TestClient(create_app(archive))
    with archive.engine.connect() as conn:
        ids = conn.execute(select(documents.c.id, documents.c.sha256)).all()
    for doc_id, sha in ids:
        answer = client.get(f"/documents/{doc_id}/original")
        assert answer.status_code == 200
        assert hashlib.sha256(answer.content).hexdigest() == sha == answer.headers["x-unsealed-sha256"]
        assert int(answer.headers["content-length"]) == len(answer.content)

    report = verify_originals(archive)
    assert report.checked == 3 and report.problems == []
    Path(blobs[0]).write_bytes(b"tampered")
    report = verify_originals(archive)
    assert len(report.problems) == 1 and "content changed" in report.problems[0].reason


def test_names_of_255_bytes_are_stored_and_read(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    ascii_name = "a" * 251 + ".pdf"
    wide_name = "€" * 85  # 85 three-byte characters: 255 bytes
    assert len(ascii_name.encode()) == len(wide_name.encode()) == 255
    write_pdf(folder / ascii_name, [["long ascii name"]])
    write_pdf(folder / wide_name, [["long wide name"]])
    archive = Archive.open(tmp_path / "archive")
    report = _ingest(archive, folder)
    assert report.exit_code == 0
    assert {s for s, _ in _statuses(archive).values()} == {"ok"}
    store = BlobStore(tmp_path / "blobs")  # any key whose own name fits is written (short temp name)
    store.put_bytes(f"ds/{wide_name}", b"x")
    assert store.read_bytes(f"ds/{wide_name}") == b"x"


@pytest.mark.parametrize("stage", ["read", "store", "analyse", "exit"])
def test_an_unexpected_exception_fails_one_file_and_the_run_goes_on(tmp_path: Path, stage: str) -> None:
    folder = tmp_path / "in"
    for i in range(6):
        write_pdf(folder / f"file-{i}.pdf", [[f"page of file {i}"]])
    write_pdf(folder / "boom.pdf", [["this one meets a bug"]])
    archive = Archive.open(tmp_path / "archive")
    _ingest(archive, folder, fault=f"{stage}:boom")
    statuses = _statuses(archive)
    assert all(statuses[f"ds/file-{i}.pdf"][0] == "ok" for i in range(6))
    status, error = statuses["ds/boom.pdf"]
    assert status == "failed" and error
    assert ("worker" in error) if stage == "exit" else ("injected fault" in error)


class _Remover(SilentObserver):
    """Removes a file once the folder is walked, before any worker reads it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def files_found(self, count: int) -> None:
        self.path.unlink()


def test_a_file_removed_mid_run_is_that_files_failure(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    for i in range(3):
        write_pdf(folder / f"file-{i}.pdf", [[f"page {i}"]])
    archive = Archive.open(tmp_path / "archive")
    _ingest(archive, folder, observer=_Remover(folder / "file-1.pdf"))
    statuses = _statuses(archive)
    assert statuses["ds/file-1.pdf"] == ("failed", "the file was removed while the run read it")
    assert statuses["ds/file-0.pdf"][0] == statuses["ds/file-2.pdf"][0] == "ok"
    gone = SourceFile(tmp_path / "never-there.pdf", "ds", "ds/never-there.pdf")
    options = WorkerOptions(blob_root=str(tmp_path / "blobs"), limits=Settings().limits)
    results: list[FileResult] = list(run_tasks([FileTask(gone)], options, 1))
    assert results[0].error == "the file was removed while the run read it"


def test_symlinks_are_refused_unless_followed_inside_the_root(tmp_path: Path) -> None:
    secret = tmp_path / "host-secret.pdf"
    write_pdf(secret, [["a file elsewhere on the host"]])
    folder = tmp_path / "in"
    inside = write_pdf(folder / "real.pdf", [["a file inside"]])
    (folder / "outside-link.pdf").symlink_to(secret)
    (folder / "inside-link.pdf").symlink_to(inside)
    archive = Archive.open(tmp_path / "archive")
    _ingest(archive, folder)
    statuses = _statuses(archive)
    assert statuses["ds/real.pdf"][0] == "ok"
    for link in ("outside-link", "inside-link"):
        status, error = statuses[f"ds/{link}.pdf"]
        assert (
            status == "failed"
            and "symbolic link" in (error or "")
            and "UNSEALED_FOLLOW_LINKS" in (error or "")
        )
    stored = {
        hashlib.sha256(Path(p).read_bytes()).hexdigest() for p in archive.blobs.fs.find(archive.blobs.root)
    }
    assert hashlib.sha256(secret.read_bytes()).hexdigest() not in stored

    followed = Archive.open(tmp_path / "archive2")
    _ingest(followed, folder, follow_links=True)
    statuses = _statuses(followed)
    assert statuses["ds/inside-link.pdf"][0] == "ok"
    assert statuses["ds/outside-link.pdf"][0] == "failed"
    assert "outside the input folder" in (statuses["ds/outside-link.pdf"][1] or "")


class _Changer(SilentObserver):
    """Rewrites a file once the folder is walked, before any worker reads it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def files_found(self, count: int) -> None:
        write_pdf(self.path, [["new content written during the run"]])


def test_a_file_changed_mid_run_is_stored_as_it_was_read(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    changed = write_pdf(folder / "changing.pdf", [["old content"]])
    archive = Archive.open(tmp_path / "archive")
    _ingest(archive, folder, observer=_Changer(changed))
    assert _statuses(archive)["ds/changing.pdf"][0] == "ok"
    assert verify_originals(archive).problems == []
    with archive.engine.connect() as conn:
        sha = conn.execute(select(documents.c.sha256)).scalar_one()
    assert sha == hashlib.sha256(changed.read_bytes()).hexdigest()


class _SearchAtEntities(SilentObserver):
    """Searches the archive when entity extraction starts, and holds the run there until the new
    document is found: the first index pass runs in the background stage worker beside the entity
    stages, so the document is searchable without them (a run that needed them would wait here)."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self.found: int | None = None

    def stage_started(self, stage: str, documents: int) -> None:
        if stage != "entity mentions":
            return
        deadline = time.monotonic() + 120
        while self.found != 1 and time.monotonic() < deadline:
            try:
                self.found = Searcher(self.archive).search("ledger", facets=False).total
            except SearchIndexError:  # the first pass has not committed the index yet
                pass
            time.sleep(0.1)


def test_new_documents_are_searchable_before_entity_extraction(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_pdf(folder / "memo.pdf", [["a page about the ledger of the estate"]])
    archive = Archive.open(tmp_path / "archive")
    observer = _SearchAtEntities(archive)
    ingest(archive, [folder], "ds", _settings(archive.root), observer=observer)
    assert observer.found == 1


def test_a_truncated_pdf_is_ok_with_a_document_warning(tmp_path: Path) -> None:
    whole = write_pdf(tmp_path / "whole.pdf", [[f"page {i} text here"] * 5 for i in range(4)])
    folder = tmp_path / "in"
    folder.mkdir()
    content = whole.read_bytes()
    (folder / "truncated.pdf").write_bytes(content[: int(len(content) * 0.75)])
    archive = Archive.open(tmp_path / "archive")
    _ingest(archive, folder)
    with archive.engine.connect() as conn:
        status, notes = conn.execute(select(documents.c.status, documents.c.notes)).one()
    assert status == "ok"
    assert "warning: the file is damaged or truncated: 3 of 4 pages have text" in notes
