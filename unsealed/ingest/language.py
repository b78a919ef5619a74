"""A document's language (ISO 639-1 code), from its text when there is enough of it.

langdetect is probabilistic; its seed is fixed so the same text always gives the same answer.
Bates stamps, numbers and e-mail addresses say nothing about language and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langdetect.detector_factory import DetectorFactory

MIN_CHARS = 100  # fewer letters of running text (a cover sheet, a table of names): no language
MAX_CHARS = 800  # enough prose for a confident guess; langdetect is linear in text and slow
MIN_PROBABILITY = 0.6

_NOISE = re.compile(r"\S*[\d@/\\_|]\S*")  # tokens with digits, addresses, paths
_WORD = re.compile(r"[^\W\d_]+")


@cache
def _factory() -> DetectorFactory:
    """Our own detector factory (profiles loaded once per process), seeded for determinism."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.seed = 0
    return factory


def preload() -> None:
    """Load the language profiles now (0.5 s), e.g. in a parent process before it forks workers."""
    _factory()


def _prose_letters(text: str) -> int:
    """Letters in running-text words: Title-case and CAPITAL tokens (names, codes, headings) are
    left out, so a table of names and airport codes is not mistaken for prose of some language."""
    return sum(len(w) for w in _WORD.findall(text) if not (w.isupper() or w.istitle()))


def detect_language(text: str, min_chars: int = MIN_CHARS) -> str | None:
    """The language of `text`, or None when it is too short or no language is likely enough."""
    from langdetect.lang_detect_exception import LangDetectException

    cleaned = " ".join(_NOISE.sub(" ", text[: MAX_CHARS * 2]).split())[:MAX_CHARS]
    if _prose_letters(cleaned) < min_chars:
        return None
    detector = _factory().create()
    detector.append(cleaned)
    try:
        best = detector.get_probabilities()
    except LangDetectException:
        return None
    if not best or best[0].prob < MIN_PROBABILITY:
        return None
    return str(best[0].lang)


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
