"""Redaction boxes: filled, dark, rectangular regions burned into a page image.

The image is reduced to about DETECT_DPI first, pixels darker than `dark_level` form a mask, and
each dark region at least as large as a box is examined: a morphological opening removes strokes
thinner than `opening_pt` (text touching a box), and what remains is a box when it is large enough,
uniformly dark, and fills its bounding rectangle (a slightly skewed box still fills most of it).
A page without a solid dark rectangle of the minimum size anywhere is rejected by two running sums
before any labelling, so text pages cost little. Boxes are returned in page points, origin at the
top-left corner, y growing downwards (as on the page image).
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


def _full_windows(mask: np.ndarray, length: int) -> np.ndarray:
    """Where a run of `length` dark pixels starts along each row (a running sum equal to the length)."""
    if mask.shape[1] < length:
        return np.zeros((mask.shape[0], 0), dtype=bool)
    sums = np.zeros((mask.shape[0], mask.shape[1] + 1), dtype=np.int32)
    np.cumsum(mask, axis=1, dtype=np.int32, out=sums[:, 1:])
    return (sums[:, length:] - sums[:, :-length]) == length


def _has_solid_rectangle(dark: np.ndarray, width: int, height: int) -> bool:
    """Whether some width x height block is entirely dark (a cheap necessary test for a box)."""
    rows = _full_windows(dark, max(1, width))
    return bool(rows.size and _full_windows(rows.T, max(1, height)).any())


def detect_redactions(image: Image.Image, dpi: float, settings: RedactionSettings | None = None) -> list[Box]:
    """Boxes of the black redactions on `image`, a page rendered at `dpi`, in page points."""
    settings = settings or RedactionSettings()
    gray, work_dpi = _reduce(image, dpi)
    pixels = np.asarray(gray)
    to_px = work_dpi / 72.0
    min_w, min_h = settings.min_width_pt * to_px, settings.min_height_pt * to_px
    # Cheap rejection on a half-size copy: averaging 2x2 pixels keeps a box black but greys strokes.
    half = np.asarray(gray.reduce(2)) < settings.dark_level
    if not _has_solid_rectangle(half, int(min_w - 1) // 2, int(min_h - 1) // 2):
        return []
    dark = pixels < settings.dark_level
    # Only regions at least as large as a box are examined closely (text glyphs are cheap to skip).
    labels, _ = ndimage.label(dark)
    found: list[tuple[int, int, int, int]] = []
    for region in ndimage.find_objects(labels):
        if (
            region is None
            or region[1].stop - region[1].start < min_w
            or region[0].stop - region[0].start < min_h
        ):
            continue
        found.extend(_boxes_in(dark[region], pixels[region], region, settings, min_w, min_h, to_px))
    scale = 72.0 / work_dpi
    boxes = {
        (round(x0 * scale, 1), round(y0 * scale, 1), round(x1 * scale, 1), round(y1 * scale, 1))
        for x0, y0, x1, y1 in found
    }
    return sorted(boxes, key=lambda b: (b[1], b[0]))


def _boxes_in(
    dark: np.ndarray,
    pixels: np.ndarray,
    region: tuple[slice, slice],
    settings: RedactionSettings,
    min_w: float,
    min_h: float,
    to_px: float,
) -> list[tuple[int, int, int, int]]:
    """Filled rectangles inside one dark region, once strokes thinner than a box are opened away."""
    size = max(1, round(settings.opening_pt * to_px))
    if size > 1:
        dark = ndimage.binary_opening(dark, structure=np.ones((size, size), dtype=bool))
    labels, _ = ndimage.label(dark)
    top, left = region[0].start, region[1].start
    boxes = []
    for index, sub in enumerate(ndimage.find_objects(labels), start=1):
        if sub is None:
            continue
        rows, cols = sub
        if cols.stop - cols.start < min_w or rows.stop - rows.start < min_h:
            continue
        filled = labels[sub] == index
        if filled.mean() < settings.min_fill or pixels[sub][filled].mean() > settings.max_mean_level:
            continue
        boxes.append((left + cols.start, top + rows.start, left + cols.stop, top + rows.stop))
    return boxes
