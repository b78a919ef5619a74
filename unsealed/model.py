"""Plain dataclasses passed between layers (worker processes, store, faces)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SourceFile:
    """A file found by walking the input paths."""

    path: Path
    dataset: str
    storage_key: str  # "<dataset>/<path relative to the folder given>"
    refused: str | None = None  # why the file is not read (a symlink): recorded as its failure

    @property
    def filename(self) -> str:
        return self.storage_key.rsplit("/", 1)[-1]


@dataclass
class ExtractedPage:
    number: int  # 1-based
    text: str
    text_source: str  # layer | ocr:<engine> | none
    width: float | None = None
    height: float | None = None
    bottom_text: str = ""  # text near the page bottom, where Bates stamps live
    bates: str | None = None
    bates_source: str | None = None  # stamped | inferred
    ocr_confidence: float | None = None
    quality: float | None = None
    # Redaction boxes in page points; None until redaction detection has looked at the page.
    redactions: list[tuple[float, float, float, float]] | None = None
    error: str | None = None
    ocr_seconds: float | None = None  # time the OCR engine spent on the page (not stored; progress)


@dataclass
class FileResult:
    """What a worker learned about one file; the writer turns it into rows."""

    source: SourceFile
    md5: str
    sha256: str
    size_bytes: int
    mime_type: str
    pages: list[ExtractedPage] = field(default_factory=list)
    error: str | None = None
    language: str | None = None
    doc_type: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. "repaired by qpdf"
    unchanged: bool = False  # same content as already recorded at this storage key: nothing to write

    @property
    def ok(self) -> bool:
        return self.error is None
