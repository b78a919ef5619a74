"""Redaction boxes: filled, dark, rectangular regions burned into a page image.

The image is reduced to about DETECT_DPI first (boxes are large; text strokes vanish), pixels
darker than DARK_LEVEL form a mask, a morphological opening removes strokes thinner than
OPENING_PT, and each remaining connected region is a box when it is large enough and fills its
bounding rectangle (a slightly skewed box still fills most of it). Boxes are returned in page points,
origin at the top-left corner, y growing downwards (as on the page image).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in points, top-left origin

DETECT_DPI = 72.0


@dataclass(frozen=True)
class RedactionSettings:
    dark_level: int = 70  # 0-255: darker pixels may belong to a box
    min_width_pt: float = 10.0
    min_height_pt: float = 5.0
    min_fill: float = 0.85  # share of the bounding rectangle that is dark
    opening_pt: float = 3.0  # strokes thinner than this are text, not boxes
    max_mean_level: float = 60.0  # a box is uniformly dark, not a dark photo with light detail


def _reduce(image: Image.Image, dpi: float) -> tuple[Image.Image, float]:
    """The image at roughly DETECT_DPI (an integer reduction: fast), and its resulting dpi."""
    gray = image if image.mode == "L" else image.convert("L")
    factor = max(1, int(dpi // DETECT_DPI))
    if factor > 1:
        gray = gray.reduce(factor)
    return gray, dpi / factor


def detect_redactions(image: Image.Image, dpi: float, settings: RedactionSettings | None = None) -> list[Box]:
    """Boxes of the black redactions on `image`, a page rendered at `dpi`, in page points."""
    settings = settings or RedactionSettings()
    gray, work_dpi = _reduce(image, dpi)
    pixels = np.asarray(gray)
    to_px = work_dpi / 72.0
    dark = pixels < settings.dark_level
    if not dark.any():
        return []
    size = max(1, round(settings.opening_pt * to_px))
    if size > 1:
        dark = ndimage.binary_opening(dark, structure=np.ones((size, size), dtype=bool))
    labels, count = ndimage.label(dark)
    boxes: list[Box] = []
    for index, region in enumerate(ndimage.find_objects(labels), start=1):
        if region is None:
            continue
        rows, cols = region
        height, width = rows.stop - rows.start, cols.stop - cols.start
        if width < settings.min_width_pt * to_px or height < settings.min_height_pt * to_px:
            continue
        filled = labels[region] == index
        if filled.mean() < settings.min_fill:
            continue
        if pixels[region][filled].mean() > settings.max_mean_level:
            continue
        scale = 72.0 / work_dpi
        boxes.append(
            (
                round(cols.start * scale, 1),
                round(rows.start * scale, 1),
                round(cols.stop * scale, 1),
                round(rows.stop * scale, 1),
            )
        )
    boxes.sort(key=lambda b: (b[1], b[0]))
    return boxes
