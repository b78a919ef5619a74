"""A generated scanned document with known text: letter pages at 300 dpi, optional noise and skew.

Deterministic (seeded), offline (Debian's DejaVu fonts). Used by bench/ocr.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
DPI = 300
PAGE_PT = (612, 792)
FONT_PT = 11
LEADING_PT = 15
MARGIN_PT = 72

WORDS = """the of and to in that is for was on with as by at from his her their they we you
this which have had not are were been has would could should will there about after before
meeting flight schedule office attorney counsel statement records account payment travel island
house board foundation investment agreement memorandum report evidence witness interview police
department federal bureau investigation court judge motion filed under seal document release
message email phone call dinner guest list arrival departure airport aircraft pilot passenger
manager assistant secretary director president minister embassy company trust bank transfer
january february march april may june july august september october november december
monday tuesday wednesday thursday friday morning evening weekend confirmed received requested
please advise regarding attached following discussed earlier tomorrow yesterday available""".split()
NAMES = """Maxwell Palm Beach New York London Paris Teterboro Santa Fe Virgin Islands Harvard
Washington Florida Manhattan Azerbaijan Israel Hoenlein Sharon Peres Lieberman""".split()


@dataclass
class ScannedDocument:
    pdf: Path
    texts: list[str]  # the known text of each page, line by line
    images: list[Path]  # each page image as PNG (what was put into the PDF, before JPEG)


def _page_lines(rng: random.Random, font: ImageFont.FreeTypeFont, width_px: float, count: int) -> list[str]:
    lines: list[str] = []
    while len(lines) < count:
        words: list[str] = []
        while True:
            pick = rng.choice(NAMES) if rng.random() < 0.08 else rng.choice(WORDS)
            if rng.random() < 0.05:
                pick = f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/20{rng.randint(10, 19)}"
            candidate = " ".join([*words, pick])
            if font.getlength(candidate) > width_px:
                break
            words.append(pick)
        line = " ".join(words)
        lines.append(line[0].upper() + line[1:] + ("." if rng.random() < 0.3 else ""))
    return lines


def _degrade(image: Image.Image, rng: random.Random) -> Image.Image:
    """A photocopy look: slight blur, grain, speckles, and a skew of 0.3-1 degree."""
    image = image.filter(ImageFilter.GaussianBlur(0.7))
    pixels = np.asarray(image, dtype=np.float32)
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 14, pixels.shape)
    pixels = np.clip(pixels + noise, 0, 255)
    speckles = np.random.default_rng(rng.randint(0, 2**31)).random(pixels.shape) < 0.0015
    pixels[speckles] = 0
    angle = rng.uniform(0.3, 1.0) * rng.choice((-1, 1))
    noisy = Image.fromarray(pixels.astype(np.uint8), "L")
    return noisy.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)


def make_scanned_document(
    folder: Path, pages: int = 20, *, noisy: bool = True, seed: int = 7, name: str | None = None
) -> ScannedDocument:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    scale = DPI / 72
    font = ImageFont.truetype(FONT, round(FONT_PT * scale))
    size = (round(PAGE_PT[0] * scale), round(PAGE_PT[1] * scale))
    lines_per_page = (PAGE_PT[1] - 2 * MARGIN_PT) // LEADING_PT - 2
    texts: list[str] = []
    images: list[Path] = []
    stem = name or ("noisy" if noisy else "clean")
    for number in range(pages):
        lines = _page_lines(rng, font, (PAGE_PT[0] - 2 * MARGIN_PT) * scale, lines_per_page)
        lines += ["", f"EFTA{10_000 + number:08d}"]
        image = Image.new("L", size, 255)
        draw = ImageDraw.Draw(image)
        for i, line in enumerate(lines):
            draw.text((MARGIN_PT * scale, (MARGIN_PT + i * LEADING_PT) * scale), line, font=font, fill=0)
        if noisy:
            image = _degrade(image, rng)
        path = folder / f"{stem}-{number + 1:03d}.png"
        image.save(path)
        images.append(path)
        texts.append("\n".join(lines))
    pdf = folder / f"{stem}.pdf"
    first, *rest = (Image.open(p) for p in images)
    first.save(pdf, "PDF", save_all=True, append_images=rest, resolution=DPI)
    return ScannedDocument(pdf=pdf, texts=texts, images=images)


def repeat_pages(document: ScannedDocument, pages: int, target: Path) -> Path:
    """A long scanned PDF made of the document's page images over and over (for the memory run).

    Pages are appended one at a time, so building it holds one page image in memory.
    """

    def frames():
        for i in range(1, pages):
            with Image.open(document.images[i % len(document.images)]) as image:
                image.load()
                yield image

    with Image.open(document.images[0]) as first:
        first.save(target, "PDF", save_all=True, append_images=frames(), resolution=DPI)
    return target
