"""Build small real files for tests: PDFs with text layers and Bates stamps, scans, broken files."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pikepdf
from PIL import Image

from unsealed.sample.layout import PageSpec, build_pdf


def write_pdf(
    path: Path,
    pages: Sequence[Sequence[str]],
    bates: Sequence[str | None] | None = None,
    scanned: bool = False,
) -> Path:
    """A PDF whose page i shows `pages[i]` and, when given, the stamp `bates[i]` at the bottom."""
    stamps = list(bates) if bates is not None else [None] * len(pages)
    specs = [
        PageSpec(list(lines), stamp, scanned=scanned) for lines, stamp in zip(pages, stamps, strict=True)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(build_pdf(specs))
    return path


def write_many_pages(path: Path, count: int) -> Path:
    """A PDF of `count` short pages, quickly (one line each)."""
    return write_pdf(path, [[f"page {i + 1} of a long production"] for i in range(count)])


def write_encrypted(path: Path) -> Path:
    plain = build_pdf([PageSpec(["secret memo"])])
    with pikepdf.open(io.BytesIO(plain)) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(owner="o", user="password"))
    return path


def png_bytes(size: tuple[int, int] = (200, 100)) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 255).save(buffer, format="PNG")
    return buffer.getvalue()
