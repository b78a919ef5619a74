"""NER by paragraph, each distinct paragraph tagged once through a content-hash cache.

The unit the tagger sees is a paragraph of a page's softened text (`soften_newlines` joins the
lines of running prose): lines up to one that ends a sentence, or before a `Label:` header line or
a blank line. A paragraph's names do not depend on the rest of the page, so a repeated
paragraph (a confidentiality footer, a quoted reply carried down a chain, a page copied into
another data set) is tagged once and its spans are moved to where it stands in each page. A run
with the cache and one without give the same spans by construction (tests check it on corpus text).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from unsealed.enrich import ner
from unsealed.enrich.layout import HEADER_LINE, SENTENCE_END
from unsealed.enrich.spans import Found

# Spans of one paragraph: (start, end, type) relative to the paragraph.
Spans = tuple[tuple[int, int, str], ...]
CACHE_ENTRIES = 200_000  # paragraphs a process remembers (~100 bytes each with their spans)


def _ends_paragraph(line: str, nxt: str) -> bool:
    """A hard break ends a paragraph after a sentence, before a `Label:` line, around a blank line."""
    return (
        not line.strip()
        or not nxt.strip()
        or line.rstrip().endswith(tuple(SENTENCE_END))
        or HEADER_LINE.match(nxt) is not None
    )


def paragraphs(softened: str) -> list[tuple[int, str]]:
    """(offset, paragraph) of a softened page: lines up to one that ends a sentence or comes
    before a header line or a blank line (a name wrapped over two short lines stays whole)."""
    lines = softened.split("\n")
    out = []
    start = offset = 0
    for i, line in enumerate(lines):
        offset += len(line) + 1
        if i == len(lines) - 1 or _ends_paragraph(line, lines[i + 1]):
            para = softened[start : offset - 1]
            if para.strip():
                out.append((start, para))
            start = offset
    return out


def _key(model: str, text: str) -> bytes:
    return hashlib.blake2b(f"{model}\0{text}".encode(), digest_size=16).digest()


@dataclass
class TagStats:
    paragraphs: int = 0
    reused: int = 0  # paragraphs whose spans came from the cache or an earlier copy in the batch

    def add(self, other: TagStats) -> None:
        self.paragraphs += other.paragraphs
        self.reused += other.reused


class ParagraphCache:
    """Spans of paragraphs already tagged, by a hash of (model, text); oldest dropped first."""

    def __init__(self, entries: int = CACHE_ENTRIES):
        self._entries = entries
        self._spans: dict[bytes, Spans] = {}
        self.stats = TagStats()

    def __len__(self) -> int:
        return len(self._spans)

    def get(self, key: bytes) -> Spans | None:
        return self._spans.get(key)

    def put(self, key: bytes, spans: Spans) -> None:
        if len(self._spans) >= self._entries:
            del self._spans[next(iter(self._spans))]
        self._spans[key] = spans

    def get_many(self, keys: Iterable[bytes]) -> dict[bytes, Spans]:
        """The spans of those of `keys` the cache has (one call per batch of paragraphs)."""
        return {key: spans for key in keys if (spans := self._spans.get(key)) is not None}

    def put_many(self, spans: Mapping[bytes, Spans]) -> None:
        for key, value in spans.items():
            self.put(key, value)


_process_cache: ParagraphCache | None = None


def process_cache() -> ParagraphCache:
    """The cache of this process (a worker keeps it from file to file)."""
    global _process_cache
    if _process_cache is None:
        _process_cache = ParagraphCache()
    return _process_cache


def set_process_cache(cache: ParagraphCache | None) -> None:
    """Use `cache` as this process's (and its forked children's) cache; None: a fresh one when next
    asked (a Celery worker sets the machine's shared cache before its pool forks)."""
    global _process_cache
    _process_cache = cache


def tag_texts(
    softened: Sequence[str], model: str | None = None, cache: ParagraphCache | None = None
) -> list[list[Found]]:
    """Named entities of each softened page text (spans into that text), paragraph by paragraph.

    Without a cache, every paragraph is tagged; with one, only paragraphs it has not seen, and
    repeats within `softened` are tagged once either way.
    """
    name = model or ner.model_name()
    extractor = ner.extractor_name(model)
    cache = cache if cache is not None else ParagraphCache()
    stats = TagStats()
    placed: list[list[tuple[int, bytes]]] = []
    texts: dict[bytes, str] = {}  # the distinct paragraphs of the batch
    for text in softened:
        page = []
        for offset, para in paragraphs(text):
            key = _key(name, para)
            texts.setdefault(key, para)
            page.append((offset, key))
        placed.append(page)
    known = cache.get_many(texts)
    todo = {key: para for key, para in texts.items() if key not in known}
    stats.paragraphs = sum(len(page) for page in placed)
    stats.reused = stats.paragraphs - len(todo)
    tagged = {
        key: tuple((f.start, f.end, f.type) for f in found)
        for key, found in zip(todo, ner.find_names(todo.values(), model), strict=True)
    }
    cache.put_many(tagged)
    known.update(tagged)
    cache.stats.add(stats)
    results: list[list[Found]] = []
    for text, page in zip(softened, placed, strict=True):
        out = []
        for offset, key in page:
            for start, end, kind in known[key]:
                out.append(
                    Found(offset + start, offset + end, text[offset + start : offset + end], kind, extractor)
                )
        results.append(out)
    return results
