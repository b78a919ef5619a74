"""Synthetic release for bench/search.py: Zipfian words, injected names and phrases, OCR damage.

Streams documents into a real archive (SQLite, the product's schema) chunk by chunk, so 3 M pages
fit in memory. Deterministic for a given seed.
"""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import insert

from unsealed.store.archive import Archive
from unsealed.store.schema import documents, emails, entities, mentions, near_duplicates, pages

COMMON = (
    "the of and to a in that is was he for it with as his on be at by i this had not are but from or "
    "have an they which one you were her all she there would their we him been has when who will more "
    "no if out so said what up its about into than them can only other new some could time these two "
    "may then do first any my now such like our over man me even most made after also did many before "
    "must through back years where much your way well down should because each just those people mr "
    "how too little state good very make world still own see men work long get here between both life "
    "being under never day same another know while last might us great old year off come since against"
).split()
SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in ("a", "e", "i", "o", "u", "ar", "el", "on", "is")]
DATASETS = [f"dataset_{i}" for i in range(1, 13)]
DATASET_WEIGHTS = np.array([2, 2, 2, 3, 3, 4, 5, 6, 35, 20, 12, 6], dtype=float)
TYPES = ["email", "memo", "letter", "flight_log", "report", "image"]
TYPE_WEIGHTS = np.array([45, 15, 12, 5, 13, 10], dtype=float)
COPY_RATE = 0.15  # documents produced again in another data set: half exact, half near copies
DAMAGE = [("h", "li"), ("m", "rn"), ("e", "c"), ("o", "0"), ("l", "1"), ("a", "o"), ("n", "ri"), ("d", "cl")]


@dataclass
class Corpus:
    """The vocabulary and the planted things queries look for."""

    seed: int
    vocab: list[str]
    names: list[tuple[str, str]]  # (first, last)
    name_weights: np.ndarray
    phrases: list[str]
    senders: list[tuple[str, str]]
    cdf: np.ndarray = field(repr=False)

    @classmethod
    def make(cls, seed: int = 7, vocab_size: int = 200_000, n_names: int = 5_000) -> Corpus:
        rng = np.random.default_rng(seed)
        words: list[str] = list(dict.fromkeys(COMMON))
        seen = set(words)
        while len(words) < vocab_size:
            w = "".join(rng.choice(SYLLABLES, size=int(rng.integers(2, 5))))
            if w not in seen:
                seen.add(w)
                words.append(w)
        ranks = np.arange(1, vocab_size + 1, dtype=float)
        probs = 1.0 / ranks**1.07
        cdf = np.cumsum(probs / probs.sum())
        names: list[tuple[str, str]] = []
        used = set(words)
        while len(names) < n_names:
            first = "".join(rng.choice(SYLLABLES, size=2)).capitalize()
            last = "".join(rng.choice(SYLLABLES, size=3)).capitalize()
            if last.lower() not in used:
                used.add(last.lower())
                names.append((first, last))
        name_w = 1.0 / np.arange(1, n_names + 1, dtype=float) ** 1.2
        mid = words[2_000:20_000]
        phrases = [f"{mid[i]} {mid[i + 7_000]}" for i in range(0, 400, 2)]
        senders = [(f"{a} {b}", f"{a.lower()}.{b.lower()}@example.com") for a, b in names[:800]]
        return cls(seed, words, names, name_w / name_w.sum(), phrases, senders, cdf)


def _damage(word: str, rng: np.random.Generator) -> str:
    src, dst = DAMAGE[int(rng.integers(len(DAMAGE)))]
    i = word.find(src)
    return word if i < 0 else word[:i] + dst + word[i + len(src) :]


@dataclass
class Chunk:
    documents: list[dict]
    pages: list[dict]
    emails: list[dict]
    mentions: list[dict]
    clusters: list[dict] = field(default_factory=list)  # near_duplicates rows of the near copies


def _copy(
    chunk: Chunk, original: dict, n_pages: int, copy_no: int, bates: int, rng: np.random.Generator
) -> None:
    """The original (the chunk's last document) produced again in another data set: an exact copy
    (same SHA-256, so one copy group before clustering), or a near copy (another footer, and the
    near_duplicates rows the dedup stage would write for the pair)."""
    doc_id = str(uuid.UUID(int=(int(rng.integers(0, 2**63)) << 64) | (1 << 63) | copy_no))
    dataset = DATASETS[(DATASETS.index(original["dataset"]) + 1 + int(rng.integers(11))) % 12]
    exact = rng.random() < 0.5
    name = f"EFTA{bates:08d}.pdf"
    chunk.documents.append(
        {**original, "id": doc_id, "dataset": dataset, "filename": name, "storage_key": f"{dataset}/{name}",
         "source_path": f"/synthetic/{name}", "bates_first": f"EFTA{bates:08d}",
         "bates_last": f"EFTA{bates + n_pages - 1:08d}",
         "sha256": original["sha256"] if exact else f"c{copy_no:063x}"}
    )  # fmt: skip
    for p, page in enumerate(chunk.pages[-n_pages:]):
        text = page["text"].rsplit("\n", 1)[0]
        footer = f"\nEFTA{bates + p:08d}" + ("" if exact else " PRODUCED AGAIN")
        chunk.pages.append(
            {**page, "document_id": doc_id, "text": text + footer, "bates": f"EFTA{bates + p:08d}"}
        )
    if not exact:
        for number in range(n_pages + 1):
            cluster = original["id"] if number == 0 else f"{original['id']}:{number}"
            for member, canonical in ((original["id"], True), (doc_id, False)):
                chunk.clusters.append(
                    {"document_id": member, "page_number": number, "cluster": cluster, "canonical": canonical}
                )


def generate(corpus: Corpus, total_pages: int, chunk_pages: int = 20_000) -> Iterator[Chunk]:
    """Documents of 1-6 pages (~170 words each) until `total_pages`, in chunks; COPY_RATE of them
    again in another data set (drawn from a stream of their own, so the originals stay the same)."""
    rng = np.random.default_rng(corpus.seed + 1)
    copy_rng = np.random.default_rng(corpus.seed + 2)
    copies = 0
    vocab = corpus.vocab
    names = corpus.names
    name_cdf = np.cumsum(corpus.name_weights)
    ds_cdf = np.cumsum(DATASET_WEIGHTS / DATASET_WEIGHTS.sum())
    type_cdf = np.cumsum(TYPE_WEIGHTS / TYPE_WEIGHTS.sum())
    now = datetime(2026, 2, 3, tzinfo=UTC)
    made, bates, doc_no = 0, 1, 0
    while made < total_pages:
        chunk = Chunk([], [], [], [])
        n = min(chunk_pages, total_pages - made)
        word_idx = np.minimum(np.searchsorted(corpus.cdf, rng.random(170 * n)), len(vocab) - 1).tolist()
        name_idx = np.minimum(np.searchsorted(name_cdf, rng.random(4 * n)), len(names) - 1).tolist()
        n_names = rng.poisson(1.0, n).tolist()
        w_pos = 0
        nm_pos = 0
        page_in_chunk = 0
        while page_in_chunk < n:
            n_pages = min(int(rng.integers(1, 7)), n - page_in_chunk)
            doc_id = str(uuid.UUID(int=int(rng.integers(0, 2**63)) << 64 | doc_no))
            dataset = DATASETS[min(int(np.searchsorted(ds_cdf, rng.random())), 11)]
            doc_type = TYPES[min(int(np.searchsorted(type_cdf, rng.random())), 5)]
            dated = rng.random() < 0.8
            when = (
                datetime(1995, 1, 1, tzinfo=UTC) + timedelta(days=int(rng.integers(0, 9000)))
                if dated
                else None
            )
            damaged = rng.random() < 0.10
            chunk.documents.append(
                dict(
                    id=doc_id,
                    dataset=dataset,
                    filename=f"EFTA{bates:08d}.pdf",
                    storage_key=f"{dataset}/EFTA{bates:08d}.pdf",
                    source_path=f"/synthetic/EFTA{bates:08d}.pdf",
                    md5="0" * 32,
                    sha256=f"{doc_no:064x}",
                    size_bytes=1000 * n_pages,
                    mime_type="application/pdf",
                    page_count=n_pages,
                    status="ok",
                    pipeline_version="bench",
                    created_at=now,
                    updated_at=now,
                    bates_first=f"EFTA{bates:08d}",
                    bates_last=f"EFTA{bates + n_pages - 1:08d}",
                    doc_type=doc_type,
                    doc_date=when,
                )
            )
            if doc_type == "email":
                s_name, s_addr = corpus.senders[min(int(rng.zipf(1.3)) - 1, len(corpus.senders) - 1)]
                to = [
                    corpus.senders[int(rng.integers(len(corpus.senders)))]
                    for _ in range(int(rng.integers(1, 4)))
                ]
                chunk.emails.append(
                    dict(
                        document_id=doc_id,
                        seq=0,
                        page_number=1,
                        sender_name=s_name,
                        sender_address=s_addr,
                        recipients=json.dumps({"to": [{"name": n, "address": a} for n, a in to]}),
                        subject=None,
                        sent_at=when,
                    )
                )
            for p in range(n_pages):
                words = [vocab[i] for i in word_idx[w_pos : w_pos + 170]]
                w_pos += 170
                for _ in range(min(n_names[page_in_chunk], 4)):
                    first, last = names[name_idx[nm_pos % len(name_idx)]]
                    nm_pos += 1
                    words.insert(int(rng.integers(len(words))), f"{first} {last}")
                    chunk.mentions.append(
                        dict(
                            document_id=doc_id,
                            page_number=p + 1,
                            start=0,
                            end=1,
                            text=f"{first} {last}",
                            type="PERSON",
                            extractor="bench",
                            entity_id=entity_id(first, last),
                        )
                    )
                if rng.random() < 0.05:
                    phrase = corpus.phrases[int(rng.integers(len(corpus.phrases)))]
                    words.insert(int(rng.integers(len(words))), phrase)
                if damaged:
                    hits = (rng.random(len(words)) < 0.08).tolist()
                    words = [_damage(w, rng) if h else w for w, h in zip(words, hits, strict=True)]
                text = " ".join(words)
                chunk.pages.append(
                    dict(
                        document_id=doc_id,
                        number=p + 1,
                        text=text + f"\nEFTA{bates + p:08d}",
                        char_count=len(text),
                        text_source="layer",
                        bates=f"EFTA{bates + p:08d}",
                        bates_source="stamped",
                    )
                )
                page_in_chunk += 1
            made += n_pages
            bates += n_pages
            doc_no += 1
            if copy_rng.random() < COPY_RATE and page_in_chunk + n_pages <= n:
                _copy(chunk, chunk.documents[-1], n_pages, copies, bates, copy_rng)
                copies += 1
                page_in_chunk += n_pages
                made += n_pages
                bates += n_pages
        yield chunk


@functools.cache
def entity_id(first: str, last: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_OID, f"{first} {last}"))


def write(archive: Archive, corpus: Corpus, total_pages: int) -> tuple[int, int]:
    """Fill the archive; returns (documents, pages)."""
    with archive.engine.begin() as conn:
        conn.execute(
            insert(entities),
            [
                dict(id=entity_id(a, b), type="PERSON", name=f"{a} {b}", key=f"{a} {b}".lower(), hidden=False)
                for a, b in corpus.names
            ],
        )
    n_docs = n_pages = 0
    for chunk in generate(corpus, total_pages):
        with archive.engine.begin() as conn:
            conn.execute(insert(documents), chunk.documents)
            conn.execute(insert(pages), chunk.pages)
            if chunk.emails:
                conn.execute(insert(emails), chunk.emails)
            if chunk.mentions:
                conn.execute(insert(mentions), chunk.mentions)
            if chunk.clusters:
                conn.execute(insert(near_duplicates), chunk.clusters)
        n_docs += len(chunk.documents)
        n_pages += len(chunk.pages)
    return n_docs, n_pages
