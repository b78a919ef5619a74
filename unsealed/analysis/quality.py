"""A text-quality score (0-1) for one page's text, to choose between a text layer and OCR.

No dictionary is shipped; a token counts as *dictionary-like* when it looks like a word of a
Latin-script language (letters only, a plausible case pattern, a vowel, no long consonant runs or
letter triplets) or is a number, date, amount, e-mail address or URL. The score is

    quality = word_share * (1 - 2 * garbage_ratio) * density_factor     (clipped to 0-1)

- word_share: share of tokens that are dictionary-like;
- garbage_ratio: share of non-space characters that are control, private-use, replacement,
  box-drawing or other symbols OCR invents (| ~ ^ \\ { } ...);
- density_factor: characters per square inch of page, against a plausible range: a page whose
  text is far sparser than print (a Bates stamp only, over a scanned body) or far denser (text
  drawn twice) scores lower. 1 when the page size is unknown.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

# Characters per square inch: 10-12 pt body text is 20-40; a letter page holds ~94 square inches.
SPARSE_CHARS_PER_SQIN = 3.0
DENSE_CHARS_PER_SQIN = 120.0

_WORD = re.compile(r"^[^\W\d_]+(?:['’\-][^\W\d_]+)*$")
_NUMBERISH = re.compile(r"^[#$€£(]?[+\-]?\d[\d.,:/\-]*(?:%|[ap]\.?m\.?|st|nd|rd|th|s)?[)]?$", re.IGNORECASE)
_CODE = re.compile(r"^[A-Z]{1,6}[\-]?\d{2,}$")  # Bates numbers, case numbers: EFTA01197902
_EMAIL_OR_URL = re.compile(
    r"^(?:[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+|(?:https?://|www\.)\S+|[a-z][\w\-]*\.(?:com|org|net|gov|edu))$",
    re.IGNORECASE,
)
_STRIP = "\"'“”‘’()[]{}<>.,;:!?*«»—–-"
_VOWELS = set("aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿœ")
_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{6,}")
_TRIPLE = re.compile(r"(.)\1\1")
_GARBAGE_ASCII = set("|~^\\{}`¦§¬¤")
_GARBAGE_CATEGORIES = {"Cc", "Cf", "Co", "Cn", "Cs", "So", "Sk"}


class QualityReport(NamedTuple):  # built for every page: a tuple is the cheapest record
    score: float
    word_share: float
    garbage_ratio: float
    chars_per_sqin: float | None
    tokens: int


def is_wordlike(token: str) -> bool:
    """Whether a whitespace-separated token looks like a real word, number, address or code."""
    token = token.strip(_STRIP)
    if not token:
        return False
    if _NUMBERISH.match(token) or _CODE.match(token) or _EMAIL_OR_URL.match(token):
        return True
    if not _WORD.match(token) or len(token) > 30:
        return False
    letters = token.replace("'", "").replace("’", "").replace("-", "")
    if not (letters.islower() or letters.isupper() or (letters[0].isupper() and letters[1:].islower())):
        return False
    lower = letters.lower()
    if len(lower) == 1:
        return lower in {"a", "i", "o", "&"} or letters.isupper()
    if not any(ch in _VOWELS for ch in lower):
        return letters.isupper() and len(letters) <= 5  # acronyms: FBI, NY, DC
    return not (_CONSONANT_RUN.search(lower) or _TRIPLE.search(lower))


class _WordlikeCache(dict[str, bool]):
    """is_wordlike per token, remembered: words repeat, so most tokens of a page were seen before.
    A dict looked up through `map(cache.__getitem__, tokens)` costs half of an lru_cache call."""

    LIMIT = 65_536  # emptied when it holds more (OCR garbage makes endless new tokens)

    def __missing__(self, token: str) -> bool:
        value = self[token] = is_wordlike(token)
        return value

    def count(self, tokens: list[str]) -> int:
        if len(self) > self.LIMIT:
            self.clear()
        return sum(map(self.__getitem__, tokens))


_WORDLIKE = _WordlikeCache()


_ASCII_GARBAGE = re.compile(r"[|~^\\{}`\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@lru_cache(maxsize=4096)
def _is_garbage_char(ch: str) -> bool:
    """A non-ASCII character OCR invents: controls, private use, symbols, box drawing, U+FFFD."""
    if ch in _GARBAGE_ASCII or ch == "\ufffd":
        return True
    category = unicodedata.category(ch)
    return category in _GARBAGE_CATEGORIES or 0x2500 <= ord(ch) <= 0x259F


# Deletes every ASCII character that is not garbage: what is left of an ASCII text is its garbage.
_ASCII_CLEAN = str.maketrans(dict.fromkeys(ch for ch in map(chr, range(128)) if not _ASCII_GARBAGE.match(ch)))


def _garbage_count(text: str) -> int:
    if text.isascii():  # the usual text layer: one pass in C
        return len(text.translate(_ASCII_CLEAN))
    return len(_ASCII_GARBAGE.findall(text)) + sum(
        1 for ch in _NON_ASCII.findall(text) if _is_garbage_char(ch)
    )


def _density_factor(chars_per_sqin: float | None) -> float:
    if chars_per_sqin is None:
        return 1.0
    if chars_per_sqin < SPARSE_CHARS_PER_SQIN:
        return chars_per_sqin / SPARSE_CHARS_PER_SQIN
    if chars_per_sqin > DENSE_CHARS_PER_SQIN:
        return DENSE_CHARS_PER_SQIN / chars_per_sqin
    return 1.0


def assess(text: str, width_pt: float | None = None, height_pt: float | None = None) -> QualityReport:
    """Score `text` as the text of a page of the given size in points."""
    tokens = text.split()
    visible = len("".join(tokens))
    if not tokens or not visible:
        return QualityReport(0.0, 0.0, 0.0, 0.0 if width_pt and height_pt else None, 0)
    word_share = _WORDLIKE.count(tokens) / len(tokens)
    garbage_ratio = _garbage_count(text) / visible
    density = None
    if width_pt and height_pt:
        density = visible / (width_pt * height_pt / 72.0 / 72.0)
    score = word_share * max(0.0, 1.0 - 2.0 * garbage_ratio) * _density_factor(density)
    return QualityReport(
        score=round(min(1.0, max(0.0, score)), 4),
        word_share=word_share,
        garbage_ratio=garbage_ratio,
        chars_per_sqin=density,
        tokens=len(tokens),
    )


def quality_score(text: str, width_pt: float | None = None, height_pt: float | None = None) -> float:
    return assess(text, width_pt, height_pt).score
