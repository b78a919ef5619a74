"""The per-file job that runs in a worker process: hash, store the original, read its pages.

It never raises for a bad file: every problem becomes FileResult.error, recorded as data.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from unsealed.analysis.bates import assign_bates
from unsealed.analysis.language import document_language
from unsealed.config import Limits
from unsealed.domain import original_key
from unsealed.errors import ExtractionError
from unsealed.ingest.formats import handler_for
from unsealed.ingest.hashing import Original, read_original
from unsealed.ingest.pages import OcrBudget, PageOptions, read_page
from unsealed.ingest.sniff import describe_unsupported, sniff_bytes
from unsealed.model import ExtractedPage, FileResult, SourceFile
from unsealed.store.blobs import BlobStore


@dataclass(frozen=True)
class WorkerOptions:
    blob_root: str
    limits: Limits
    pages: PageOptions = field(default_factory=PageOptions)
    fault: str = ""  # UNSEALED_FAULT, tests only (see inject_fault)


@dataclass(frozen=True)
class FileTask:
    source: SourceFile
    known_sha256: str | None = None  # the content last recorded at this storage key, if any


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
        return [read_page(document, index, options, budget) for index in range(document.page_count)]
    finally:
        document.close()


@lru_cache(maxsize=4)
def blob_store(root: str) -> BlobStore:
    """The store at `root`, opened once per process rather than once per file."""
    return BlobStore(root)


def _hashed(task: FileTask) -> tuple[FileResult, Original]:
    original = read_original(task.source.path)
    result = FileResult(
        source=task.source,
        md5=original.md5,
        sha256=original.sha256,
        size_bytes=original.size,
        mime_type="",
    )
    return result, original


def _store(result: FileResult, original: Original, options: WorkerOptions) -> None:
    """Copy the original to the store under its content key, unless that content is there already."""
    store = blob_store(options.blob_root)
    key = original_key(original.sha256)
    if not store.exists(key):  # stored by content: the same bytes under other names are there already
        if original.content is not None:
            store.put_bytes(key, original.content)
        else:
            store.put_file(key, result.source.path)
    result.mime_type = sniff_bytes(original.head)


def unreadable(source: SourceFile, reason: str) -> FileResult:
    """The record of a file that could not even be read (gone, unreadable): no content, so its
    identity is its storage key."""
    marker = f"unreadable:{source.storage_key}".encode()
    return FileResult(
        source=source,
        md5=hashlib.md5(b"", usedforsecurity=False).hexdigest(),
        sha256=hashlib.sha256(marker).hexdigest(),
        size_bytes=0,
        mime_type="",
        error=reason,
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return "the file was removed while the run read it"
    if isinstance(exc, OSError) and exc.strerror:
        return f"could not read or store the file: {exc.strerror}"
    return f"unexpected error: {type(exc).__name__}: {exc}"


def failed_file(task: FileTask, options: WorkerOptions, reason: str) -> FileResult:
    """The record of a file whose worker died (time limit, crash): the original is still kept."""
    try:
        result, original = _hashed(task)
        _store(result, original, options)
    except Exception as exc:  # noqa: BLE001 - gone or unreadable meanwhile: still this file's failure
        return unreadable(task.source, f"{reason}; {_reason(exc)}")
    result.error = reason
    return result


def process_file(task: FileTask, options: WorkerOptions) -> FileResult:
    """Everything about one file; any exception is this file's failure, never the run's."""
    result: FileResult | None = None
    if task.source.refused:
        return unreadable(task.source, task.source.refused)
    try:
        inject_fault(options.fault, "read", task.source)
        result, original = _hashed(task)
        if task.known_sha256 == original.sha256:
            result.unchanged = True
            return result
        inject_fault(options.fault, "store", task.source)
        _store(result, original, options)
        size = result.size_bytes
        if size > options.limits.max_file_bytes:
            result.error = (
                f"{size} bytes is over the limit of {options.limits.max_file_bytes} "
                "(raise UNSEALED_MAX_FILE_BYTES to read it)"
            )
            return result
        read_into(result, task.source.path, options, original.content)
        inject_fault(options.fault, "analyse", task.source)
        return result
    except Exception as exc:  # noqa: BLE001 - recorded as this file's failure, the run goes on
        if result is None:
            return unreadable(task.source, _reason(exc))
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


def process_files(tasks: list[FileTask], options: WorkerOptions) -> list[FileResult]:
    """A group of files in one task (see pool.py)."""
    return [process_file(task, options) for task in tasks]


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
            page.bates, page.bates_source = bates.value, bates.source
        result.language = document_language(p.text for p in result.pages)
