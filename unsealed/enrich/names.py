"""Name forms: the cleaned display form of a mention, its matching key, and its OCR skeleton.

Two mentions of the same type with the same key are the same entity. The key folds case,
punctuation, diacritics, possessives, honorifics, a leading "the" and "Last, First" order;
country names and their abbreviations share a key (`US`, `U.S.`, `United States`).
The OCR skeleton folds the letter shapes Tesseract confuses (`rn`/`m`, `cl`/`d`, `li`/`h`, `b`/`h`)
so that variants of one name land close together; it is used only to compare and to block.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from normality import ascii_text
from rapidfuzz.distance import Levenshtein

HONORIFICS = frozenset(
    "mr mrs ms mx miss dr prof professor sir dame lord lady rev reverend hon judge justice sen senator "
    "rep gov governor mayor gen general col colonel capt captain lt sgt det detective agent atty esq "
    "jr sr ii iii congressman congresswoman chairman chairwoman president secretary minister ambassador "
    "director phd md".split()
)
_WS = re.compile(r"\s+")
_APOSTROPHES = re.compile(r"['’‘`´]")
_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$", re.IGNORECASE)
_NON_WORD = re.compile(r"[^a-z0-9@.+_-]+|(?<![a-z0-9])[.]|[.](?![a-z0-9])")
_EDGE_JUNK = "\"'“”‘’`´()[]{}<>,;:.!?*•·|/\\-–—_ "
_LEADING_ARTICLE = re.compile(r"^(?:the\s+|an?\s+(?=[A-Z][a-z]+\s+[A-Z]))", re.IGNORECASE)


_SOFT_HYPHEN = re.compile(r"([a-z])-[ \t]*\n[ \t]*([a-z])")


@lru_cache(maxsize=65536)
def clean_form(text: str) -> str:
    """The display form of a surface text: one line, no edge punctuation, no possessive or "the"."""
    text = _SOFT_HYPHEN.sub(r"\1\2", text).replace("=20", " ")  # `Organ-` / `isation`; `PremiAir=20 Aviation`
    form = _WS.sub(" ", text).strip(_EDGE_JUNK)
    form = _LEADING_ARTICLE.sub("", form)
    form = _POSSESSIVE.sub("", form) if len(form) > 3 else form
    form = re.sub(r"-\s+", "-", form)  # a word hyphenated across a line break
    form = re.sub(r"\s*=(?:[0-9A-F]{2})?$", "", form)  # quoted-printable debris (`Eric =`, `Miami=20`)
    return form.strip(_EDGE_JUNK)


@lru_cache(maxsize=262144)
def fold(text: str) -> str:
    """Lower case ASCII with apostrophes dropped and other punctuation as single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _APOSTROPHES.sub("", text)
    text = (ascii_text(text) or "").lower()
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return text.strip()


def _reorder_last_first(form: str) -> str:
    """`Harris, David` → `David Harris` (one comma, a short name on each side)."""
    parts = [p.strip() for p in form.split(",")]
    if len(parts) == 2 and all(parts) and len(parts[0].split()) <= 2 and len(parts[1].split()) <= 3:
        return f"{parts[1]} {parts[0]}"
    return form


def person_key(form: str) -> str:
    tokens = fold(_reorder_last_first(form)).split()
    while tokens and tokens[0] in HONORIFICS:
        tokens.pop(0)
    while len(tokens) > 1 and tokens[-1] in HONORIFICS:
        tokens.pop()
    return " ".join(tokens)


@lru_cache(maxsize=4096)
def country_code(form: str) -> str | None:
    """The ISO code when `form` is a country's name or abbreviation, not a city inside one."""
    from followthemoney.types import registry

    code = registry.country.clean(form)
    if code is None:
        return None
    letters = re.sub(r"[^A-Za-z]", "", form)
    if len(letters) == 2 and letters.lower() != code and letters.upper() != "UK":
        return None  # `NY`, `MA`: a state's code read as its country's, not a country's own
    if fold(registry.country.caption(code) or "") == fold(form) or (len(letters) <= 4 and letters.isupper()):
        return code
    return None


def warm_up() -> None:
    """Load the country tables (an import and a table of every territory name: seconds), so that
    resolution does not wait for them; ingest calls it in a thread while the workers read."""
    country_code("France")


def country_name(code: str) -> str:
    from followthemoney.types import registry

    return registry.country.caption(code) or code.upper()


def email_key(form: str) -> str:
    return form.strip().strip("<>[]()\"'.,;:").lower()


def url_key(form: str) -> str:
    key = re.sub(r"^(?:https?://)?(?:www\.)?", "", form.strip().lower())
    return key.rstrip("/.,;:)")


def name_key(form: str, entity_type: str) -> str:
    """The matching key of a cleaned form for an entity type (see module docstring)."""
    if entity_type == "PERSON":
        return person_key(form)
    if entity_type == "LOCATION":
        code = country_code(form)
        if code is not None:
            return f"country:{code}"
        return fold(form)
    if entity_type == "EMAIL":
        return email_key(form)
    if entity_type == "URL":
        return url_key(form)
    if entity_type == "PHONE":
        return form  # already E.164 or digits, made by the pattern extractor
    return fold(form)


def display_name(form: str, key: str, entity_type: str) -> str:
    """How an entity is shown: countries by their standard name, everything else as printed."""
    if entity_type == "LOCATION" and key.startswith("country:"):
        return country_name(key.split(":", 1)[1])
    return form


_OCR_PAIRS = (("rn", "m"), ("cl", "d"), ("li", "h"), ("vv", "w"), ("ii", "u"), ("0", "o"), ("5", "s"))
_OCR_CHARS = str.maketrans({"1": "l", "i": "l", "|": "l", "!": "l", "j": "l", "b": "h", "y": "v", "e": "c"})


@lru_cache(maxsize=65536)
def ocr_skeleton(key: str) -> str:
    """`key` with OCR-confusable letter shapes folded together (`liarpaz` and `harpaz` agree)."""
    out = key
    for src, dst in _OCR_PAIRS:
        out = out.replace(src, dst)
    return out.translate(_OCR_CHARS)


def ocr_variant_of(word: str, known: Counter[str], min_count: int) -> str | None:
    """The known name word that `word` is an OCR variant of (skeleton within one edit)."""
    if len(word) < 3:
        return None
    skel = ocr_skeleton(word)
    best = None
    for cand, count in known.items():
        if count < min_count or cand == word or abs(len(cand) - len(word)) > 1 or len(cand) < 4:
            continue
        if Levenshtein.distance(skel, ocr_skeleton(cand), score_cutoff=1) <= 1:
            if best is None or count > known[best]:
                best = cand
    return best
