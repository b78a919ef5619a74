"""The real release text of `../shared/corpus` rendered as the release ships it: PDFs with a text
layer, or scans (noise, skew, 150–300 dpi, redaction bars) that only OCR can read.

Tests and benchmarks use this instead of the fictional sample: the text, its layouts and its OCR
damage are the release's own; only the paper is ours. The printed Bates line that ends each page
is drawn as a stamp at the bottom right of that page, where the release prints it.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from unsealed.sample.layout import MARGIN, PAGE_H, PageSpec, build_pdf, wrap

# A House Oversight page ends with its stamp line: `HOUSE OVERSIGHT 012345` (also with underscores).
_HO_STAMP = re.compile(r"^\s*HOUSE[ _]OVERSIGHT[ _]\d{6}\s*$", re.M)
_EFTA_STAMP = re.compile(r"^\s*EFTA\d{8}\s*$")
_WIDTH = 95  # characters per drawn line at 10 pt
_USABLE_HEIGHT = PAGE_H - 2 * MARGIN - 30  # between the margins, above the stamp


@dataclass(frozen=True)
class RealDocument:
    """One document of the corpus: its id (`EFTA01197902`, `HOUSE_OVERSIGHT_020437`), its file
    relative to the corpus root, and each page's text with the page's printed stamp apart."""

    id: str
    file: str
    category: str
    looks_like_email: bool
    pages: tuple[str, ...]  # page text without its stamp line
    stamps: tuple[str | None, ...]  # the stamp as printed on each page, or None

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


def default_root() -> Path:
    """`../shared/corpus` beside the repository (where CI has it too); from a git worktree
    nested deeper, the nearest `shared/corpus` above it."""
    here = Path(__file__).resolve()
    for parent in here.parents[2:]:
        if (parent / "shared" / "corpus" / "manifest.json").exists():
            return parent / "shared" / "corpus"
    return here.parents[3] / "shared" / "corpus"


def _read_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_house_oversight(text: str) -> tuple[list[str], list[str | None]]:
    pages: list[str] = []
    stamps: list[str | None] = []
    start = 0
    for match in _HO_STAMP.finditer(text):
        pages.append(text[start : match.start()].replace("\f", "\n").strip("\n"))
        stamps.append(match.group().strip())
        start = match.end()
    rest = text[start:].replace("\f", "\n").strip()
    if rest or not pages:
        pages.append(rest)
        stamps.append(None)
    return pages, stamps


def _split_efta(text: str) -> tuple[list[str], list[str | None]]:
    pages: list[str] = []
    stamps: list[str | None] = []
    for page in text.split("\f"):
        lines = page.rstrip().split("\n")
        stamp = lines[-1].strip() if lines and _EFTA_STAMP.match(lines[-1]) else None
        if stamp:
            lines = lines[:-1]
        pages.append("\n".join(lines).strip("\n"))
        stamps.append(stamp)
    return pages, stamps


def load_corpus(root: Path | None = None, ids: Iterable[str] | None = None) -> list[RealDocument]:
    """The corpus's documents in manifest order (only `ids`, when given)."""
    root = root or default_root()
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    wanted = set(ids) if ids is not None else None
    documents = []
    for entry in manifest:
        if wanted is not None and entry["id"] not in wanted:
            continue
        text = _read_text(root / entry["file"])
        split = _split_efta if entry["file"].startswith("efta/") else _split_house_oversight
        pages, stamps = split(text)
        documents.append(
            RealDocument(
                id=entry["id"],
                file=entry["file"],
                category=entry.get("category", ""),
                looks_like_email=bool(entry.get("looks_like_printed_email")),
                pages=tuple(pages),
                stamps=tuple(stamps),
            )
        )
    return documents


def _drawable(text: str) -> str:
    """Text the PDF's standard fonts can draw (Windows-1252); anything else becomes `?`."""
    return text.encode("cp1252", errors="replace").decode("cp1252")


def _redact(lines: list[str], rng: random.Random, share: float) -> list[str]:
    """Black out about `share` of the lines' longer words, as burned-in redaction bars."""
    out = []
    for line in lines:
        words = line.split(" ")
        for i, word in enumerate(words):
            if len(word) > 3 and rng.random() < share:
                words[i] = "█" * len(word)
        out.append(" ".join(words))
    return out


def page_specs(
    document: RealDocument,
    *,
    scanned: bool = False,
    dpi: int = 200,
    redact_share: float = 0.0,
    seed: int = 0,
) -> list[PageSpec]:
    """One PageSpec per page; a long page gets a smaller font so that all of its text fits."""
    rng = random.Random(f"{seed}:{document.id}")
    specs = []
    for text, stamp in zip(document.pages, document.stamps, strict=True):
        lines = [line for raw in _drawable(text).split("\n") for line in (wrap(raw, _WIDTH) or [""])]
        if redact_share:
            lines = _redact(lines, rng, redact_share)
        size = max(3.0, min(10.0, _USABLE_HEIGHT / (1.3 * max(len(lines), 1))))
        specs.append(PageSpec(lines, stamp, size=size, scanned=scanned, dpi=dpi))
    return specs


def render(
    document: RealDocument,
    *,
    scanned: bool = False,
    dpi: int = 200,
    redact_share: float = 0.0,
    seed: int = 0,
) -> bytes:
    """The document as a PDF: a text layer, or (scanned) page images with no text at all."""
    specs = page_specs(document, scanned=scanned, dpi=dpi, redact_share=redact_share, seed=seed)
    return build_pdf(specs, seed=seed)


def write_corpus(
    documents: Sequence[RealDocument],
    folder: Path,
    *,
    scanned: bool = False,
    dpi: int = 200,
    redact_share: float = 0.0,
    seed: int = 0,
) -> list[Path]:
    """Each document as `<folder>/<id>.pdf` (named after its first page, as the release names files)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for document in documents:
        path = folder / f"{document.id}.pdf"
        path.write_bytes(render(document, scanned=scanned, dpi=dpi, redact_share=redact_share, seed=seed))
        paths.append(path)
    return paths
