"""Data-set zips: members read streamed from the zip, keyed `<dataset>/<member path>`; unsafe
members and bombs refused and recorded as failures; a nested zip read one level deep."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from sqlalchemy import select

from tests.builders import write_pdf
from unsealed.config import Settings, ZipLimits
from unsealed.pipeline.ingest import ingest
from unsealed.store.archive import Archive
from unsealed.store.schema import documents


def _pdf_bytes(tmp_path: Path, name: str, text: str, bates: str) -> bytes:
    return write_pdf(tmp_path / "src" / name, [[text]], [bates]).read_bytes()


def _release(tmp_path: Path) -> Path:
    path = tmp_path / "release.zip"
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("deep/EFTA00000009.pdf", _pdf_bytes(tmp_path, "c.pdf", "inner memo", "EFTA00000009"))
        z.writestr("twice.zip", b"PK\x05\x06" + b"\0" * 18)  # a zip inside a nested zip
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("VOL001/EFTA00000001.pdf", _pdf_bytes(tmp_path, "a.pdf", "first memo", "EFTA00000001"))
        z.writestr("../escape.pdf", b"%PDF-1.4 nope")
        z.writestr("/abs.pdf", b"%PDF-1.4 nope")
        link = zipfile.ZipInfo("VOL001/link.pdf")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(link, "/etc/passwd")
        z.writestr("VOL001/bomb.txt", b"\0" * (3 * 1024 * 1024))  # compresses ~1000:1
        z.write(inner, "VOL001/inner.zip")
    return path


def test_a_zip_is_read_member_by_member_and_refuses_what_is_unsafe(tmp_path):
    release = _release(tmp_path)
    settings = Settings(archive_dir=tmp_path / "archive", workers=1)
    with Archive.open(settings.archive_dir) as archive:
        report = ingest(archive, [release], "ds9", settings, stages=[])
        with archive.engine.connect() as conn:
            rows = {r.storage_key: r for r in conn.execute(select(documents))}
        assert archive.blobs.exists("ds9/VOL001/EFTA00000001.pdf")
    assert rows["ds9/VOL001/EFTA00000001.pdf"].status == "ok"
    assert rows["ds9/VOL001/EFTA00000001.pdf"].bates_first == "EFTA00000001"
    assert rows["ds9/VOL001/EFTA00000001.pdf"].source_path.endswith("release.zip!VOL001/EFTA00000001.pdf")
    assert rows["ds9/VOL001/inner.zip/deep/EFTA00000009.pdf"].status == "ok"
    failures = dict(report.failures)
    assert "symbolic link" in failures["ds9/VOL001/link.pdf"]
    assert "compression ratio" in failures["ds9/VOL001/bomb.txt"]
    assert "nested more than one level" in failures["ds9/VOL001/inner.zip/twice.zip"]
    unsafe = [reason for key, reason in report.failures if "unsafe zip member path" in reason]
    assert len(unsafe) == 2
    assert not any(p.name == "escape.pdf" for p in tmp_path.rglob("*.pdf") if "src" not in p.parts)
    # nothing was unpacked next to the zip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "inner.zip", "release.zip", "src"]
    # a second run adds nothing (refused members are looked at again, as every failed file is)
    with Archive.open(settings.archive_dir) as archive:
        again = ingest(archive, [release], "ds9", settings, stages=[])
        with archive.engine.connect() as conn:
            assert len(conn.execute(select(documents.c.id)).all()) == len(rows)
    assert again.added == 0 and again.unchanged == 2


def test_too_many_members_refuses_the_zip_and_a_total_limit_refuses_the_rest(tmp_path):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as z:
        for i in range(5):
            z.writestr(f"f{i}.txt", b"x" * 100)
    settings = Settings(archive_dir=tmp_path / "a", workers=1, zips=ZipLimits(max_members=3))
    with Archive.open(settings.archive_dir) as archive:
        report = ingest(archive, [path], "many", settings, stages=[])
    assert [reason for _, reason in report.failures] == [
        "refused: the zip has 5 members, over the limit of 3 (UNSEALED_ZIP_MAX_MEMBERS)"
    ]
    settings = Settings(archive_dir=tmp_path / "b", workers=1, zips=ZipLimits(max_total_bytes=250))
    with Archive.open(settings.archive_dir) as archive:
        report = ingest(archive, [path], "many", settings, stages=[])
    refused = sorted(key for key, reason in report.failures if "add up to more than 250" in reason)
    assert refused == ["many/f2.txt", "many/f3.txt", "many/f4.txt"]
