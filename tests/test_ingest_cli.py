"""Issue 2 end to end: `unsealed ingest`, `show` and `status` through the real CLI and a real SQLite file."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from pathlib import Path

from tests.builders import write_pdf
from unsealed.domain import original_key
from unsealed.store.documents import DOCUMENT_NAMESPACE


def _seed_like(folder: Path) -> Path:
    """A 3-page e-mail named after its first Bates number; page 2's stamp is unreadable (missing)."""
    return write_pdf(
        folder / "EFTA01197902.pdf",
        [
            ["From: JNS News", "To: <jeevacation@gmail.com>", "Subject: Israel and Azerbaijan"],
            ["Page two talks about Baku."],
            ["Page three mentions Hoenlein."],
        ],
        bates=["EFTA01197902", None, "EFTA01197904"],
    )


def test_ingest_records_document_pages_and_blob(cli_process, show_json, archive_dir, tmp_path):
    source = tmp_path / "release"
    pdf = _seed_like(source / "sub")
    # `python -m unsealed` as a process of its own, its progress written to a pipe (the other tests
    # run the same `main()` in the test's process)
    result = cli_process("ingest", source, "--dataset", "dataset_9", "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert "1 added" in result.stdout
    progress = result.stderr
    assert "1/1" in progress and "pages/s" in progress and "ETA" in progress

    doc = show_json("EFTA01197902.pdf")
    content = pdf.read_bytes()
    sha256 = hashlib.sha256(content).hexdigest()
    assert doc["id"] == str(uuid.uuid5(DOCUMENT_NAMESPACE, f"dataset_9:{sha256}"))
    assert doc["storage_key"] == "dataset_9/sub/EFTA01197902.pdf"
    assert doc["filename"] == "EFTA01197902.pdf"
    assert doc["dataset"] == "dataset_9"
    assert doc["md5"] == hashlib.md5(content).hexdigest()
    assert doc["sha256"] == sha256
    assert doc["size_bytes"] == len(content)
    assert doc["mime_type"] == "application/pdf"
    assert doc["status"] == "ok" and doc["error"] is None
    assert doc["page_count"] == 3 and [p["number"] for p in doc["pages"]] == [1, 2, 3]
    assert "source_path" not in doc  # where the server read it stays in the database, unshown
    assert doc["pipeline_version"] and doc["created_at"].endswith("+00:00")
    assert "Baku" in doc["pages"][1]["text"]
    assert all(p["text_source"] == "layer" and p["char_count"] == len(p["text"]) for p in doc["pages"])
    # The original is kept byte for byte, stored by its content.
    assert (archive_dir / "blobs" / original_key(sha256)).read_bytes() == content
    # The database is a plain SQLite file in WAL mode.
    with sqlite3.connect(archive_dir / "archive.db") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT count(*) FROM pages").fetchone()[0] == 3
        assert db.execute("SELECT source_path FROM documents").fetchone()[0] == str(pdf.absolute())


def test_bates_numbers_are_stamped_or_inferred(cli, show_json, tmp_path):
    _seed_like(tmp_path / "in")
    cli("ingest", tmp_path / "in", "--dataset", "dataset_9", check=True)
    doc = show_json("EFTA01197902")
    assert (doc["bates_first"], doc["bates_last"]) == ("EFTA01197902", "EFTA01197904")
    assert [(p["bates"], p["bates_source"]) for p in doc["pages"]] == [
        ("EFTA01197902", "stamped"),
        ("EFTA01197903", "inferred"),
        ("EFTA01197904", "stamped"),
    ]


def test_bates_from_stamps_when_the_file_name_has_none(cli, show_json, tmp_path):
    write_pdf(
        tmp_path / "in" / "memo.pdf",
        [["one"], ["two"]],
        bates=["HOUSE_OVERSIGHT_012345", "HOUSE_OVERSIGHT_012346"],
    )
    cli("ingest", tmp_path / "in", "--dataset", "house", check=True)
    doc = show_json("HOUSE_OVERSIGHT_012346")
    assert doc["page"] == 2
    assert [p["bates_source"] for p in doc["pages"]] == ["stamped", "stamped"]


def test_show_finds_a_document_by_every_key(cli, show_json, tmp_path):
    _seed_like(tmp_path / "in")
    cli("ingest", tmp_path / "in", "--dataset", "dataset_9", check=True)
    by_name = show_json("EFTA01197902.pdf")
    assert show_json(by_name["id"])["id"] == by_name["id"]
    assert show_json("dataset_9/EFTA01197902.pdf")["id"] == by_name["id"]
    by_bates = show_json("EFTA01197904")
    assert by_bates["id"] == by_name["id"] and by_bates["page"] == 3
    assert show_json("EFTA01197903")["page"] == 2  # inferred numbers resolve too

    missing = cli("show", "EFTA09999999")
    assert missing.returncode == 3 and "no document matches" in missing.stderr

    readable = cli("show", "EFTA01197904", check=True).stdout
    for expected in (
        "EFTA01197902.pdf",
        "dataset_9",
        "3 pages",
        "Document ID",
        "Storage Key",
        "SHA-256",
        "page 3 of 3",
    ):
        assert expected in readable


def test_rerun_changes_nothing_and_same_file_in_two_datasets_knows_the_other(
    cli, show_json, tmp_path, open_archive
):
    folder = tmp_path / "in"
    _seed_like(folder)
    write_pdf(folder / "EFTA01197905.pdf", [["another"]], bates=["EFTA01197905"])
    cli("ingest", folder, "--dataset", "dataset_9", check=True)
    first = show_json("EFTA01197902.pdf")

    again = cli("ingest", folder, "--dataset", "dataset_9", check=True)
    assert "0 added" in again.stdout and "2 unchanged" in again.stdout
    second = show_json("EFTA01197902.pdf")
    assert second == first

    cli("ingest", folder / "EFTA01197902.pdf", "--dataset", "dataset_10", check=True)
    status = json.loads(cli("status", "--json", check=True).stdout)
    assert status["totals"]["documents"] == 3
    in_9 = show_json("dataset_9/EFTA01197902.pdf")
    in_10 = show_json("dataset_10/EFTA01197902.pdf")
    assert in_9["id"] != in_10["id"]
    assert [o["id"] for o in in_9["also_in"]] == [in_10["id"]]
    assert [o["id"] for o in in_10["also_in"]] == [in_9["id"]]


def test_status_counts_by_dataset_and_lists_failures(cli, tmp_path):
    write_pdf(tmp_path / "a" / "ok.pdf", [["fine"]])
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "empty.pdf").write_bytes(b"")
    cli("ingest", tmp_path / "a", "--dataset", "one", check=True)
    assert cli("ingest", tmp_path / "b", "--dataset", "two").returncode == 1
    status = json.loads(cli("status", "--json", check=True).stdout)
    assert [(d["name"], d["ok"], d["failed"], d["pages"]) for d in status["datasets"]] == [
        ("one", 1, 0, 1),
        ("two", 0, 1, 0),
    ]
    assert status["failed"][0]["storage_key"] == "two/empty.pdf"
    assert "empty file" in status["failed"][0]["error"]
    text = cli("status", check=True).stdout
    assert "two/empty.pdf" in text and "empty file" in text


def test_invalid_dataset_name_and_missing_path_are_clear_errors(cli, tmp_path):
    bad = cli("ingest", tmp_path, "--dataset", "../evil")
    assert bad.returncode == 2 and "invalid data set name" in bad.stderr
    missing = cli("ingest", tmp_path / "nope", "--dataset", "x")
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    assert "Traceback" not in bad.stderr + missing.stderr
    marked_up = cli("ingest", tmp_path / "[red]nope[/red]", "--dataset", "x")
    assert "[red]nope[/red]" in marked_up.stderr  # a name is printed as it is, never as markup


def test_show_and_status_without_an_archive_say_so(cli):
    result = cli("status")
    assert result.returncode == 3 and "no archive" in result.stderr


def test_an_archive_inside_the_folder_being_read_is_not_read_into_itself(cli, show_json, tmp_path):
    folder = tmp_path / "release"
    write_pdf(folder / "memo.pdf", [["a memo"]])
    archive = folder / "archive"
    cli("ingest", folder, "--dataset", "one", "--archive", archive, check=True)
    again = cli("ingest", folder, "--dataset", "one", "--archive", archive, check=True)
    assert "1 files" in again.stdout and "1 unchanged" in again.stdout
    status = json.loads(cli("status", "--json", "--archive", archive, check=True).stdout)
    assert status["totals"]["documents"] == 1
