"""OCR through the real CLI: ingest with --ocr, reprocess with stable ids, missing engine at start."""

from __future__ import annotations

import os
from pathlib import Path

from tests.builders import write_pdf
from tests.helpers_ocr import image_pdf, scan
from unsealed.domain import original_key

SCANNED = ["Passenger manifest", "Palm Beach to Teterboro"]


def _corpus(folder: Path) -> Path:
    image_pdf(folder / "EFTA00000001.pdf", [scan(SCANNED, dpi=150)])
    write_pdf(folder / "EFTA00000002.pdf", [["Memorandum for the file, typed with a text layer."] * 30])
    return folder


def test_reprocess_ocrs_pages_ingested_without_ocr_and_keeps_ids(
    cli, show_json, open_archive, tmp_path
) -> None:
    corpus = _corpus(tmp_path / "in")
    cli("ingest", corpus, "--dataset", "ds1", "--ocr", "never", check=True)
    before = show_json("EFTA00000001.pdf")
    assert before["pages"][0]["text_source"] == "none"
    archive = open_archive()
    blob = archive.blobs.local_path(original_key(before["sha256"]))
    assert blob is not None
    stamp = blob.stat().st_mtime_ns

    result = cli("reprocess", "--dataset", "ds1", "--ocr", "auto", check=True)
    assert "1 re-read" in result.stdout
    after = show_json("EFTA00000001.pdf")
    assert after["id"] == before["id"]
    page = after["pages"][0]
    assert page["text_source"] == "ocr:tesseract"
    assert "Teterboro" in page["text"]
    assert 0 < page["ocr_confidence"] <= 1 and 0 < page["quality"] <= 1
    assert blob.stat().st_mtime_ns == stamp  # the original was not copied again
    assert show_json("EFTA00000002.pdf")["pages"][0]["text_source"] == "layer"

    again = cli("reprocess", "--ocr", "auto", check=True)
    assert "0 re-read" in again.stdout and "2 unchanged" in again.stdout


def test_ingest_with_the_null_engine_marks_ocr_pages(cli, show_json, tmp_path) -> None:
    corpus = _corpus(tmp_path / "in")
    cli("ingest", corpus, "--dataset", "ds1", "--ocr", "always", "--ocr-engine", "null", check=True)
    assert show_json("EFTA00000001.pdf")["pages"][0]["text_source"] == "ocr:null"
    typed = show_json("EFTA00000002.pdf")["pages"][0]
    assert typed["text_source"] == "layer" and "Memorandum" in typed["text"]  # null read nothing


def test_a_missing_engine_stops_the_run_at_start_with_the_install_command(cli_process, cli, tmp_path) -> None:
    # a process of its own: the engine is looked for once per process, in that process's environment
    corpus = _corpus(tmp_path / "in")
    no_models = tmp_path / "tessdata"  # Tesseract's language models are not installed
    no_models.mkdir()
    result = cli_process("ingest", corpus, "--dataset", "ds1", env={"TESSDATA_PREFIX": str(no_models)})
    assert result.returncode == 4
    assert "apt-get install tesseract-ocr tesseract-ocr-eng" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "archive" / "blobs" / "_originals").exists()  # nothing was read
    # without OCR the engine is not looked for, so this run may share the test's process
    ok = cli("ingest", corpus, "--dataset", "ds1", "--ocr", "never", env={"TESSDATA_PREFIX": str(no_models)})
    assert ok.returncode == 0, ok.stderr


def test_bad_ocr_flags_are_usage_errors(cli, tmp_path) -> None:
    result = cli("ingest", _corpus(tmp_path / "in"), "--dataset", "d", "--ocr", "sometimes")
    assert result.returncode == 2 and "auto, always, never" in result.stderr
    result = cli("ingest", tmp_path / "in", "--dataset", "d", "--ocr-engine", "gpu")
    assert result.returncode == 2 and "unknown OCR engine 'gpu'" in result.stderr
    assert os.environ.get("UNSEALED_OCR") is None
