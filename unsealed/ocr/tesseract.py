"""Tesseract 5 through its command line, one process per page.

- `OMP_THREAD_LIMIT=1`: Tesseract's OpenMP threads spin-wait and ran 5x slower on 2 busy cores;
  parallelism comes from our worker processes instead (one per core).
- The page goes in on stdin as uncompressed PGM (no PNG encode/decode, no temp file) with its dpi.
- TSV output gives the words with their confidences in one run; the text is rebuilt from it
  (words of a line joined by spaces, lines by newlines, blocks and paragraphs by a blank line).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from functools import cache

from PIL import Image

from unsealed.errors import MissingDependencyError
from unsealed.ingest.formats.pdf import BOTTOM_BAND
from unsealed.ocr.base import OcrError, OcrResult, OcrTimeoutError

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-eng"


@cache
def _installed_languages(binary: str) -> frozenset[str]:
    try:
        out = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(line.strip() for line in out.splitlines()[1:] if line.strip())


def parse_tsv(tsv: str, image_height: int | None = None) -> OcrResult:
    """Text, mean word confidence and bottom-band words from Tesseract's TSV output."""
    bottom_from = (1.0 - BOTTOM_BAND) * image_height if image_height else None
    bottom: list[str] = []
    lines: list[str] = []
    confidences: list[float] = []
    current_line: tuple[str, str, str] | None = None
    current_block: tuple[str, str] | None = None
    words: list[str] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        text = (row.get("text") or "").strip()
        if not text:
            continue
        block = (row["block_num"], row["par_num"])
        line = (row["block_num"], row["par_num"], row["line_num"])
        if line != current_line:
            if words:
                lines.append(" ".join(words))
            words = []
            if current_block is not None and block != current_block:
                lines.append("")
            current_line, current_block = line, block
        words.append(text)
        if bottom_from is not None and int(row.get("top") or 0) >= bottom_from:
            bottom.append(text)
        conf = float(row.get("conf") or -1)
        if conf >= 0:
            confidences.append(conf)
    if words:
        lines.append(" ".join(words))
    confidence = sum(confidences) / len(confidences) / 100.0 if confidences else None
    return OcrResult(
        text="\n".join(lines),
        confidence=confidence,
        word_count=len(confidences),
        bottom_text=" ".join(bottom),
    )


class TesseractEngine:
    name = "tesseract"

    def __init__(self, languages: str = "eng", binary: str = "tesseract", psm: int = 3):
        self.languages = languages  # Tesseract's `-l`, e.g. "eng" or "eng+fra"
        self.binary = binary
        self.psm = psm  # page segmentation mode 3: automatic, no orientation detection

    def _missing(self) -> list[str]:
        path = shutil.which(self.binary)
        if path is None:
            return [self.binary]
        installed = _installed_languages(path)
        return [f"language '{lang}'" for lang in self.languages.split("+") if lang not in installed]

    def available(self) -> bool:
        return not self._missing()

    def check(self) -> None:
        missing = self._missing()
        if missing:
            raise MissingDependencyError(
                f"OCR engine 'tesseract' is not usable: missing {', '.join(missing)}. "
                f"Install it with: {INSTALL_HINT} (or run scripts/setup.sh), "
                "or pass --ocr never to keep only the files' own text."
            )

    def recognize(self, image: Image.Image, *, dpi: float, timeout_s: float | None) -> OcrResult:
        if image.mode not in ("L", "1"):
            image = image.convert("L")
        buffer = io.BytesIO()
        image.save(buffer, format="PPM")  # PGM for a grayscale image
        command = [self.binary, "stdin", "stdout", "-l", self.languages, "--psm", str(self.psm)]
        command += ["--dpi", str(round(dpi)), "tsv"]
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        try:
            done = subprocess.run(
                command, input=buffer.getvalue(), capture_output=True, timeout=timeout_s, env=env, check=False
            )
        except subprocess.TimeoutExpired as exc:  # subprocess.run kills the child before raising
            raise OcrTimeoutError(f"OCR time limit ({timeout_s:g} s per page) exceeded") from exc
        except OSError as exc:
            raise OcrError(f"could not run {self.binary}: {exc}") from exc
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise OcrError(f"tesseract failed (exit {done.returncode}): {detail[-1] if detail else ''}")
        return parse_tsv(done.stdout.decode("utf-8", "replace"), image.height)
