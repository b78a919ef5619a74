"""The per-file job that runs in a worker process: hash, store the original, read its pages.

It never raises for a bad file: every problem becomes FileResult.error, recorded as data.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from unsealed.analysis.bates import assign_bates
from unsealed.analysis.language import document_language
from unsealed.analysis.neardup import Banding, signed_documents
from unsealed.config import DedupOptions, Limits
from unsealed.domain import original_key
from unsealed.errors import ExtractionError
from unsealed.ingest.formats import handler_for
from unsealed.ingest.formats.pdf import REPAIRED_NOTE
from unsealed.ingest.hashing import Original, combined_sha256, original_of, read_original
from unsealed.ingest.loadplan import DocumentLoad, apply_load
from unsealed.ingest.pages import OCR_LIMIT_REACHED, OcrBudget, PageOptions, read_page
from unsealed.ingest.sniff import describe_unsupported, sniff_bytes
from unsealed.ingest.zips import read_member
from unsealed.model import ExtractedPage, FileResult, SourceFile
from unsealed.store.blobs import BlobStore


@dataclass(frozen=True)
class WorkerOptions:
    blob_root: str
    limits: Limits
    pages: PageOptions = field(default_factory=PageOptions)
    dedup: DedupOptions | None = None  # compute near-duplicate signatures here, in parallel
    store_originals: bool = True  # False when the original is in the blob store already (queue workers)
    # The archive's database, when workers also find entity mentions (worker_analysis.py); None: not.
    analyse_with: str | None = None
    fault: str = ""  # UNSEALED_FAULT, tests only (see inject_fault)


@dataclass(frozen=True)
class FileTask:
    source: SourceFile
    known_sha256: str | None = None  # the content last recorded at this storage key, if any
    load: DocumentLoad | None = None  # Bates and fields a load file gives this document


def read_pages(
    path: Path,
    mime_type: str,
    limits: Limits,
    notes: list[str],
    options: PageOptions | None = None,
    content: bytes | None = None,
) -> list[ExtractedPage]:
    """The file's pages; `content`, when given, is the file's bytes already read (then `path` is
    not read again)."""
    handler = handler_for(mime_type)
    if handler is None:
        raise ExtractionError(describe_unsupported(mime_type, path.name))
    document = handler.open(path, content)
    notes.extend(document.notes)
    try:
        if document.page_count == 0:
            raise ExtractionError("the file has no pages")
        if document.page_count > limits.max_pages:
            raise ExtractionError(
                f"{document.page_count} pages is over the limit of {limits.max_pages} "
                "(raise UNSEALED_MAX_PAGES to read it)"
            )
        options = options or PageOptions()
        budget = OcrBudget(options.document_timeout_s)  # one OCR time limit for the whole document
        pages = [read_page(document, index, options, budget) for index in range(document.page_count)]
        notes.extend(document_warnings(pages, notes, options))
        return pages
    finally:
        document.close()


def document_warnings(pages: list[ExtractedPage], notes: list[str], options: PageOptions) -> list[str]:
    """Document-level warnings (kept with the notes) for a document read only in part."""
    warnings = []
    not_ocrd = sum(1 for p in pages if p.error and p.error.startswith(OCR_LIMIT_REACHED))
    if not_ocrd:
        warnings.append(
            f"warning: {not_ocrd} of {len(pages)} pages not OCR'd: the document's OCR time limit "
            f"({options.document_timeout_s:g} s) ran out; raise UNSEALED_OCR_DOCUMENT_TIMEOUT to read them"
        )
    if any(note.startswith(REPAIRED_NOTE) for note in notes):
        readable = sum(1 for p in pages if p.text.strip())
        if readable < len(pages):
            warnings.append(
                f"warning: the file is damaged or truncated: {readable} of {len(pages)} pages have text"
            )
    return warnings


@lru_cache(maxsize=4)
def blob_store(root: str) -> BlobStore:
    """The store at `root`, opened once per process rather than once per file."""
    return BlobStore(root)


def _original(source: SourceFile, options: WorkerOptions) -> Original:
    """The source read once: a file from disk, or a zip member from the zip (never unpacked to disk)."""
    if source.member:
        return original_of(read_member(source.path, source.member, options.limits.max_file_bytes))
    return read_original(source.path)


def _refused(source: SourceFile, reason: str | None = None) -> FileResult:
    """A source refused before reading (unsafe zip member, bomb limits, a symlink) or that could not
    be read at all (removed mid-run): a failure named by its key, as it has no content."""
    token = f"refused:{source.storage_key}".encode()
    return FileResult(
        source=source,
        md5=hashlib.md5(token, usedforsecurity=False).hexdigest(),
        sha256=hashlib.sha256(token).hexdigest(),
        size_bytes=0,
        mime_type="",
        error=reason or source.refused,
    )


def _hashed(task: FileTask, options: WorkerOptions) -> tuple[FileResult, list[Original]]:
    """The source read once and hashed (with its further parts, for a multi-file document)."""
    source = task.source
    parts = [_original(source, options), *(_original(part, options) for part in source.parts)]
    md5, sha256 = combined_sha256(parts) if source.parts else (parts[0].md5, parts[0].sha256)
    size = sum(part.size for part in parts)
    result = FileResult(source=source, md5=md5, sha256=sha256, size_bytes=size, mime_type="")
    result.unchanged = task.known_sha256 == sha256
    return result, parts


def _store(result: FileResult, parts: list[Original], options: WorkerOptions, look: bool = True) -> None:
    """Copy the original to the store under its content key, unless that content is there already
    (the same bytes under another name; `look=False`: the caller knows it is new, and a plain PUT
    saves asking). A multi-file document's files keep their names' keys."""
    source = result.source
    if options.store_originals:
        store = blob_store(options.blob_root)
        for file, read in zip((source, *source.parts), parts, strict=True):
            key = file.storage_key if source.parts else original_key(read.sha256)
            if source.parts or not (look and store.exists(key)):
                if read.content is not None:
                    store.put_bytes(key, read.content)
                else:
                    store.put_file(key, file.path)
    result.mime_type = sniff_bytes(parts[0].head)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ExtractionError):
        return str(exc)
    if isinstance(exc, FileNotFoundError):
        return "the file was removed while the run read it"
    if isinstance(exc, OSError) and exc.strerror:
        return f"could not read or store the file: {exc.strerror}"
    return f"unexpected error: {type(exc).__name__}: {exc}"


def hash_original(task: FileTask, options: WorkerOptions) -> tuple[FileResult, list[Original]]:
    """The source (with its parts) read once and hashed, not stored: what `ingest --queue` does
    before it puts the original where a worker anywhere finds it (`put_original`). A refused or
    unreadable source comes back failed, with no parts."""
    if task.source.refused is not None:
        return _refused(task.source), []
    try:
        return _hashed(task, options)
    except Exception as exc:  # noqa: BLE001 - an unreadable member, a file gone: this file's failure
        return _refused(task.source, _reason(exc)), []


def put_original(
    result: FileResult, parts: list[Original], options: WorkerOptions, look: bool = True
) -> FileResult:
    """A hashed original copied into the blob store (see `_store` for `look`); a failure to store
    it comes back as the file's failure."""
    if not parts or result.unchanged:
        return result
    try:
        _store(result, parts, replace(options, store_originals=True), look)
    except Exception as exc:  # noqa: BLE001 - gone meanwhile, or the store refused it: this file's failure
        return _refused(result.source, _reason(exc))
    return result


def failed_file(task: FileTask, options: WorkerOptions, reason: str) -> FileResult:
    """The record of a file whose worker died (time limit, crash): the original is still kept."""
    if task.source.refused is not None:
        return _refused(task.source)
    try:
        result, parts = _hashed(task, options)
        _store(result, parts, options)
    except Exception as exc:  # noqa: BLE001 - gone or unreadable meanwhile: still this file's failure
        return _refused(task.source, f"{reason}; {_reason(exc)}")
    result.unchanged = False
    result.error = reason
    return result


def process_file(task: FileTask, options: WorkerOptions) -> FileResult:
    """Everything about one file; any exception is this file's failure, never the run's."""
    if task.source.refused is not None:
        return _refused(task.source)
    result: FileResult | None = None
    try:
        inject_fault(options.fault, "read", task.source)
        result, parts = _hashed(task, options)
        if result.unchanged:
            return result
        inject_fault(options.fault, "store", task.source)
        _store(result, parts, options)
        source = task.source
        size = result.size_bytes
        if size > options.limits.max_file_bytes:
            result.error = (
                f"{size} bytes is over the limit of {options.limits.max_file_bytes} "
                "(raise UNSEALED_MAX_FILE_BYTES to read it)"
            )
            return result
        read_into(result, source.path, options, parts[0].content)
        if source.parts and result.ok:
            _read_parts(result, options)
        if options.dedup is not None and result.ok:
            sign(result, options.dedup)
        if task.load is not None:
            apply_load(result, task.load)
        inject_fault(options.fault, "analyse", task.source)
        if options.analyse_with is not None and result.ok and result.pages:
            from unsealed.pipeline.worker_analysis import analyse_result

            analyse_result(result, options.analyse_with)
        return result
    except Exception as exc:  # noqa: BLE001 - recorded as this file's failure, the run goes on
        if result is None:
            return _refused(task.source, _reason(exc))
        result.unchanged, result.pages, result.error = False, [], _reason(exc)
        return result


def inject_fault(fault: str, stage: str, source: SourceFile) -> None:
    """Test hook (UNSEALED_FAULT=`stage:name part`): fail at `stage` (read, store, analyse, exit)
    for files whose name contains the part, as an unforeseen bug or a dying worker would; `slow`
    makes each such file take a quarter of a second (so that a test can kill a run midway)."""
    if not fault:
        return
    wanted, _, part = fault.partition(":")
    if part and part in source.filename:
        if wanted == "exit" and stage == "read":
            os._exit(70)
        if wanted == "slow" and stage == "read":
            time.sleep(0.25)
        if wanted == stage:
            raise RuntimeError(f"injected fault at {stage}")


def sign(result: FileResult, options: DedupOptions) -> None:
    """Near-duplicate signatures and LSH bands of each page and of the whole text, computed here in
    the worker so the post-ingest stage only compares (pipeline/dedup_stage.py)."""
    sign_all([result], options)


def sign_all(results: list[FileResult], options: DedupOptions) -> None:
    """`sign` of several results at once (a task's files: one pass over all their words)."""
    signed = signed_documents(
        [[p.text for p in r.pages] for r in results], options, Banding.for_options(options)
    )
    for result, (whole, pages) in zip(results, signed, strict=True):
        for page, (sig, bands) in zip(result.pages, pages, strict=True):
            page.signature, page.bands = sig, bands
        result.signature, result.bands = whole
        result.signed = True


def _sign_task(results: list[FileResult], options: DedupOptions) -> None:
    """The task's files read ok signed together; should that fail, each alone, a file whose
    signing fails becoming a failure (as any error while processing it)."""
    readable = [r for r in results if r.ok and not r.unchanged]
    try:
        sign_all(readable, options)
    except Exception:  # noqa: BLE001 - find the file at fault below
        for result in readable:
            try:
                sign(result, options)
            except Exception as exc:  # noqa: BLE001 - this file's failure, the run goes on
                result.unchanged, result.pages, result.error = False, [], _reason(exc)


def _read_parts(result: FileResult, options: WorkerOptions) -> None:
    """The pages of a document's further image files (an OPT grouping), appended in order."""
    for part in result.source.parts:
        original = _original(part, options)
        piece = FileResult(part, original.md5, original.sha256, original.size, sniff_bytes(original.head))
        read_into(piece, part.path, options, original.content)
        if not piece.ok:
            result.notes.append(f"{part.storage_key}: {piece.error}")
        for page in piece.pages:
            page.number = len(result.pages) + 1
            result.pages.append(page)


def process_files(tasks: list[FileTask], options: WorkerOptions) -> list[FileResult]:
    """A group of files in one task (see pool.py), signed together once all are read."""
    if options.dedup is None or len(tasks) < 2:
        return [process_file(task, options) for task in tasks]
    results = [process_file(task, replace(options, dedup=None)) for task in tasks]
    _sign_task(results, options.dedup)
    return results


def read_into(result: FileResult, path: Path, options: WorkerOptions, content: bytes | None = None) -> None:
    """Read the file's pages into `result` (or its error), then its Bates numbers and language.

    Shared by ingest and `unsealed reprocess`, which re-reads a stored original. `content` is the
    file's bytes when they were read already.
    """
    try:
        result.pages = read_pages(
            path, result.mime_type, options.limits, result.notes, options.pages, content
        )
    except ExtractionError as exc:
        result.error = str(exc)
    except MemoryError:
        result.error = f"out of memory (worker limit {options.limits.worker_memory_bytes} bytes)"
    except Exception as exc:  # noqa: BLE001 - a library failing on a hostile file is recorded, not raised
        result.error = f"could not read the file: {type(exc).__name__}: {exc}"
    if result.pages:
        numbers = assign_bates(result.source.filename, [(p.text, p.bottom_text) for p in result.pages])
        for page, bates in zip(result.pages, numbers, strict=True):
            page.bates, page.bates_source, page.control_numbers = bates
        result.language = document_language(p.text for p in result.pages)
