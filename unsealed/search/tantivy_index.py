"""The Tantivy index folder: schema, analyzer, opening, and the writer that turns PageDocs into docs.

The folder holds Tantivy's files and `unsealed-index.json` ({format, generation}). `format` changes
when the schema changes (the index must then be rebuilt); `generation` changes on every rebuild so
the store's index-state rows can tell which index they describe.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from datetime import UTC, date
from pathlib import Path

import tantivy

from unsealed.search.errors import SearchIndexError
from unsealed.search.model import PageDoc
from unsealed.search.values import dataset_key, split_bates, type_key

FORMAT = 1
META_FILE = "unsealed-index.json"
ANALYZER = "unsealed_text"
_KEY_BITS = 40
_PAGE_BITS = 14
_NO_DATE = (1 << 22) - 1  # date ordinals are < 2**22; undated pages sort last both ways

# tree field -> index field for words
TEXT_FIELD_MAP = {
    "text": "text",
    "sender": "sender",
    "recipients": "recipients",
    "entities": "entities",
    "filename": "filename",
}


def text_analyzer() -> tantivy.TextAnalyzer:
    """Split on non-alphanumerics, drop tokens > 40 chars, lowercase, fold accents (é -> e)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def build_schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("document_id", stored=True, tokenizer_name="raw")
    sb.add_unsigned_field("page", stored=True, indexed=True, fast=True)
    sb.add_text_field("dataset", stored=True, fast=True, tokenizer_name="raw")
    sb.add_text_field("dataset_key", tokenizer_name="raw")
    sb.add_text_field("filename", stored=True, tokenizer_name=ANALYZER)
    sb.add_text_field("bates", stored=True, tokenizer_name="raw")
    sb.add_text_field("bates_prefix", tokenizer_name="raw")
    sb.add_unsigned_field("bates_num", indexed=True, fast=True)
    sb.add_text_field("doc_type", stored=True, fast=True, tokenizer_name="raw")
    sb.add_date_field("date", stored=True, indexed=True, fast=True)
    sb.add_integer_field("year", indexed=True, fast=True)
    sb.add_text_field("sender", tokenizer_name=ANALYZER)
    sb.add_text_field("sender_facet", fast=True, tokenizer_name="raw")
    sb.add_text_field("recipients", tokenizer_name=ANALYZER)
    sb.add_text_field("entities", tokenizer_name=ANALYZER)
    sb.add_text_field("entity_facet", fast=True, tokenizer_name="raw")
    sb.add_text_field("text", tokenizer_name=ANALYZER)
    # sort keys (unique enough, see page_seq): index order, date ascending, date descending
    sb.add_unsigned_field("seq", indexed=True, fast=True)
    sb.add_unsigned_field("date_asc", indexed=True, fast=True)
    sb.add_unsigned_field("date_desc", indexed=True, fast=True)
    return sb.build()


def page_seq(document_id: str, page: int) -> int:
    """A stable 63-bit id of a page: 49 bits of the document's hash, then 14 bits of page number.

    Ordering by it keeps a document's pages together and in order (the export order and the
    tie-breaker of equal scores).
    """
    return (_document_hash(document_id) << _PAGE_BITS) | (page & ((1 << _PAGE_BITS) - 1))


@functools.lru_cache(maxsize=8192)
def _document_hash(document_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(document_id.encode(), digest_size=8).digest(), "big") >> 15


def date_keys(when: date | None, seq: int) -> tuple[int, int]:
    """Keys ordering pages by date (ascending, descending), then by document and page."""
    tie = seq & ((1 << _KEY_BITS) - 1)  # the low 26 bits of the document hash + the page number
    if when is None:
        return (_NO_DATE << _KEY_BITS) | tie, (_NO_DATE << _KEY_BITS) | tie
    ordinal = when.toordinal()
    return (ordinal << _KEY_BITS) | tie, ((_NO_DATE - 1 - ordinal) << _KEY_BITS) | tie


def to_document(page: PageDoc) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("document_id", page.document_id)
    doc.add_unsigned("page", page.page)
    doc.add_text("dataset", page.dataset)
    doc.add_text("dataset_key", dataset_key(page.dataset))
    doc.add_text("filename", page.filename)
    doc.add_text("text", page.text)
    if page.bates:
        doc.add_text("bates", page.bates)
        parts = split_bates(page.bates)
        if parts:
            doc.add_text("bates_prefix", parts[0])
            doc.add_unsigned("bates_num", parts[1])
    if page.doc_type:
        doc.add_text("doc_type", type_key(page.doc_type))
    when = page.date
    if when is not None:
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        doc.add_date("date", when)
        doc.add_integer("year", when.year)
    if page.sender:
        doc.add_text("sender_facet", page.sender)
    for value in page.senders:
        doc.add_text("sender", value)
    for value in page.recipients:
        doc.add_text("recipients", value)
    for name in page.entities:
        doc.add_text("entities", name)
        doc.add_text("entity_facet", name)
    seq = page_seq(page.document_id, page.page)
    asc, desc = date_keys(when.date() if when else None, seq)
    doc.add_unsigned("seq", seq)
    doc.add_unsigned("date_asc", asc)
    doc.add_unsigned("date_desc", desc)
    return doc


def read_meta(path: Path) -> dict[str, int] | None:
    try:
        return json.loads((path / META_FILE).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise SearchIndexError(
            f"the search index at {path} is damaged ({exc}); run `unsealed reindex`"
        ) from exc


def write_meta(path: Path, generation: int) -> None:
    tmp = path / (META_FILE + ".tmp")
    tmp.write_text(json.dumps({"engine": "tantivy", "format": FORMAT, "generation": generation}))
    os.replace(tmp, path / META_FILE)


class TantivyIndex:
    """An opened index folder."""

    def __init__(self, path: Path, index: tantivy.Index, generation: int) -> None:
        self.path = path
        self.index = index
        self.schema = index.schema
        self.generation = generation
        self.analyzer = text_analyzer()

    @classmethod
    def create(cls, path: Path, generation: int) -> TantivyIndex:
        """A new, empty index in `path` (which must not hold one)."""
        path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(build_schema(), path=str(path), reuse=False)
        index.register_tokenizer(ANALYZER, text_analyzer())
        write_meta(path, generation)
        return cls(path, index, generation)

    @classmethod
    def open(cls, path: Path) -> TantivyIndex:
        meta = read_meta(path)
        if meta is None:
            raise SearchIndexError(f"no search index at {path}; run `unsealed reindex` to build it")
        if meta.get("format") != FORMAT:
            raise SearchIndexError(
                f"the search index at {path} has format {meta.get('format')}, this version reads "
                f"{FORMAT}; run `unsealed reindex`"
            )
        index = tantivy.Index.open(str(path))
        index.register_tokenizer(ANALYZER, text_analyzer())
        return cls(path, index, int(meta.get("generation", 0)))

    def tokens(self, text: str) -> list[str]:
        return self.analyzer.analyze(text)

    def writer(self, heap_bytes: int = 256_000_000, threads: int | None = None) -> IndexWriter:
        return IndexWriter(self, heap_bytes, threads)


class IndexWriter:
    """Adds and deletes pages; nothing is visible to searchers until `commit()`.

    Tantivy allows one writer per index: a second one (another ingest or reindex running) gets a
    SearchIndexError that says so.
    """

    def __init__(self, index: TantivyIndex, heap_bytes: int, threads: int | None) -> None:
        threads = threads or max(1, min(4, (os.cpu_count() or 2) - 1))
        try:
            self._writer = index.index.writer(
                heap_size=max(heap_bytes, 15_000_000 * threads), num_threads=threads
            )
        except ValueError as exc:
            if "lock" in str(exc).lower():
                raise SearchIndexError(
                    "the search index is being written by another process (an ingest or reindex); "
                    "try again when it has finished"
                ) from exc
            raise
        self.index = index

    def delete_documents(self, document_ids: list[str]) -> None:
        for document_id in document_ids:
            self._writer.delete_documents_by_term("document_id", document_id)

    def add(self, page: PageDoc) -> None:
        self._writer.add_document(to_document(page))

    def commit(self) -> None:
        self._writer.commit()

    def close(self) -> None:
        """Wait for background merges (releases the writer lock)."""
        self._writer.wait_merging_threads()

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:
            self._writer.rollback()
        self.close()
