"""Hostile queries, file names and concurrent writers: clear answers, never a server error."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.search_helpers import Doc, add_documents
from unsealed.config import PageOptions, Settings
from unsealed.errors import ArchiveBusyError
from unsealed.pipeline.ingest import ingest
from unsealed.search import indexer
from unsealed.store.archive import Archive
from unsealed.store.lock import archive_writer
from unsealed.web import create_app

FORMULA_NAMES = ['=HYPERLINK("http://evil.example","click").pdf', "+1+2.pdf", "-3.pdf", "@SUM(A1).pdf"]
DEEP_QUERIES = [
    "-" * 1000 + "word",
    "NOT " * 400 + "word",
    "(" * 500 + "word",
    "-(" * 400 + "word",
    " OR ".join(["word"] * 300)[:1990],
    "(word OR " * 150 + "word",
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    opened = Archive.open(tmp_path_factory.mktemp("hostile"))
    add_documents(opened, [Doc(name, ["a word about the ledger"]) for name in FORMULA_NAMES])
    indexer.sync(opened)
    return opened


@pytest.fixture(scope="module")
def client(archive: Archive) -> TestClient:
    return TestClient(create_app(archive), raise_server_exceptions=False)


@pytest.mark.parametrize("query", DEEP_QUERIES)
def test_deep_queries_are_a_clear_answer_not_a_server_error(client: TestClient, query: str) -> None:
    for path in ("/api/v1/search", "/search"):
        answer = client.get(path, params={"q": query})
        assert answer.status_code in (200, 400), (path, answer.status_code)


def _cli(archive: Archive, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UNSEALED_ARCHIVE": str(archive.root)}
    return subprocess.run(
        [sys.executable, "-m", "unsealed", *args], capture_output=True, text=True, env=env, timeout=120
    )


def _assert_inert(rows: list[dict[str, str]]) -> None:
    assert len(rows) == len(FORMULA_NAMES)
    for row in rows:
        assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
    assert {row["filename"] for row in rows} == {"'" + name for name in FORMULA_NAMES}


def test_csv_exports_neutralise_formulas(client: TestClient, archive: Archive) -> None:
    web = client.get("/search/export.csv", params={"q": "ledger"})
    assert web.status_code == 200
    _assert_inert(list(csv.DictReader(io.StringIO(web.text))))
    result = _cli(archive, "search", "ledger", "--format", "csv")
    assert result.returncode == 0, result.stderr
    _assert_inert(list(csv.DictReader(io.StringIO(result.stdout))))


def test_the_cli_answers_a_deep_query_without_a_traceback(archive: Archive) -> None:
    result = _cli(archive, "search", "--", "-" * 999 + "(" * 300 + "word")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "brackets" in result.stderr


def test_a_second_writer_is_told_who_holds_the_archive(tmp_path: Path) -> None:
    archive = Archive.open(tmp_path / "archive")
    (tmp_path / "in").mkdir()
    settings = Settings(archive_dir=archive.root, workers=1, pages=PageOptions(ocr_mode="never"))
    with archive_writer(archive.root, "ingest"):
        with pytest.raises(ArchiveBusyError, match=rf"process {os.getpid()} \(ingest: .*\) is writing"):
            ingest(archive, [tmp_path / "in"], "ds", settings, stages=[])
    ingest(archive, [tmp_path / "in"], "ds", settings, stages=[])  # released: the next one runs


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    for path in ("/", "/search?q=ledger", "/api/v1/search?q=ledger", "/openapi.json"):
        get, head = client.get(path), client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]


def test_openapi_documents_the_errors_every_api_operation_gives(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            assert {"200", "400", "404"} <= set(operation["responses"]), path
    missing = client.get("/api/v1/documents/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["error"]["status"] == 404
