"""Entity mentions found in the worker that read the file, while the other workers read theirs.

Finding names costs far more than reading a text-layer page, so doing it in the parent after the
reading leaves the workers idle; done here, it overlaps with reading, and the parent only writes
the rows (store/writer.py). A file whose exact copy (same content, same page texts)
was already analysed, in another data set, gets that copy's stored mentions; other pages go
through the paragraph cache of this process (`tagging.process_cache`). A very long document is
left to the mentions stage, so that finding its names cannot run past the per-file time limit.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Engine

from unsealed.enrich import tagging
from unsealed.enrich.extract import extract_document
from unsealed.model import DocumentAnalysis, FileResult
from unsealed.store.database import create_archive_engine
from unsealed.store.documents import document_id
from unsealed.store.mentions import analysed_copy

MAX_CHARS = 400_000  # longer documents are analysed by the mentions stage after the reading


@lru_cache(maxsize=2)
def _engine(url: str) -> Engine:
    return create_archive_engine(url)


def analyse_result(result: FileResult, database_url: str) -> None:
    """Set `result.analysis`: the mentions of its pages, or the copy whose mentions they are."""
    texts = [page.text for page in result.pages]
    if sum(len(t) for t in texts) > MAX_CHARS:
        return
    with _engine(database_url).connect() as conn:
        copy = analysed_copy(conn, document_id(result.source.dataset, result.sha256), result.sha256, texts)
    if copy is not None:
        result.analysis = DocumentAnalysis(copy_of=copy)
        return
    cache = tagging.process_cache()
    before = (cache.stats.paragraphs, cache.stats.reused)
    found = extract_document([(page.number, page.text) for page in result.pages], cache=cache)
    result.analysis = DocumentAnalysis(
        mentions=[
            (m.page_number, m.found.start, m.found.end, m.found.text, m.found.type, m.found.extractor)
            for m in found
        ],
        paragraphs=cache.stats.paragraphs - before[0],
        reused_paragraphs=cache.stats.reused - before[1],
    )
