"""Draw document pages as PDFs: with a text layer, or as noisy scanned images without one.

Lines may contain runs of the block character (█): they are drawn as black redaction boxes and are
absent from the text layer, as in a release whose redactions are burned in.
"""

from __future__ import annotations

import io
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen import canvas

PAGE_W, PAGE_H = letter
MARGIN = 60
LEADING = 13
REDACTION = re.compile(r"█+")


def ascii85(data: bytes | str) -> str:
    """reportlab's ASCII85 stream encoding, the same characters, computed with numpy: without
    reportlab's C accelerator (not installed) its Python loop spent most of the time it takes to draw
    a scanned page, and much of each page of a long test PDF."""
    raw = data.encode("latin-1") if isinstance(data, str) else data
    whole, rest = divmod(len(raw), 4)
    padded = raw + b"\0" * ((4 - rest) % 4)
    words = np.frombuffer(padded, dtype=">u4").astype(np.int64)
    digits = np.empty((len(words), 5), dtype=np.uint8)
    left = words.copy()
    for column in range(4, -1, -1):
        digits[:, column] = left % 85 + 33
        left //= 85
    keep = np.ones(digits.shape, dtype=bool)
    zero = np.flatnonzero(words[:whole] == 0)  # a whole word of zeros is "z"
    digits[zero, 0] = ord("z")
    keep[zero, 1:] = False
    if rest:  # the last, partial word: its first rest + 1 characters
        keep[whole, rest + 1 :] = False
    return digits[keep].tobytes().decode("ascii") + "~>"


if getattr(pdfdoc.asciiBase85Encode, "__name__", "") == "_py_asciiBase85Encode":
    pdfdoc.asciiBase85Encode = ascii85  # the streams of the PDFs drawn here


@dataclass(frozen=True)
class PageSpec:
    lines: Sequence[str]
    bates: str | None = None
    font: str = "Helvetica"
    size: float = 10
    scanned: bool = False  # image only: no text layer
    dpi: int = 150  # a scanned page's resolution


def _draw_line(pdf: canvas.Canvas, x: float, y: float, line: str, font: str, size: float) -> None:
    """Draw a line, turning █ runs into filled boxes the width of the text they hide."""
    cursor = x
    for part in re.split(r"(█+)", line):
        if not part:
            continue
        width = pdf.stringWidth(part if not REDACTION.fullmatch(part) else "M" * len(part), font, size) * (
            0.6 if REDACTION.fullmatch(part) else 1
        )
        if REDACTION.fullmatch(part):
            pdf.rect(cursor, y - 2, width, size + 2, stroke=0, fill=1)
        else:
            pdf.drawString(cursor, y, part)
        cursor += width


def _draw_page(pdf: canvas.Canvas, page: PageSpec) -> None:
    pdf.setFont(page.font, page.size)
    y = PAGE_H - MARGIN
    for line in page.lines:
        if y < MARGIN + 20:
            break
        _draw_line(pdf, MARGIN, y, line, page.font, page.size)
        y -= LEADING if page.size == 10 else page.size * 1.3
    if page.bates:
        pdf.setFont("Helvetica", 9)
        pdf.drawRightString(PAGE_W - 36, 24, page.bates)


def _text_pdf(pages: Sequence[PageSpec]) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter, invariant=1)
    for page in pages:
        _draw_page(pdf, page)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def scan_image(page: PageSpec, rng: random.Random, dpi: int = 150) -> Image.Image:
    """The page as a scanner would see it: grey, slightly rotated, speckled."""
    document = pdfium.PdfDocument(_text_pdf([page]))
    try:
        image = document[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        document.close()
    image = image.rotate(rng.uniform(-0.6, 0.6), resample=Image.Resampling.BICUBIC, fillcolor=255)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 12, (image.height, image.width))
    pixels = np.clip(np.asarray(image, dtype=np.float32) * 0.92 + 12 + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels, mode="L").filter(ImageFilter.SMOOTH)


def build_pdf(pages: Sequence[PageSpec], seed: int = 0) -> bytes:
    """A PDF of the given pages; scanned pages are embedded images with no text at all."""
    rng = random.Random(seed)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter, invariant=1)
    for page in pages:
        if page.scanned:
            png = io.BytesIO()
            scan_image(page, rng, dpi=page.dpi).save(png, format="PNG", optimize=False)
            png.seek(0)
            pdf.drawImage(ImageReader(png), 0, 0, PAGE_W, PAGE_H)
        else:
            _draw_page(pdf, page)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def wrap(text: str, width: int = 92) -> list[str]:
    """Break paragraphs into lines of at most `width` characters (blank lines kept)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        words, current = paragraph.split(), ""
        if not words:
            lines.append("")
            continue
        for word in words:
            if current and len(current) + 1 + len(word) > width:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        lines.append(current)
    return lines


def paginate(lines: Sequence[str], per_page: int = 50) -> list[list[str]]:
    return [list(lines[i : i + per_page]) for i in range(0, max(len(lines), 1), per_page)]
