"""One page read through PDFium's C API (pypdfium2's raw bindings): size, text, bottom band, graphics.

Ingest reads every page of the release once, so this is its hottest loop. pypdfium2's helper classes
wrap each page and text page in an object with a weak-reference finalizer and a parent link; that
bookkeeping cost ~75 µs a page, about 15 % of extracting the text itself. Here the handles are opened
and closed explicitly instead. The text calls follow `PdfTextPage.get_text_range` and
`get_text_bounded` exactly, including the guard against characters PDFium leaves out of its text at
either end of the range (pypdfium2 issue 261, crbug.com/pdfium/2079).
"""

from __future__ import annotations

import ctypes
from codecs import decode
from collections.abc import Callable
from typing import Any, NamedTuple

import pypdfium2.raw as pdfium_c

from unsealed.errors import ExtractionError

# Page objects that can draw a filled dark box: images (scans), paths (drawn rectangles), shadings,
# and form XObjects (which may hold either).
_GRAPHIC_OBJECTS = frozenset(
    (
        pdfium_c.FPDF_PAGEOBJ_IMAGE,
        pdfium_c.FPDF_PAGEOBJ_PATH,
        pdfium_c.FPDF_PAGEOBJ_SHADING,
        pdfium_c.FPDF_PAGEOBJ_FORM,
    )
)


class RawPage(NamedTuple):  # built for every page: a tuple is the cheapest record
    width: float
    height: float
    text: str  # as PDFium gives it (CRLF line breaks, U+FFFE soft hyphens)
    bottom_text: str  # text inside the bottom band, when asked for
    has_graphics: bool
    has_images: bool


def has_images(raw_page: Any) -> bool:
    """Whether an image object lies on the page, directly or inside a form XObject."""
    get_object = pdfium_c.FPDFPage_GetObject
    return any(_holds_image(get_object(raw_page, i)) for i in range(pdfium_c.FPDFPage_CountObjects(raw_page)))


def _holds_image(obj: Any, depth: int = 0) -> bool:
    kind = pdfium_c.FPDFPageObj_GetType(obj)
    if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
        return True
    if kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < 8:
        count = pdfium_c.FPDFFormObj_CountObjects(obj)
        return any(_holds_image(pdfium_c.FPDFFormObj_GetObject(obj, i), depth + 1) for i in range(count))
    return False


def has_graphics(raw_page: Any) -> bool:
    """Whether the page draws anything but text (an image, a path, a shading or a form XObject)."""
    get_object, get_type = pdfium_c.FPDFPage_GetObject, pdfium_c.FPDFPageObj_GetType
    for i in range(pdfium_c.FPDFPage_CountObjects(raw_page)):
        if get_type(get_object(raw_page, i)) in _GRAPHIC_OBJECTS:
            return True
    return False


def text_of(textpage: Any) -> str:
    """All text of the page, in PDFium's reading order (as `PdfTextPage.get_text_range()`)."""
    count = pdfium_c.FPDFText_CountChars(textpage)
    if count <= 0:
        return ""
    to_text_index = pdfium_c.FPDFText_GetTextIndexFromCharIndex
    start, end = 0, count - 1
    # Characters PDFium excludes from its text (index -1) are trimmed off both ends, so it never
    # reads past the range.
    while (first := to_text_index(textpage, start)) == -1:
        start += 1
        if start > end:
            return ""
    while (last := to_text_index(textpage, end)) == -1:
        end -= 1
    units = last + 2 - first  # with the NUL
    buffer = (ctypes.c_ushort * units)()
    written = pdfium_c.FPDFText_GetText(textpage, start, end - start + 1, buffer)
    return decode(memoryview(buffer)[: max(0, written - 1)], "utf-16-le", "ignore")


def text_in_box(textpage: Any, left: float, bottom: float, right: float, top: float) -> str:
    """The text inside a rectangle in page coordinates (as `PdfTextPage.get_text_bounded()`)."""
    units = pdfium_c.FPDFText_GetBoundedText(textpage, left, top, right, bottom, None, 0)
    if units <= 0:
        return ""
    buffer = (ctypes.c_ushort * units)()
    pdfium_c.FPDFText_GetBoundedText(textpage, left, top, right, bottom, buffer, units)
    return decode(buffer, "utf-16-le", "ignore")


def read_raw_page(
    raw_document: Any, index: int, bottom_band: float, wants_bottom: Callable[[str], bool]
) -> RawPage:
    """Page `index` of an open FPDF_DOCUMENT. The text in the bottom `bottom_band` share of the page
    is read only when `wants_bottom(text)` says so (the caller knows whether it still needs it)."""
    page = pdfium_c.FPDF_LoadPage(raw_document, index)
    if not page:
        raise ExtractionError(f"PDFium could not load page {index + 1}")
    try:
        width, height = pdfium_c.FPDF_GetPageWidthF(page), pdfium_c.FPDF_GetPageHeightF(page)
        graphics = has_graphics(page)
        images = graphics and has_images(page)
        textpage = pdfium_c.FPDFText_LoadPage(page)
        if not textpage:
            raise ExtractionError(f"PDFium could not read the text of page {index + 1}")
        try:
            text = text_of(textpage)
            bottom = ""
            if text and wants_bottom(text):
                bottom = text_in_box(textpage, 0, 0, width, height * bottom_band)
        finally:
            pdfium_c.FPDFText_ClosePage(textpage)
    finally:
        pdfium_c.FPDF_ClosePage(page)
    return RawPage(float(width), float(height), text, bottom, graphics, images)
