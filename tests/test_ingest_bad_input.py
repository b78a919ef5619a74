"""Bad input never stops or crashes a run: each file ends as ok or failed with a clear reason."""

from __future__ import annotations

import json
import os
import random

import pytest

from tests.builders import png_bytes, write_encrypted, write_many_pages, write_pdf
from unsealed.domain import original_key


def _failures(cli) -> dict[str, str]:
    status = json.loads(cli("status", "--json", check=True).stdout)
    return {f["storage_key"]: f["error"] for f in status["failed"]}


def test_hostile_files_are_recorded_with_reasons_and_the_run_goes_on(cli, show_json, tmp_path, archive_dir):
    folder = tmp_path / "release"
    folder.mkdir()
    good = write_pdf(folder / "EFTA00000010.pdf", [["a good page"]], bates=["EFTA00000010"])
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "random.pdf").write_bytes(random.Random(1).randbytes(5000))
    (folder / "truncated.pdf").write_bytes(good.read_bytes()[:300])
    content = good.read_bytes()
    (folder / "no-trailer.pdf").write_bytes(content[: content.find(b"trailer")])  # PDFium rejects it
    write_encrypted(folder / "encrypted.pdf")
    (folder / "age-gate.pdf").write_bytes(b"<!DOCTYPE html><html><body>Are you 18?</body></html>")
    (folder / "scan.pdf").write_bytes(png_bytes())
    write_pdf(folder / "name with spaces.pdf", [["spaces"]])
    write_pdf(folder / "ünïcødé – memo.pdf", [["unicode"]])
    write_pdf(folder / "..hidden..pdf", [["dots"]])
    write_pdf(folder / "nested" / ".." / "dotdot.pdf", [["resolved"]])
    (folder / os.fsdecode(b"latin1-\xe9.pdf")).write_bytes(png_bytes())

    result = cli("ingest", folder, "--dataset", "hostile")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr

    failures = _failures(cli)
    assert set(failures) == {
        "hostile/empty.pdf",
        "hostile/random.pdf",
        "hostile/truncated.pdf",
        "hostile/encrypted.pdf",
        "hostile/age-gate.pdf",
    }
    assert "empty file" in failures["hostile/empty.pdf"]
    assert "unrecognised binary content" in failures["hostile/random.pdf"]
    assert "PDF" in failures["hostile/truncated.pdf"]
    assert "encrypted PDF" in failures["hostile/encrypted.pdf"]
    assert "HTML page" in failures["hostile/age-gate.pdf"]

    # A PNG named .pdf is sniffed by content and read as an image (OCR gives it text later).
    scan = show_json("hostile/scan.pdf")
    assert scan["status"] == "ok" and scan["mime_type"] == "image/png" and scan["page_count"] == 1
    assert show_json("hostile/name with spaces.pdf")["pages"][0]["text"].startswith("spaces")
    assert show_json("hostile/ünïcødé – memo.pdf")["status"] == "ok"
    assert show_json("hostile/..hidden..pdf")["status"] == "ok"
    assert show_json("hostile/dotdot.pdf")["status"] == "ok"
    repaired = show_json("hostile/no-trailer.pdf")
    assert repaired["status"] == "ok" and "repaired by qpdf" in repaired["notes"]
    assert repaired["pages"][0]["text"].startswith("a good page")
    assert show_json("hostile/latin1-\\xe9.pdf")["status"] == "ok"
    # Failed files are kept too: nothing is lost.
    content_key = original_key(show_json("hostile/random.pdf")["sha256"])
    assert (archive_dir / "blobs" / content_key).stat().st_size == 5000


def test_a_pdf_of_thousands_of_pages_is_read(cli, show_json, tmp_path):
    write_many_pages(tmp_path / "in" / "big.pdf", 3000)
    cli("ingest", tmp_path / "in", "--dataset", "big", check=True)
    doc = show_json("big.pdf")
    assert doc["page_count"] == 3000 and doc["pages"][2999]["text"].startswith("page 3000")


def test_per_file_limits_fail_the_file_with_the_setting_to_change(cli, tmp_path):
    write_many_pages(tmp_path / "in" / "many.pdf", 30)
    write_pdf(tmp_path / "in" / "small.pdf", [["small"]])
    result = cli("ingest", tmp_path / "in", "--dataset", "limits", env={"UNSEALED_MAX_PAGES": "20"})
    assert result.returncode == 1
    assert "30 pages is over the limit of 20" in _failures(cli)["limits/many.pdf"]
    assert "UNSEALED_MAX_PAGES" in _failures(cli)["limits/many.pdf"]

    result = cli("ingest", tmp_path / "in", "--dataset", "bytes", env={"UNSEALED_MAX_FILE_BYTES": "100"})
    assert result.returncode == 1
    assert all(
        "UNSEALED_MAX_FILE_BYTES" in reason
        for key, reason in _failures(cli).items()
        if key.startswith("bytes/")
    )


@pytest.mark.slow
def test_a_file_over_the_time_limit_fails_and_the_others_finish(cli, show_json, tmp_path):
    """2 s: past the 3,000-page file, and far more than the one-page file needs on a busy machine
    (at 0.2 s the quick file timed out too under load)."""
    write_many_pages(tmp_path / "in" / "slow.pdf", 3000)
    write_pdf(tmp_path / "in" / "quick.pdf", [["quick"]])
    result = cli("ingest", tmp_path / "in", "--dataset", "slow", env={"UNSEALED_FILE_TIMEOUT": "2"})
    assert result.returncode == 1
    assert "timed out after 2 s" in _failures(cli)["slow/slow.pdf"]
    assert show_json("slow/quick.pdf")["status"] == "ok"
    # Raising the limit and re-running reads the file that failed; its id stays the same.
    failed_id = show_json("slow/slow.pdf")["id"]
    cli("ingest", tmp_path / "in", "--dataset", "slow", check=True)
    retried = show_json("slow/slow.pdf")
    assert retried["id"] == failed_id and retried["status"] == "ok" and retried["page_count"] == 3000
