"""Page images rendered on demand from the stored original and cached in the blob store."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import insert

from tests.helpers_ocr import image_pdf, scan
from unsealed.errors import ConfigError, NotFoundError
from unsealed.render.page_images import MAX_PIXELS, WIDTHS, ImageCache, image_cache, page_png, served_width
from unsealed.store.archive import Archive
from unsealed.store.schema import documents, pages

DOC_ID = "6f1c1b7e-0000-5000-8000-000000000001"


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    pdf = image_pdf(
        tmp_path / "EFTA00000001.pdf", [scan(["Page one"], dpi=72), scan(["Page two"], dpi=72)], 72
    )
    opened = Archive.open(tmp_path / "archive")
    key = "dataset_1/EFTA00000001.pdf"
    opened.blobs.put_file(key, pdf)
    now = datetime.now(UTC)
    with opened.engine.begin() as conn:
        conn.execute(
            insert(documents).values(
                id=DOC_ID, dataset="dataset_1", filename="EFTA00000001.pdf", storage_key=key,
                source_path=str(pdf), md5="0" * 32, sha256="0" * 64, size_bytes=pdf.stat().st_size,
                mime_type="application/pdf", page_count=2, status="ok", pipeline_version="test",
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
        conn.execute(
            insert(pages),
            [{"document_id": DOC_ID, "number": n, "text": "", "text_source": "none", "width": 612.0,
              "height": 792.0} for n in (1, 2)],
        )  # fmt: skip
    yield opened
    opened.close()


def test_a_page_renders_at_a_fixed_width_and_is_cached(archive: Archive) -> None:
    png = page_png(archive, DOC_ID, 2, 300)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.width == 300 and abs(image.height - 300 * 792 / 612) <= 1
    assert image_cache().get((DOC_ID, 2, 300)) == png
    assert page_png(archive, DOC_ID, 2, 300) == png
    # any width asked for is served at the next fixed width: 3,937 widths no longer mean 3,937 renders
    assert {Image.open(io.BytesIO(page_png(archive, DOC_ID, 2, w))).width for w in (301, 450, 599)} == {600}
    assert Image.open(io.BytesIO(page_png(archive, DOC_ID, 2, 4000))).width == WIDTHS[-1]


def test_no_request_renders_more_than_the_pixel_cap() -> None:
    assert served_width(4000, 300, 14_400) * served_width(4000, 300, 14_400) * 48 <= MAX_PIXELS
    assert served_width(900, 612, 792) == 900


def test_the_cache_keeps_the_most_recently_used_within_its_size() -> None:
    cache = ImageCache(max_bytes=30)
    for n in range(3):
        cache.put(("d", n, 300), bytes(10))
    assert cache.get(("d", 0, 300)) is not None  # used: now the most recent
    cache.put(("d", 3, 300), bytes(10))
    assert cache.get(("d", 1, 300)) is None and cache.get(("d", 0, 300)) is not None
    assert cache.size == 30
    cache.put(("d", 4, 300), bytes(31))  # larger than the whole cache: not kept
    assert cache.get(("d", 4, 300)) is None


def test_the_page_image_shows_the_page(archive: Archive) -> None:
    for number in (1, 2):
        pixels = np.asarray(Image.open(io.BytesIO(page_png(archive, DOC_ID, number, 600))))
        assert (pixels < 128).sum() > 100  # the page's words are drawn
        assert (pixels > 200).mean() > 0.9  # on a white page


def test_bad_requests_get_clear_errors(archive: Archive) -> None:
    with pytest.raises(NotFoundError, match="no document"):
        page_png(archive, "missing", 1, 300)
    with pytest.raises(NotFoundError, match="has no page 3"):
        page_png(archive, DOC_ID, 3, 300)
    with pytest.raises(ConfigError, match="between 64 and 4000"):
        page_png(archive, DOC_ID, 1, 10_000)


def test_render_processes_exit_when_their_server_dies(tmp_path: Path) -> None:
    script = (
        "import os, sys\n"
        "from unsealed.render import page_images\n"
        "pool = page_images._render_pool()\n"
        "pool.submit(os.getpid).result()\n"
        "print(' '.join(str(p) for p in pool._processes), flush=True)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    workers = [int(p) for p in done.stdout.split()]
    assert workers
    deadline = time.monotonic() + 15
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(p) for p in workers)


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
