"""The Tantivy index folder: schema, analyzer, opening, and the writer that turns pages into docs.

The folder holds Tantivy's files and `unsealed-index.json` ({format, generation}). `format` changes
when the schema changes (the index must then be rebuilt); `generation` changes on every rebuild so
the store's index-state rows can tell which index they describe.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, date
from json.encoder import encode_basestring_ascii as _quote  # a str as a JSON string literal
from pathlib import Path

import tantivy

from unsealed.domain import split_bates
from unsealed.search.errors import SearchIndexError
from unsealed.search.source import DocumentPages
from unsealed.search.values import dataset_key, type_key

FORMAT = 2  # 2: doc_key, page_copy, doc_copy (the keys results are grouped and collapsed by)
META_FILE = "unsealed-index.json"
ANALYZER = "unsealed_text"
LONG_TOKEN_BYTES = 40  # the analyzer drops tokens this long or longer
_KEY_BITS = 40
_KEY_MASK = (1 << _KEY_BITS) - 1
_PAGE_BITS = 14
_PAGE_MASK = (1 << _PAGE_BITS) - 1
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
    """Split on non-alphanumerics, drop tokens of 40 bytes or more, lowercase, fold accents (é -> e)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(LONG_TOKEN_BYTES))
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
    # sort keys (unique enough, see seq_base): index order, date ascending, date descending
    sb.add_unsigned_field("seq", indexed=True, fast=True)
    sb.add_unsigned_field("date_asc", indexed=True, fast=True)
    sb.add_unsigned_field("date_desc", indexed=True, fast=True)
    # group keys (see copy_key): the document, its near-duplicate cluster, the page's cluster
    sb.add_unsigned_field("doc_key", fast=True)
    sb.add_unsigned_field("doc_copy", fast=True)
    sb.add_unsigned_field("page_copy", fast=True)
    return sb.build()


def seq_base(document_id: str) -> int:
    """A page's `seq` is this | its page number: a stable 63-bit id, 49 bits of the document's
    hash, then 14 bits of page number.

    Ordering by it keeps a document's pages together and in order (the export order and the
    tie-breaker of equal scores).
    """
    digest = hashlib.blake2b(document_id.encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") >> 15) << _PAGE_BITS


def document_key(document_id: str) -> int:
    """The `doc_key` of a document's pages: the document's part of `seq`."""
    return seq_base(document_id) >> _PAGE_BITS


def copy_key(kind: str, value: str) -> int:
    """A 63-bit key of a copy group: `c` a near-duplicate cluster id, `s` a file's SHA-256 (exact
    copies, before the near-duplicate stage has clustered them), `d` a document id (no copy known)."""
    digest = hashlib.blake2b(f"{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def date_key_bases(when: date | None) -> tuple[int, int]:
    """Keys ordering pages by date (ascending, descending), then by document and page: each key is
    this | the low 40 bits of `seq` (the low 26 bits of the document hash + the page number)."""
    if when is None:
        return _NO_DATE << _KEY_BITS, _NO_DATE << _KEY_BITS
    ordinal = when.toordinal()
    return ordinal << _KEY_BITS, (_NO_DATE - 1 - ordinal) << _KEY_BITS


def _quote_list(values: list[str]) -> str:
    return "[" + ",".join(map(_quote, values)) + "]"


def _people_json(senders: list[str], recipients: list[str]) -> str:
    out = ""
    if senders:
        out += ',"sender":' + _quote_list(senders)
    if recipients:
        out += ',"recipients":' + _quote_list(recipients)
    return out


def _doc_copy(doc: DocumentPages) -> int:
    if doc.cluster:
        return copy_key("c", doc.cluster)
    return copy_key("s", doc.sha256) if doc.sha256 else copy_key("d", doc.document_id)


def _page_copy(doc: DocumentPages, clusters: dict[int, str], number: int) -> int:
    cluster = clusters.get(number)
    if cluster:
        return copy_key("c", cluster)
    if doc.sha256:
        return copy_key("s", f"{doc.sha256}:{number}")
    return copy_key("d", f"{doc.document_id}:{number}")


def page_documents(doc: DocumentPages) -> Iterator[str]:
    """Each page of `doc` as its index document, in the JSON `IndexWriter.add_json` reads.

    The fields of `build_schema()`; a field without a value is left out. What every page shares is
    encoded once per document. Dates without a zone are UTC; the year and the date sort keys use
    the date as given, the `date` field the same instant in UTC.
    """
    quote = _quote
    head = (
        '{"document_id":' + quote(doc.document_id)
        + ',"dataset":' + quote(doc.dataset)
        + ',"dataset_key":' + quote(dataset_key(doc.dataset))
        + ',"filename":' + quote(doc.filename)
    )  # fmt: skip
    if doc.doc_type:
        head += ',"doc_type":' + quote(type_key(doc.doc_type))
    when = doc.date
    day = None
    if when is not None:
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        head += f',"date":"{when.astimezone(UTC).isoformat()}","year":{when.year}'
        day = when.date()
    if doc.sender:
        head += ',"sender_facet":' + quote(doc.sender)
    own_people = _people_json(doc.senders, doc.recipients)
    base = seq_base(doc.document_id)
    asc_base, desc_base = date_key_bases(day)
    head += f',"doc_key":{document_key(doc.document_id)},"doc_copy":{_doc_copy(doc)}'
    page_clusters = doc.page_clusters
    entities, quoted = doc.entities, doc.quoted
    for number, text, bates in doc.pages:
        seq = base | (number & _PAGE_MASK)
        tie = seq & _KEY_MASK
        out = f'{head},"page":{number},"page_copy":{_page_copy(doc, page_clusters, number)}'
        out += f',"text":{quote(text)}'
        if bates:
            out += ',"bates":' + quote(bates)
            parts = split_bates(bates)
            if parts:
                out += f',"bates_prefix":{quote(parts[0])},"bates_num":{parts[1]}'
        out += _people_json(*doc.page_people(number)) if number in quoted else own_people
        names = entities.get(number)
        if names:
            encoded = _quote_list(names)
            out += ',"entities":' + encoded + ',"entity_facet":' + encoded
        yield f'{out},"seq":{seq},"date_asc":{asc_base | tie},"date_desc":{desc_base | tie}}}'


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

    def add(self, doc: DocumentPages) -> int:
        """Add every page of `doc`; returns how many."""
        add_json = self._writer.add_json
        added = 0
        for page in page_documents(doc):
            add_json(page)
            added += 1
        return added

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
