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
_BATES_WORD = re.compile(r"\b[a-z]{2,}[_-]?\d{6,10}\b")
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
    return _WORD.findall(_BATES_WORD.sub(" ", text.lower()))


def shingles(tokens: list[str], size: int) -> list[str]:
    if len(tokens) <= size:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(window) for window in zip(*(tokens[i:] for i in range(size)), strict=False)]


def signature(text: str, options: DedupOptions) -> np.ndarray | None:
    """The MinHash of the text's shingles (uint32), or None when it has too few words to compare."""
    return signature_of_words(words(text), options)


def signature_of_words(tokens: list[str], options: DedupOptions) -> np.ndarray | None:
    if len(tokens) < MIN_WORDS:
        return None
    minhash = RMinHash(num_perm=options.permutations, seed=SEED)
    minhash.update(shingles(tokens, options.shingle))
    return np.asarray(minhash.digest(), dtype=np.uint32)


def union_signature(parts: list[np.ndarray]) -> np.ndarray | None:
    """The MinHash of the union of several texts' shingle sets (a document from its pages): the
    element-wise minimum of theirs (shingles across a page break are left out)."""
    return np.minimum.reduce(parts) if parts else None


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


Signed = tuple[bytes | None, list[int]]


def signed(text: str, options: DedupOptions, banding: Banding, kind: int) -> Signed:
    """(signature bytes, band keys) of a text; a text too short to sign gets only its exact key."""
    return _signed(signature(text, options), text, banding, kind)


def _signed(sig: np.ndarray | None, text: str, banding: Banding, kind: int) -> Signed:
    if sig is not None:
        return to_bytes(sig), band_keys(sig, banding, kind)
    exact = exact_key(text, kind)
    return None, [exact] if exact is not None else []


def signed_document(texts: list[str], options: DedupOptions, banding: Banding) -> tuple[Signed, list[Signed]]:
    """The document's and each page's (signature, bands): each page's words read once, the
    document's signature the union of its pages' (where all pages are long enough to sign)."""
    sigs = [signature(t, options) for t in texts]
    pages = [_signed(sig, text, banding, 0) for sig, text in zip(sigs, texts, strict=True)]
    signed_pages = [s for s in sigs if s is not None]
    if len(texts) == 1:
        whole = _signed(sigs[0], texts[0], banding, 1)
    elif len(signed_pages) == len(texts):
        whole = _signed(union_signature(signed_pages), "", banding, 1)
    else:
        whole = signed("\n".join(texts), options, banding, 1)
    return whole, pages


def pack_bands(keys: list[int]) -> bytes:
    return np.asarray(list(dict.fromkeys(keys)), dtype="<i8").tobytes()


def unpack_bands(data: bytes | None) -> list[int]:
    return [int(k) for k in np.frombuffer(data, dtype="<i8")] if data else []
