"""Builders of tiny scanned pages for the OCR tests: real images and PDFs, known text and boxes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
PAGE_PT = (612.0, 792.0)  # US letter

Box = tuple[float, float, float, float]  # points, top-left origin


def scan(
    lines: Sequence[str],
    *,
    dpi: float = 150,
    font_pt: float = 28,
    boxes: Sequence[Box] = (),
    page_pt: tuple[float, float] = PAGE_PT,
    top_pt: float = 72,
) -> Image.Image:
    """A grayscale page image: `lines` in a large font from the top margin, black `boxes`."""
    scale = dpi / 72
    image = Image.new("L", (round(page_pt[0] * scale), round(page_pt[1] * scale)), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, round(font_pt * scale))
    for i, line in enumerate(lines):
        draw.text((72 * scale, (top_pt + i * font_pt * 1.6) * scale), line, font=font, fill=0)
    for x0, y0, x1, y1 in boxes:
        draw.rectangle((x0 * scale, y0 * scale, x1 * scale - 1, y1 * scale - 1), fill=0)
    return image


def image_pdf(path: Path, images: Sequence[Image.Image], dpi: float = 150) -> Path:
    """A PDF of scanned images only: no text layer (like ~11 % of the release)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    images[0].save(path, "PDF", save_all=True, append_images=list(images[1:]), resolution=dpi)
    return path


def layered_pdf(
    path: Path, pages: Sequence[tuple[Image.Image | None, str]], *, visible: bool = False
) -> Path:
    """A PDF whose pages carry an image (optional) and a text layer, invisible by default
    (render mode 3, as the release's 96-dpi OCR layers are)."""
    pdf = canvas.Canvas(str(path), pagesize=PAGE_PT)
    for image, text in pages:
        if image is not None:
            pdf.drawImage(ImageReader(image.convert("RGB")), 0, 0, width=PAGE_PT[0], height=PAGE_PT[1])
        layer = pdf.beginText(72, PAGE_PT[1] - 100)
        layer.setFont("Helvetica", 11)
        layer.setTextRenderMode(0 if visible else 3)
        for line in text.splitlines():
            layer.textLine(line)
        pdf.drawText(layer)
        pdf.showPage()
    pdf.save()
    return path
