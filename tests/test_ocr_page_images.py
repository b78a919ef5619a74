"""Page images rendered on demand from the stored original and cached in the blob store."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import insert

from tests.helpers_ocr import image_pdf, scan
from unsealed.errors import ConfigError, NotFoundError
from unsealed.render.page_images import page_image_key, page_png
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


def test_a_page_renders_at_the_asked_width_and_is_cached(archive: Archive) -> None:
    png = page_png(archive, DOC_ID, 2, 300)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.width == 300 and abs(image.height - 300 * 792 / 612) <= 1
    key = page_image_key(DOC_ID, 2, 300)
    assert key == f"_derived/page-images/{DOC_ID}/2-w300.png"
    assert archive.blobs.read_bytes(key) == png
    assert page_png(archive, DOC_ID, 2, 300) == png
    assert not archive.blobs.exists(page_image_key(DOC_ID, 1, 300))


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
