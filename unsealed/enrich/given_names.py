"""Given names from a maintained list (gender-guesser's name dictionary, 2016: first names of 50+
countries, each with how common it is in each country). The small tagger often calls a person an
organisation or a place when the document gives it nothing else to go on (`Greg Curl from Bank of
America`, `nasty Darin`); a span that starts with a common given name is then a person's, unless
its form says otherwise. Rare entries (`Merrill`, `General`, `Royal`) are left out.
"""

from __future__ import annotations

from functools import lru_cache

# gender-guesser's frequency classes run from 1 (rare) to 13 (D, very common) per country; 3 keeps
# names that are common somewhere (Darin, Greg, Ajit) and leaves out words that are also rare names.
COMMON = 3


@lru_cache(maxsize=1)
def _given_names() -> frozenset[str]:
    from gender_guesser.detector import Detector

    names = Detector(case_sensitive=False).names
    return frozenset(
        name
        for name, by_gender in names.items()
        if len(name) >= 3
        and name.isalpha()
        and any(c != " " and int(c, 16) >= COMMON for counts in by_gender.values() for c in counts)
    )


def load_given_names() -> None:
    """Load the list now (about a fifth of a second), e.g. once before forking workers."""
    _given_names()


def is_given_name(word: str) -> bool:
    """`Greg`, `darin`: a common first name of the list (three letters or more, any case)."""
    return word.lower() in _given_names()
