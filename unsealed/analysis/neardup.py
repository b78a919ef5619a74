"""Near-duplicate signatures: MinHash (rensa) over word shingles of normalised text, and LSH bands.

Text is normalised before shingling so copies that differ only in what a release changes between
productions still match: case, punctuation, line breaks (reflowed text) and Bates stamps (every
copy has its own) are dropped. A signature's bands are what the store indexes: two texts sharing a
band key are candidates, and their signatures' agreement estimates their Jaccard similarity
(`similarity`), which decides.

Pages and documents (`signed_documents`) are signed in bulk, as the ingest workers do for every
page: each page normalised to bytes (`str.translate`-style passes, Bates stamps looked for only in
its first and last lines, where productions print them), then the words of all the pages of a task's
documents found and hashed in one numpy pass (`word_hashes`: no Python object per word), shingles
hashed from their words' hashes with numpy, every MinHash in one rensa call and every band key in
one numpy pass. A free text (`signature`: an e-mail body, which may hold a stamp anywhere) keeps its
own normalisation and rensa's hashing of shingle strings.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

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
_ASCII_LOWER_SEPARATORS = bytes(_ASCII_SEPARATORS).lower()  # `bytes.lower` and the above in one pass
# After `_ASCII_SEPARATORS`, the bytes `bytes.split` splits at (0) and those of words (1).
_WORD_FLAGS = bytes(0 if chr(code) in " \t\n\r\x0b\x0c" else 1 for code in range(256))
_BYTE_MASKS = np.array([(1 << (8 * n)) - 1 for n in range(9)], dtype=np.uint64)  # the n low bytes
_CHUNKS = 4  # a word's bytes read 8 at a time up to 32; a longer word is hashed by blake2b
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
    stamps printed in its first or last lines."""
    return _page_bytes(text).split()


def _page_bytes(text: str) -> bytes:
    """A page's normalised text as bytes in which ASCII white space separates its words (`page_words`
    splits it). An ASCII text (most pages) is read as bytes: a few C passes and no `str` per word;
    another keeps `str` (Unicode case, punctuation and white space) and joins its words by spaces."""
    if text.isascii():
        data = text.encode("ascii")
        head, tail = _ascii_edges(data)
        if tail <= head:
            data = _ascii_unstamped(data)
        else:
            data = _ascii_unstamped(data[:head]) + data[head:tail] + _ascii_unstamped(data[tail:])
        return data.translate(_ASCII_LOWER_SEPARATORS)
    head, tail = _edges(text)
    if tail <= head:
        text = _unstamped(text)
    else:
        text = _unstamped(text[:head]) + text[head:tail] + _unstamped(text[tail:])
    return " ".join(text.lower().translate(_PUNCTUATION).split()).encode()


def _unstamped(part: str) -> str:
    """`part` without its Bates stamps (the stamp pattern is tried only where 6 digits are)."""
    return BATES_TOKEN.sub(" ", part) if _SIX_DIGITS.search(part) else part


def _ascii_unstamped(part: bytes) -> bytes:
    """`_unstamped` of ASCII bytes: the same pattern as bytes (on ASCII, `\\d` and the classes
    match alike), tried only where at least 6 digits are (counted by one `translate`)."""
    if len(part.translate(None, _NOT_DIGITS)) < 6 or not _ASCII_SIX_DIGITS.search(part):
        return part
    return _ASCII_BATES_TOKEN.sub(b" ", part)


def _word_spans(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Where each word of `data` (runs of bytes between ASCII white space, as `bytes.split` finds
    them) starts and ends."""
    flags = np.frombuffer(b"\0" + data.translate(_WORD_FLAGS) + b"\0", dtype=np.int8)
    change = np.flatnonzero(flags[1:] != flags[:-1])
    return change[0::2], change[1::2]


def _mix(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, element-wise (a bijection of uint64 that spreads every bit)."""
    values = (values ^ (values >> _U64(30))) * _U64(0xBF58476D1CE4E5B9)
    values = (values ^ (values >> _U64(27))) * _U64(0x94D049BB133111EB)
    return values ^ (values >> _U64(31))


def word_hashes(data: bytes) -> np.ndarray:
    """One 64-bit hash per word of `data` (see `_word_spans`); it depends only on the word's bytes."""
    return _span_hashes(data, *_word_spans(data))


def _span_hashes(data: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """`word_hashes` of the words at these spans, with numpy over the whole buffer: a word's first 8
    bytes are read as one little-endian integer (an unaligned view at every byte offset), masked to
    its length, plus its length times an odd constant; bytes 8-31 of a longer word are added 8 at a
    time (multiplying by the constant between), then splitmix64's finaliser spreads every bit. A word
    over 32 bytes (rare: a URL, a run of symbols) is hashed whole by blake2b."""
    if not len(starts):
        return np.empty(0, dtype=_U64)
    # the 8 bytes from each offset, as one integer
    view = np.ndarray((len(data) + 1,), dtype="<u8", buffer=data + bytes(8), strides=(1,))
    lengths = ends - starts
    hashes = (view[starts] & _BYTE_MASKS[np.minimum(lengths, 8)]) + lengths.astype(_U64) * _MIX
    longer = np.flatnonzero(lengths > 8)
    for chunk in range(1, _CHUNKS):
        if not len(longer):
            break
        rest = np.minimum(lengths[longer] - 8 * chunk, 8)
        hashes[longer] = hashes[longer] * _MIX + (view[starts[longer] + 8 * chunk] & _BYTE_MASKS[rest])
        longer = longer[rest == 8]  # those with bytes left
    hashes = _mix(hashes)
    for index in longer[lengths[longer] > 8 * _CHUNKS].tolist():
        digest = hashlib.blake2b(data[starts[index] : ends[index]], digest_size=8, person=b"word")
        hashes[index] = int.from_bytes(digest.digest(), "little")
    return hashes


def _shingled(hashes: np.ndarray, size: int) -> np.ndarray:
    """One 64-bit hash per run of `size` consecutive word hashes."""
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
    return signed_documents([texts], options, banding)[0]


def signed_documents(
    documents: list[list[str]], options: DedupOptions, banding: Banding
) -> list[tuple[Signed, list[Signed]]]:
    """`signed_document` of each document (its pages' texts), all of them in one pass: their words
    hashed together, every MinHash in one rensa call and every band key in one numpy pass (a worker
    signs the few files of its task at once: the per-call costs are paid once, not once a file)."""
    size, shortest = options.shingle, max(MIN_WORDS, options.shingle)
    parts = [[_page_bytes(t) for t in texts] for texts in documents]
    flat = [part for pages in parts for part in pages]
    data = b"\n".join(flat)
    starts, ends = _word_spans(data)
    hashes = _span_hashes(data, starts, ends)  # every word of every document, in one numpy pass
    bounds = np.cumsum([len(part) + 1 for part in flat])  # where each page's bytes end, its "\n" included
    counts = np.bincount(np.searchsorted(bounds, starts, side="right"), minlength=len(flat)).tolist()
    shingled = _shingled(hashes, size)  # rows below never take a shingle across two documents
    rows: list[np.ndarray] = []
    owners: list[tuple[int, int]] = []  # (document, page index) of each row; page -1: the whole document
    word = page = 0
    for doc, pages in enumerate(parts):
        first = word
        for index in range(len(pages)):
            count = counts[page]
            if count >= shortest:
                rows.append(shingled[word : word + count - size + 1])
                owners.append((doc, index))
            word, page = word + count, page + 1
        if len(pages) > 1 and word - first >= shortest:
            rows.append(shingled[first : word - size + 1])
            owners.append((doc, -1))
        elif len(pages) == 1 and owners and owners[-1] == (doc, 0):  # the document is its one page:
            rows.append(rows[-1])  # the same signature, bands of its own kind
            owners.append((doc, -1))
    signed: dict[tuple[int, int], Signed] = {}
    if rows:
        sigs = minhashes(rows, options)
        keys = band_matrix(sigs, banding, np.array([index < 0 for _, index in owners])).astype("<i8")
        signed = {  # each row's bytes from one conversion of the whole matrix (as `to_bytes` writes them)
            owner: (sig.tobytes(), key.tobytes())
            for owner, sig, key in zip(owners, sigs.astype("<u4"), keys, strict=True)
        }
    return [
        (
            signed.get((doc, -1)) or _exact(b"\n".join(pages).split(), 1),
            [signed.get((doc, index)) or _exact(part.split(), 0) for index, part in enumerate(pages)],
        )
        for doc, pages in enumerate(parts)
    ]


def page_signatures(texts: list[str], options: DedupOptions) -> list[np.ndarray | None]:
    """Each text's MinHash as a page's (None: too few words), many texts signed in one call."""
    rows = [_shingled(word_hashes(_page_bytes(t)), options.shingle) for t in texts]
    shortest = max(MIN_WORDS, options.shingle) - options.shingle + 1
    signed = [i for i, row in enumerate(rows) if len(row) >= shortest]
    out: list[np.ndarray | None] = [None] * len(texts)
    if signed:
        for i, sig in zip(signed, minhashes([rows[i] for i in signed], options), strict=True):
            out[i] = sig
    return out
