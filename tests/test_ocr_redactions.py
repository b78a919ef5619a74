"""Redaction boxes on generated pages with known boxes."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from tests.helpers_ocr import scan
from unsealed.analysis.redactions import detect_redactions

BOXES = [(100.0, 150.0, 260.0, 166.0), (320.0, 300.0, 540.0, 420.0), (72.0, 600.0, 110.0, 612.0)]


def _close(found: list, expected: list, tolerance: float = 2.5) -> bool:
    return len(found) == len(expected) and all(
        all(abs(a - b) <= tolerance for a, b in zip(f, e, strict=True))
        for f, e in zip(found, expected, strict=True)
    )


@pytest.mark.parametrize("dpi", [72, 150, 300])
def test_known_boxes_are_found_in_page_points(dpi: int) -> None:
    lines = ["To: Counsel for the estate", "Re: flight schedule and guests", "", "", "", "Signed"]
    image = scan(lines, dpi=dpi, font_pt=14, boxes=BOXES)
    assert _close(detect_redactions(image, dpi), BOXES)


def test_text_rules_and_bullets_are_not_redactions() -> None:
    image = scan(["BOLD HEADLINE TEXT", "Ordinary body text, several words."], dpi=150, font_pt=24)
    draw = ImageDraw.Draw(image)
    draw.line((150, 600, 1100, 600), fill=0, width=3)  # a table rule, 1.4 pt thick
    draw.ellipse((150, 700, 160, 710), fill=0)  # a bullet
    draw.rectangle((150, 800, 900, 1000), outline=0, width=2)  # an empty frame
    assert detect_redactions(image, 150) == []


def test_a_box_touching_text_and_slightly_skewed_is_found() -> None:
    image = scan(["Name: "], dpi=150, font_pt=14, top_pt=100)
    skewed = Image.new("L", (360, 40), 0).rotate(0.8, expand=True, fillcolor=255)
    image.paste(skewed, (round(125 * 150 / 72), round(100 * 150 / 72)))
    found = detect_redactions(image, 150)
    assert len(found) == 1
    x0, y0, x1, y1 = found[0]
    assert abs(x0 - 125) < 3 and abs(x1 - (125 + skewed.width * 72 / 150)) < 3
    assert y1 - y0 > 15


def test_grey_shading_is_not_a_redaction() -> None:
    image = scan([], dpi=150, boxes=[])
    ImageDraw.Draw(image).rectangle((200, 200, 800, 400), fill=150)
    assert detect_redactions(image, 150) == []
