"""Plain dataclasses passed between layers (worker processes, store, faces)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SourceFile:
    """A file found by walking the input paths."""

    path: Path  # the file on disk (for a zip member: the zip)
    dataset: str
    storage_key: str  # "<dataset>/<path relative to the folder given>" (zip: "<dataset>/<member path>")
    member: tuple[str, ...] = ()  # zip member names, outermost first (two for a member of a nested zip)
    refused: str | None = None  # why it is not read (unsafe zip member, bomb limits): recorded as failed
    # Further page files of the same document (single-page images grouped by an OPT load file).
    parts: tuple[SourceFile, ...] = ()

    @property
    def filename(self) -> str:
        return self.storage_key.rsplit("/", 1)[-1]

    @property
    def location(self) -> str:
        """Where it was read from: the path, and for a zip member `zip!member[!member]`."""
        return "!".join([str(self.path.absolute()), *self.member])


@dataclass
class ExtractedPage:
    number: int  # 1-based
    text: str
    text_source: str  # layer | ocr:<engine> | none
    width: float | None = None
    height: float | None = None
    bottom_text: str = ""  # text near the page bottom, where Bates stamps live
    bates: str | None = None
    bates_source: str | None = None  # stamped | inferred | loadfile
    bates_printed: str | None = None  # the printed stamp, where it disagrees with the load file's Bates
    control_numbers: tuple[str, ...] = ()  # secondary numbers printed on the page (EFTA_R1_…)
    ocr_confidence: float | None = None
    quality: float | None = None
    # Redaction boxes in page points; None until redaction detection has looked at the page.
    redactions: list[tuple[float, float, float, float]] | None = None
    error: str | None = None
    layer_text: str | None = None  # the text layer, when OCR text replaced it (kept, never thrown away)
    word_boxes: bytes | None = None  # OCR pages: each word's span and box (analysis/word_boxes.py)
    ocr_seconds: float | None = None  # time the OCR engine spent on the page (not stored; progress)
    signature: bytes | None = None  # near-duplicate MinHash of the page's text (analysis/neardup.py)
    bands: bytes = b""  # its LSH band keys (int64, little-endian; analysis/neardup.py)


@dataclass
class DocumentAnalysis:
    """Entity mentions a worker found in a file's pages, so the parent only writes them."""

    # (page number, start, end, text, type, extractor) of each mention
    mentions: list[tuple[int, int, int, str, str, str]] = field(default_factory=list)
    copy_of: str | None = None  # a document with the same pages whose stored mentions are these
    paragraphs: int = 0  # paragraphs of the pages
    reused_paragraphs: int = 0  # of those, paragraphs tagged before (content-hash cache)


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
    fields: dict[str, str] = field(default_factory=dict)  # load-file (DAT) fields of the document
    analysis: DocumentAnalysis | None = None  # entity mentions, when the worker was asked for them
    signature: bytes | None = None  # near-duplicate MinHash of the whole text
    bands: bytes = b""  # its LSH band keys (int64, little-endian)
    signed: bool = False  # signatures were computed (pages without one are too short to compare)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class FileDone:
    """What a progress display and a run's report need of a file once it is recorded (a queue worker
    elsewhere sends this much back, not the pages)."""

    storage_key: str
    pages: int
    ocr_pages: int
    error: str | None = None
    analysed: bool = False  # its entity mentions were found by the worker and written with it
    copied_pages: int = 0  # pages whose mentions were copied from an exact copy already analysed
    paragraphs: int = 0  # paragraphs the worker tagged or took from its cache
    reused_paragraphs: int = 0  # of those, paragraphs taken from the cache

    @classmethod
    def of(cls, result: FileResult) -> FileDone:
        ocr = sum(1 for page in result.pages if page.ocr_seconds is not None)
        analysis = result.analysis
        if analysis is None:
            return cls(result.source.storage_key, len(result.pages), ocr, result.error)
        return cls(
            result.source.storage_key,
            len(result.pages),
            ocr,
            result.error,
            analysed=True,
            copied_pages=len(result.pages) if analysis.copy_of is not None else 0,
            paragraphs=analysis.paragraphs,
            reused_paragraphs=analysis.reused_paragraphs,
        )
