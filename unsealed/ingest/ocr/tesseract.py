"""Tesseract 5 in-process, through its C++ API (the `tesserocr` binding), one engine per worker.

Why the API rather than the `tesseract` command: a command run per page loads the language model
again for every page and takes the image through an encoder; the API keeps one initialised
engine per worker process and is handed the rendered pixels as they are. scripts/setup.sh builds
tesserocr against Debian's libtesseract, so the library, its models and the command agree.

- `OMP_THREAD_LIMIT=1` before the library loads: Tesseract's OpenMP threads spin-wait and ran 5x
  slower on 2 busy cores; parallelism comes from our worker processes instead (one per core).
- The per-page time limit is Tesseract's own deadline (`Recognize(timeout)`), so a slow page
  stops inside the engine; the ingest pool's per-file limit still kills a worker that hangs.
- Text comes from Tesseract's own layout (lines, a blank line between paragraphs); one pass over
  the words gives their confidences and those in the bottom band, where Bates stamps are printed.
"""

from __future__ import annotations

import os
import threading
import time
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from PIL import Image

from unsealed import config
from unsealed.analysis.bates import BOTTOM_BAND
from unsealed.errors import MissingDependencyError
from unsealed.ingest.ocr.base import OcrError, OcrResult, OcrTimeoutError

INSTALL_HINT = (
    "apt-get install tesseract-ocr tesseract-ocr-eng libtesseract-dev libleptonica-dev && "
    "pip install --no-binary tesserocr tesserocr"
)
# Where Debian and other systems keep language models, tried when TESSDATA_PREFIX is not set.
TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
)
PSM_AUTO = 3  # page segmentation: automatic, no orientation detection


def _load_binding() -> ModuleType | None:
    """The tesserocr module, loaded with OpenMP held to one thread; None when it is not installed."""
    os.environ["OMP_THREAD_LIMIT"] = "1"  # read once, when libgomp loads with libtesseract
    try:
        import tesserocr
    except ImportError:
        return None
    return tesserocr


def _languages_in(folder: Path) -> frozenset[str]:
    return frozenset(p.stem for p in folder.glob("*.traineddata"))


@cache
def find_tessdata(prefix: str | None) -> Path | None:
    """The language-model folder: TESSDATA_PREFIX when given, else the first known one with models."""
    if prefix:
        return Path(prefix)
    for folder in map(Path, TESSDATA_DIRS):
        if _languages_in(folder):
            return folder
    return None


def _image_bytes(image: Image.Image) -> tuple[bytes, int, int]:
    """8-bit grey pixels, width and height: what Tesseract binarises itself."""
    if image.mode != "L":
        image = image.convert("L")
    return image.tobytes(), image.width, image.height


class TesseractEngine:
    name = "tesseract"

    def __init__(self, languages: str = "eng", psm: int = PSM_AUTO, tessdata: str | None = None):
        self.languages = languages  # Tesseract's `-l`, e.g. "eng" or "eng+fra"
        self.psm = psm
        self._tessdata_prefix = tessdata
        self._api: Any = None
        self._lock = threading.Lock()  # one TessBaseAPI is not safe across threads

    @property
    def tessdata(self) -> Path | None:
        return find_tessdata(self._tessdata_prefix or config.tessdata_prefix())

    def _missing(self) -> list[str]:
        if _load_binding() is None:
            return ["the Python binding tesserocr"]
        folder = self.tessdata
        installed = _languages_in(folder) if folder else frozenset()
        return [f"language '{lang}'" for lang in self.languages.split("+") if lang not in installed]

    def available(self) -> bool:
        return not self._missing()

    def check(self) -> None:
        missing = self._missing()
        if missing:
            where = f" (models looked for in {self.tessdata or ', '.join(TESSDATA_DIRS)})"
            raise MissingDependencyError(
                f"OCR engine 'tesseract' is not usable: missing {', '.join(missing)}{where}. "
                f"Install it with: {INSTALL_HINT} (or run scripts/setup.sh), "
                "or pass --ocr never to keep only the files' own text."
            )

    def _engine(self) -> Any:
        """This process's initialised TessBaseAPI (the model loads once, on the first page)."""
        if self._api is None:
            self.check()
            tesserocr = _load_binding()
            assert tesserocr is not None  # check() passed
            self._api = tesserocr.PyTessBaseAPI(path=f"{self.tessdata}/", lang=self.languages, psm=self.psm)
        return self._api

    def recognize(self, image: Image.Image, *, dpi: float, timeout_s: float | None) -> OcrResult:
        pixels, width, height = _image_bytes(image)
        with self._lock:
            api = self._engine()
            try:
                api.SetImageBytes(pixels, width, height, 1, width)
                api.SetSourceResolution(round(dpi))
                started = time.monotonic()
                finished = api.Recognize(timeout=int(timeout_s * 1000) if timeout_s else 0)
                if not finished:
                    if timeout_s and time.monotonic() - started >= timeout_s * 0.9:
                        raise OcrTimeoutError(f"OCR time limit ({timeout_s:g} s per page) exceeded")
                    raise OcrError("tesseract could not read the page")
                return _read_result(api, height)
            except RuntimeError as exc:  # tesserocr's way of saying the library returned nothing
                raise OcrError(f"tesseract failed on the page: {exc}") from exc
            finally:
                api.Clear()  # drop the page image and results, keep the model


def _read_result(api: Any, image_height: int) -> OcrResult:
    """Text, mean word confidence, bottom-band words and each word's place in the text and image."""
    from tesserocr import RIL, iterate_level

    bottom_from = (1.0 - BOTTOM_BAND) * image_height
    confidences: list[float] = []
    bottom: list[str] = []
    found: list[tuple[str, tuple[int, int, int, int] | None]] = []
    iterator = api.GetIterator()
    if iterator is not None:
        for word in iterate_level(iterator, RIL.WORD):
            try:
                text = (word.GetUTF8Text(RIL.WORD) or "").strip()
            except RuntimeError:  # an empty page yields one word without text
                continue
            if not text:
                continue
            confidences.append(word.Confidence(RIL.WORD))
            box = word.BoundingBox(RIL.WORD)
            found.append((text, box))
            if box is not None and box[1] >= bottom_from:
                bottom.append(text)
    text = "\n".join(line.rstrip() for line in api.GetUTF8Text().strip().splitlines())
    return OcrResult(
        text=text,
        confidence=sum(confidences) / len(confidences) / 100.0 if confidences else None,
        word_count=len(confidences),
        bottom_text=" ".join(bottom),
        words=_place_words(text, found),
    )


def _place_words(
    text: str, found: list[tuple[str, tuple[int, int, int, int] | None]]
) -> tuple[tuple[int, int, tuple[int, int, int, int]], ...]:
    """Each word's span in the page text: the text lists the words in the iterator's order, so one
    forward search per word finds it (a word the text lacks is skipped, the search not moved)."""
    placed = []
    position = 0
    for word, box in found:
        start = text.find(word, position)
        if start < 0 or box is None:
            continue
        position = start + len(word)
        placed.append((start, position, (int(box[0]), int(box[1]), int(box[2]), int(box[3]))))
    return tuple(placed)
