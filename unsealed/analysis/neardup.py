"""Near-duplicate signatures: MinHash (rensa) over word shingles of normalised text, and LSH bands.

Text is normalised before shingling so copies that differ only in what a release changes between
productions still match: case, punctuation, line breaks (reflowed text) and Bates stamps (every
copy has its own) are dropped. A signature's bands (`band_keys`) are what the store indexes: two
texts sharing a band key are candidates, and their signatures' agreement estimates their Jaccard
similarity (`similarity`), which decides.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
from rensa import RMinHash

from unsealed.config import DedupOptions

_WORD = re.compile(r"[a-z0-9]+")
_BATES_WORD = re.compile(r"[a-z]{2,}[_-]?\d{6,10}")
SEED = 20261201
MIN_WORDS = 8  # a page with fewer words (a cover, a blank) gets no signature


@dataclass(frozen=True)
class Banding:
    bands: int
    rows: int

    @classmethod
    def for_options(cls, options: DedupOptions) -> Banding:
        rows = options.rows
        return cls(options.permutations // rows, rows)


def words(text: str) -> list[str]:
    """Lower-case words without punctuation or Bates stamps."""
    return [w for w in _WORD.findall(text.lower()) if not _BATES_WORD.fullmatch(w)]


def shingles(tokens: list[str], size: int) -> list[str]:
    if len(tokens) <= size:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)]


def signature(text: str, options: DedupOptions) -> np.ndarray | None:
    """The MinHash of the text's shingles (uint32), or None when it has too few words to compare."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return None
    minhash = RMinHash(num_perm=options.permutations, seed=SEED)
    minhash.update(shingles(tokens, options.shingle))
    return np.asarray(minhash.digest(), dtype=np.uint32)


def band_keys(sig: np.ndarray, banding: Banding, kind: int = 0) -> list[int]:
    """One 56-bit key per band; the band's number and `kind` (0 pages, 1 documents) are part of it."""
    keys = []
    raw = sig.astype("<u4").tobytes()
    width = banding.rows * 4
    for band in range(banding.bands):
        digest = hashlib.blake2b(
            raw[band * width : (band + 1) * width], digest_size=7, person=bytes([band % 256, kind])
        )
        keys.append(int.from_bytes(digest.digest(), "little"))
    return keys


def exact_key(text: str, kind: int = 0) -> int | None:
    """For a text too short to sign: one key shared only by texts with the same normalised words."""
    tokens = words(text)
    if not tokens:
        return None
    digest = hashlib.blake2b(" ".join(tokens).encode(), digest_size=7, person=b"exact" + bytes([kind]))
    return int.from_bytes(digest.digest(), "little")


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    return float(np.count_nonzero(a == b)) / len(a)


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<u4")
