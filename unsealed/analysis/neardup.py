"""Near-duplicate signatures: MinHash (rensa) over word shingles of normalised text, and LSH bands.

Text is normalised before shingling so copies that differ only in what a release changes between
productions still match: case, punctuation, line breaks (reflowed text) and Bates stamps (every
copy has its own) are dropped. A signature's bands are what the store indexes: two texts sharing a
band key are candidates, and their signatures' agreement estimates their Jaccard similarity
(`similarity`), which decides.

Pages and documents (`signed_document`) are signed in bulk, as the ingest workers do for every
page: words by `str.translate` and `split`, Bates stamps looked for only in a page's first and last
lines (where productions print them), each word hashed once by rensa, shingles hashed from their
words' hashes with numpy, every MinHash of a document in one rensa call and every band key in one
numpy pass (~25 µs a page, a fifth of hashing shingle strings one page at a time). A free text
(`signature`: an e-mail body, which may hold a stamp anywhere) keeps its own normalisation.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from itertools import chain

import numpy as np
from rensa import RMinHash

from unsealed.config import DedupOptions
from unsealed.domain import BATES_TOKEN

_WORD = re.compile(r"[a-z0-9]+")
_BATES_WORD = re.compile(r"\b[a-z]{2,}[_-]?\d{6,10}\b")
_SIX_DIGITS = re.compile(r"\d{6}")
_ASCII_SIX_DIGITS = re.compile(rb"\d{6}")
_ASCII_BATES_TOKEN = re.compile(BATES_TOKEN.pattern.encode("ascii"))
_ASCII_WHITE_SPACE = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # what `str.strip` strips among ASCII
_NOT_DIGITS = bytes(code for code in range(256) if not 48 <= code <= 57)
SEED = 20261201
MIN_WORDS = 8  # a page with fewer words (a cover, a blank) gets no signature
EDGE_LINES = 3  # lines at the top and at the foot of a page searched for Bates stamps
_PUNCTUATION = str.maketrans(
    dict.fromkeys(
        "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\u2018\u2019\u201c\u201d\u2013\u2014\u2022\u2026\u00b7", " "
    )
)
# The same for an ASCII text's bytes (its fast path), with the separators `str.split` knows among
# ASCII characters that `bytes.split` does not (\x1c-\x1f), so both split alike.
_ASCII_SEPARATORS = bytes(
    32 if chr(code) in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\x1c\x1d\x1e\x1f" else code for code in range(256)
)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd multiplier of the shingle and band hashes (golden ratio)
_U64 = np.uint64


@dataclass(frozen=True)
class Banding:
    bands: int
    rows: int

    @classmethod
    def for_options(cls, options: DedupOptions) -> Banding:
        rows = options.rows
        return cls(options.permutations // rows, rows)


# --- free text (an e-mail body) -----------------------------------------------------------------


def words(text: str) -> list[str]:
    """Lower-case words without punctuation or Bates stamps (anywhere in the text)."""
    return _WORD.findall(_BATES_WORD.sub(" ", text.lower()))


def shingles(tokens: list[str], size: int) -> list[str]:
    if len(tokens) <= size:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(window) for window in zip(*(tokens[i:] for i in range(size)), strict=False)]


def signature(text: str, options: DedupOptions) -> np.ndarray | None:
    """The MinHash of a free text's shingles (uint32), or None when it has too few words."""
    return signature_of_words(words(text), options)


def signature_of_words(tokens: list[str], options: DedupOptions) -> np.ndarray | None:
    """`signature` of words already split by `words` (a thread body's, whose count is kept too)."""
    if len(tokens) < MIN_WORDS:
        return None
    minhash = RMinHash(num_perm=options.permutations, seed=SEED)
    minhash.update(shingles(tokens, options.shingle))
    return np.asarray(minhash.digest(), dtype=np.uint32)


# --- pages and documents ------------------------------------------------------------------------


def _edges(text: str) -> tuple[int, int]:
    """Where the first EDGE_LINES lines end and the last EDGE_LINES begin."""
    head = 0
    for _ in range(EDGE_LINES):
        head = text.find("\n", head) + 1
        if head == 0:
            return len(text), 0
    tail = len(text.rstrip())
    for _ in range(EDGE_LINES):
        tail = text.rfind("\n", 0, tail)
        if tail < 0:
            return len(text), 0
    return head, tail


def _ascii_edges(data: bytes) -> tuple[int, int]:
    """`_edges` of an ASCII text's bytes (the same positions: `str.rstrip` also strips \\x1c-\\x1f)."""
    head = 0
    for _ in range(EDGE_LINES):
        head = data.find(b"\n", head) + 1
        if head == 0:
            return len(data), 0
    tail = len(data.rstrip(_ASCII_WHITE_SPACE))
    for _ in range(EDGE_LINES):
        tail = data.rfind(b"\n", 0, tail)
        if tail < 0:
            return len(data), 0
    return head, tail


def page_words(text: str) -> list[bytes]:
    """A page's words (UTF-8): lower case, split at white space and punctuation, without the Bates
    stamps printed in its first or last lines. An ASCII text (most pages) is read as bytes: a few C
    passes and no `str` per word, the same words as the `str` path's (rensa hashes a word's bytes as
    it hashes the word)."""
    if text.isascii():
        data = text.encode("ascii")
        head, tail = _ascii_edges(data)
        if tail <= head:
            data = _ascii_unstamped(data)
        else:
            data = _ascii_unstamped(data[:head]) + data[head:tail] + _ascii_unstamped(data[tail:])
        return data.lower().translate(_ASCII_SEPARATORS).split()
    head, tail = _edges(text)
    if tail <= head:
        text = _unstamped(text)
    else:
        text = _unstamped(text[:head]) + text[head:tail] + _unstamped(text[tail:])
    return [word.encode() for word in text.lower().translate(_PUNCTUATION).split()]


def _unstamped(part: str) -> str:
    """`part` without its Bates stamps (the stamp pattern is tried only where 6 digits are)."""
    return BATES_TOKEN.sub(" ", part) if _SIX_DIGITS.search(part) else part


def _ascii_unstamped(part: bytes) -> bytes:
    """`_unstamped` of ASCII bytes: the same pattern as bytes (on ASCII, `\\d` and the classes
    match alike), tried only where at least 6 digits are (counted by one `translate`)."""
    if len(part.translate(None, _NOT_DIGITS)) < 6 or not _ASCII_SIX_DIGITS.search(part):
        return part
    return _ASCII_BATES_TOKEN.sub(b" ", part)


def shingle_hashes(tokens: list[bytes], size: int) -> np.ndarray:
    """One 64-bit hash per run of `size` consecutive words (the words hashed once, by rensa)."""
    hashes = np.fromiter(RMinHash.hash_token_sets([tokens])[0], dtype=_U64, count=len(tokens))
    count = len(hashes) - size + 1
    if count <= 0:
        return np.empty(0, dtype=_U64)
    out = hashes[:count].copy()
    for offset in range(1, size):
        out = out * _MIX + hashes[offset : offset + count]
    return out ^ (out >> _U64(29))


def minhashes(rows: list[np.ndarray], options: DedupOptions) -> np.ndarray:
    """The MinHash of each row of shingle hashes, (rows, permutations) uint32, in one rensa call."""
    offsets = np.cumsum([0, *(len(r) for r in rows)], dtype=_U64)
    matrix = RMinHash.digest_matrix_from_flat_token_hashes(
        np.concatenate(rows), offsets, options.permutations, SEED
    )
    return np.array(matrix.to_rows(), dtype=np.uint32)


def band_matrix(sigs: np.ndarray, banding: Banding, kinds: np.ndarray) -> np.ndarray:
    """One 56-bit key per band of each signature (a row of `sigs`); the band's number and the row's
    kind (0 pages, 1 documents) are part of it. int64, (rows, bands)."""
    values = (
        sigs[:, : banding.bands * banding.rows].astype(_U64).reshape(len(sigs), banding.bands, banding.rows)
    )
    key = values[:, :, 0]
    for row in range(1, banding.rows):
        key = key * _MIX + values[:, :, row]
    key = key + (np.arange(banding.bands, dtype=_U64) << _U64(40)) + (kinds.astype(_U64) << _U64(56))[:, None]
    key = (key ^ (key >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)  # splitmix64's finaliser
    key = (key ^ (key >> _U64(27))) * _U64(0x94D049BB133111EB)
    return ((key ^ (key >> _U64(31))) >> _U64(8)).astype(np.int64)


def band_keys(sig: np.ndarray, banding: Banding, kind: int = 0) -> list[int]:
    """The band keys of one signature (see `band_matrix`)."""
    return band_matrix(sig[None, :], banding, np.array([kind])).ravel().tolist()


def exact_key(tokens: list[bytes], kind: int = 0) -> int | None:
    """For a text too short to sign: one key shared only by texts with the same normalised words."""
    if not tokens:
        return None
    digest = hashlib.blake2b(b" ".join(tokens), digest_size=7, person=b"exact" + bytes([kind]))
    return int.from_bytes(digest.digest(), "little")


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets."""
    return float(np.count_nonzero(a == b)) / len(a)


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<u4")


Signed = tuple[bytes | None, bytes]  # (signature, its band keys packed as little-endian int64)


def _exact(tokens: list[bytes], kind: int) -> Signed:
    key = exact_key(tokens, kind)
    return None, np.array([] if key is None else [key], dtype="<i8").tobytes()


def signed_document(texts: list[str], options: DedupOptions, banding: Banding) -> tuple[Signed, list[Signed]]:
    """The document's and each page's (signature, bands). A page's shingles stay within it; the
    document's run across its page breaks. A text of fewer than MIN_WORDS words has no signature,
    only the key of its exact words."""
    tokens = [page_words(t) for t in texts]
    everything = list(chain.from_iterable(tokens))
    shortest = max(MIN_WORDS, options.shingle)
    shingled = shingle_hashes(everything, options.shingle)
    rows: list[np.ndarray] = []
    owners: list[int] = []  # the page index of each row; -1: the whole document
    start = 0
    for index, page in enumerate(tokens):
        if len(page) >= shortest:
            rows.append(shingled[start : start + len(page) - options.shingle + 1])
            owners.append(index)
        start += len(page)
    if len(texts) > 1 and len(everything) >= shortest:
        rows.append(shingled)
        owners.append(-1)
    if not rows:
        return _exact(everything, 1), [_exact(page, 0) for page in tokens]
    sigs = minhashes(rows, options)
    if len(texts) == 1:  # the document is its one page: the same signature, bands of its own kind
        sigs = np.vstack([sigs, sigs])
        owners.append(-1)
    keys = band_matrix(sigs, banding, np.array([owner < 0 for owner in owners])).astype("<i8")
    signed = {  # each row's bytes from one conversion of the whole matrix (as `to_bytes` writes them)
        owner: (sig.tobytes(), key.tobytes())
        for owner, sig, key in zip(owners, sigs.astype("<u4"), keys, strict=True)
    }
    pages = [signed.get(index) or _exact(page, 0) for index, page in enumerate(tokens)]
    return signed.get(-1) or _exact(everything, 1), pages


def page_signatures(texts: list[str], options: DedupOptions) -> list[np.ndarray | None]:
    """Each text's MinHash as a page's (None: too few words), many texts signed in one call."""
    rows = [shingle_hashes(page_words(t), options.shingle) for t in texts]
    shortest = max(MIN_WORDS, options.shingle) - options.shingle + 1
    signed = [i for i, row in enumerate(rows) if len(row) >= shortest]
    out: list[np.ndarray | None] = [None] * len(texts)
    if signed:
        for i, sig in zip(signed, minhashes([rows[i] for i in signed], options), strict=True):
            out[i] = sig
    return out
