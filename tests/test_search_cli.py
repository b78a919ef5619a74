"""`unsealed search` and `unsealed reindex` on the command line."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.search_helpers import Doc, add_documents
from unsealed.cli import app
from unsealed.store.archive import Archive

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def search_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-archive")
    with Archive.open(path) as archive:
        add_documents(
            archive,
            [
                Doc(f"EFTA0000{i}0.pdf", [f"Harpaz <b>page</b> {i}", "other"], bates_first=i * 10)
                for i in range(1, 6)
            ],
        )
    result = CliRunner().invoke(app, ["reindex", "--archive", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["pages_indexed"] == 10
    return path


def test_search_prints_citations_and_snippets(search_archive: Path) -> None:
    result = CliRunner().invoke(app, ["search", "harpaz", "--archive", str(search_archive), "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "5 matching pages" in result.stdout
    assert "dataset_9 · EFTA0000" in result.stdout and "page 1" in result.stdout
    assert "<b>page</b>" in result.stdout  # document text printed as text, never interpreted
    cursor_line = next(line for line in result.stdout.splitlines() if line.startswith("more: --cursor "))
    more = CliRunner().invoke(
        app, ["search", "harpaz", "-a", str(search_archive), "--cursor", cursor_line.split()[-1]]
    )
    assert more.exit_code == 0, more.output


def test_search_json_pages_with_cursor(search_archive: Path) -> None:
    runner = CliRunner()
    first = json.loads(
        runner.invoke(app, ["search", "harpaz", "-a", str(search_archive), "--json", "-n", "3"]).stdout
    )
    assert first["total"] == 5 and len(first["hits"]) == 3
    assert "&lt;b&gt;page&lt;/b&gt;" in first["hits"][0]["snippet"]["html"]
    assert set(first["facets"]) == {"dataset", "type", "year", "sender", "entity"}
    args = [
        "search",
        "harpaz",
        "-a",
        str(search_archive),
        "--json",
        "-n",
        "3",
        "--cursor",
        first["next_cursor"],
    ]
    second = json.loads(runner.invoke(app, args).stdout)
    assert len(second["hits"]) == 2 and second["next_cursor"] is None
    cites = {h["citation"] for h in first["hits"] + second["hits"]}
    assert len(cites) == 5


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_export_writes_every_hit(search_archive: Path, fmt: str) -> None:
    result = CliRunner().invoke(
        app, ["search", "harpaz OR other", "-a", str(search_archive), "--format", fmt]
    )
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
    else:
        rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 10
    assert {r["bates"] for r in rows} == {f"EFTA{i * 10 + p:08d}" for i in range(1, 6) for p in (0, 1)}


def test_bad_query_is_a_one_line_message_and_exit_code_2(search_archive: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from unsealed.cli import main; main()",
            "search",
            "date:2014-13",
            "-a",
            str(search_archive),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "not a real date" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_archive_is_not_found(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from unsealed.cli import main; main()",
            "search",
            "x",
            "-a",
            str(tmp_path / "nope"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 3 and "no archive" in proc.stderr


@pytest.mark.slow
def test_ingested_sample_is_searchable_and_status_reports_the_index(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """The whole path: `unsealed sample` -> `ingest` (its search stage) -> `search` / `status`."""
    from unsealed.sample.corpus import write_sample_corpus

    corpus = tmp_path / "sample"
    write_sample_corpus(corpus)
    cli("ingest", corpus / "dataset_9", "--dataset", "dataset_9")
    status = json.loads(cli("status", "--json", check=True).stdout)["search_index"]
    assert status["in_step"] and status["pages"] > 0, status
    found = json.loads(cli("search", "Harpaz~ Azerbaijan", "--json", check=True).stdout)
    assert any(h["bates"] == "EFTA01197904" for h in found["hits"]), found
    assert json.loads(cli("search", "EFTA01197904", "--json", check=True).stdout)["hits"][0]["page"] == 3
    assert "in step" in cli("status", check=True).stdout
