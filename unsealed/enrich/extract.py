"""Mentions of one document: NER + patterns per page, cleaned, with document-level repairs.

Repairs use only what the same document says: a name wrapped over two lines or split in two by the
tagger is joined; a person's name is extended by the next word when that word is an OCR variant of a
name the document uses elsewhere (`Avinoam 'clan` where `Idan` recurs); the surname of a full name
is found again where the tagger missed it, also in OCR-damaged form (`liarpaz` for `Harpaz`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate

from unsealed.domain import NAME_TYPES
from unsealed.enrich import ner, patterns, statements, tagging
from unsealed.enrich.doc_evidence import (
    coordinated_orgs,
    domain_names,
    domain_orgs,
    finish_cut_word,
    grow_damaged_tail,
    grow_over_break,
    is_pair_of_people,
    join_over_break,
)
from unsealed.enrich.furniture import (
    cut_at_labels,
    furniture_spans,
    is_any_place,
    is_place,
    is_region,
    is_state_code,
    load_places,
    on_furniture,
)
from unsealed.enrich.given_names import is_given_name, load_given_names
from unsealed.enrich.header_names import header_people
from unsealed.enrich.layout import HEADER_LINE, SENTENCE_END
from unsealed.enrich.names import (
    HONORIFICS,
    clean_form,
    country_code,
    fold,
    ocr_skeleton,
    ocr_variant_of,
    person_key,
)
from unsealed.enrich.noise import DEGREES, is_common_word, is_noise
from unsealed.enrich.org_context import org_in_context
from unsealed.enrich.orgs import (
    COMPANY_WORDS,
    HEADS,
    SUFFIX_RULE,
    head_runs,
    is_company_name,
    last_word,
    merge_org_names,
    suffixed_names,
)
from unsealed.enrich.regions import EXTRACTOR as GAZETTEER_RULE
from unsealed.enrich.regions import is_region_name, load_regions, missed_places, split_place_country
from unsealed.enrich.spans import Found
from unsealed.enrich.statements import EXTRACTOR as CARD_RULE
from unsealed.enrich.statements import descriptor_spans

_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
ADDRESS_WORDS = frozenset("st street ave avenue rd road blvd boulevard suite ste floor lane drive".split())


@dataclass
class PageMention:
    page_number: int
    found: Found


def soften_newlines(text: str) -> str:
    """Same-length text where a line break inside running prose becomes a space.

    A break stays when the line before is short or ends a sentence, or the next line is a
    `Label:` line, so header fields and table rows are not run together.
    """
    lines = text.split("\n")
    out = []
    for i, line in enumerate(lines[:-1]):
        nxt = lines[i + 1]
        soft = len(line.strip()) >= 30 and not line.rstrip().endswith(tuple(SENTENCE_END))
        soft = soft and not HEADER_LINE.match(nxt) and bool(nxt.strip())
        out.append(line + (" " if soft else "\n"))
    out.append(lines[-1])
    return "".join(out)


def _drop_code_prefix(form: str) -> str:
    """`STT M. Kessler` → `M. Kessler`: a short all-caps code run into a name from a table column."""
    words = form.split(" ")
    while len(words) > 1 and words[0].isupper() and len(words[0]) <= 4 and not words[1].isupper():
        if re.fullmatch(r"[A-Z]\.?|(?:[A-Z]\.)+", words[0]):
            break  # initials (`M.`, `E.O.`), not a code
        words = words[1:]
    return " ".join(words)


def _drop_common_edges(form: str, lowercase: frozenset[str]) -> str:
    """`State Hillary Clinton` → `Hillary Clinton`, `Elisa New Director` → `Elisa New`: edge words
    the document also prints in lower case (roles, verbs) are not part of a name of two words or more."""
    words = form.split(" ")
    while len(words) > 2 and fold(words[0]) in lowercase:
        words = words[1:]
    while len(words) > 2 and fold(words[-1]) in lowercase:
        words = words[:-1]
    return " ".join(words)


def _role_words(piece: str, lowercase: frozenset[str]) -> bool:
    """A line piece of nothing but titles and words the document prints in lower case (`PhD`,
    `Please`); an organisation's name ends with common nouns (`Private` / `Equity`), so for it
    `lowercase` is empty."""
    words = fold(piece).split()
    return all(w in HONORIFICS or w in lowercase for w in words)


def _cut_at_breaks(found: Found, lowercase: frozenset[str]) -> Found | None:
    """A span over line breaks without its edge lines of titles or ordinary words (`PhD` /
    `Karin Hehenberger`, `New York City` / `Please`); over two breaks or more (a letterhead or a
    column: `EverWatch Financial` / `Team Bios` / `CARLO ...`), only its first line with a name."""
    if "\n" not in found.text:
        return found
    pieces, offset = [], found.start
    for line in found.text.split("\n"):
        if line.strip():
            pieces.append((offset, line))
        offset += len(line) + 1
    if found.type == "ORG":
        lowercase = frozenset()
    while pieces and _role_words(pieces[0][1], lowercase):
        pieces.pop(0)
    while pieces and _role_words(pieces[-1][1], lowercase):
        pieces.pop()
    if not pieces:
        return None
    if len(pieces) >= 3:
        pieces = pieces[:1]
    start, end = pieces[0][0], pieces[-1][0] + len(pieces[-1][1])
    return Found(start, end, found.text[start - found.start : end - found.start], found.type, found.extractor)


def _cut_after_possessive(found: Found) -> Found:
    """`Obama’s State` → `Obama’s`: a person's name ends at a possessive."""
    m = re.search(r"\w['’]s\b(?=\s+\S)", found.text)
    if found.type != "PERSON" or m is None:
        return found
    return Found(found.start, found.start + m.end(), found.text[: m.end()], found.type, found.extractor)


# Words a sentence may start with that no name starts with (`Before Deutsche Bank`).
LEADING_FUNCTION_WORDS = frozenset(
    "before after at in on with from since during by and or but while when for to of as if than "
    "then also so yet via per".split()
)
TRAILING_CONNECTORS = frozenset("of for and & the on at in to".split())
_AMOUNT_TAIL = re.compile(r"\s+\S*\d\S*\s+(?:million|billion|bn|m|k|thousand)$", re.IGNORECASE)


_GLUED_FUNCTION_WORD = re.compile(r"(?:in|of|at|on|to|the|and|for|by|from|with)([A-Z][a-z][\w'’-]*)")


def _drop_function_edges(form: str, kind: str) -> str:
    """`Before Deutsche Bank` → `Deutsche Bank`; `Craig the` → `Craig`; `Deutsche Barks E6 billion`
    → `Deutsche Barks`: a sentence's first word, a lower-case word after a person's name and an
    amount after an organisation's are not part of the name."""
    words = form.split(" ")
    glued = _GLUED_FUNCTION_WORD.fullmatch(words[0])
    if glued:
        words[0] = glued.group(1)  # `inNew York Review of Books`: a space lost by OCR
    while len(words) > 1 and words[0].lower() in LEADING_FUNCTION_WORDS:
        words = words[1:]
    while kind == "PERSON" and len(words) > 1 and words[-1].isalpha() and words[-1].islower():
        words = words[:-1]
    while len(words) > 1 and words[-1].lower() in TRAILING_CONNECTORS:
        words = words[:-1]  # `Global Head of`
    joined = " ".join(words)
    return _AMOUNT_TAIL.sub("", joined) if kind == "ORG" else joined


def trim(found: Found, text: str, lowercase: frozenset[str] = frozenset()) -> Found | None:
    """The span without a leading "the", edge punctuation, a trailing possessive, a table code, or
    (people) edge words the document prints in lower case; cut at line breaks and possessives."""
    cut = _cut_at_breaks(found, lowercase)
    if cut is None:
        return None
    found = _cut_after_possessive(cut)
    form = _drop_function_edges(clean_form(found.text), found.type)
    if found.type == "PERSON":
        form = _drop_code_prefix(form)
        form = _drop_function_edges(_drop_common_edges(form, lowercase), found.type)
    if not form:
        return None
    start = text.find(form.split(" ")[0], found.start, found.end)
    if start < 0:
        return None
    last = form.split(" ")[-1]
    end = text.rfind(last, start, found.end)
    if end < 0:
        return None
    end += len(last)
    return Found(start, end, text[start:end], found.type, found.extractor, found.value)


def _demonyms(tagged: list[list[Found]]) -> frozenset[str]:
    """Words the tagger called NORP anywhere in the document (`Azeri`, `Jews`), folded."""
    return frozenset(w for page in tagged for f in page if f.type == ner.NORP for w in fold(f.text).split())


def _ends_with_demonym(form: str, demonyms: frozenset[str]) -> bool:
    words = fold(form).split()
    if not words:
        return False
    last = words[-1]
    return last in demonyms or last.removesuffix("s") in demonyms or last.removesuffix("es") in demonyms


# Common nouns that, printed just before a name, say it is an organisation's (`the airline Azal`).
ORG_NOUNS_BEFORE = frozenset(
    "airline carrier company firm bank newspaper magazine paper agency network channel broadcaster "
    "station brand maker manufacturer retailer chain website site fund charity foundation outlet "
    "publisher label studio startup insurer lender faction party movement".split()
)
# `Edward C. Kramer`, `EDWARD C. KRAMER`: a first name, a middle initial and a surname is a person's
# (a company with such a name ends with a company word, and that is checked after).
_INITIALLED = re.compile(r"[A-Z][A-Za-z'’-]+\s+[A-Z]\.\s+[A-Z][A-Za-z'’-]+")
_WORD_BEFORE = re.compile(r"([a-z]+),?[ ]$")  # `the airline Azal`, `a new faction, Atzmaut`
_THE_BEFORE = re.compile(r"\b[Tt]he(?:=20)?[ ]?$")
_ARTICLE_BEFORE = re.compile(r"\b[Aa]n?[ ](?:[a-z]+[ ])?$")  # `a new Torah scroll`


_STATE_AFTER = re.compile(r"(.+?),?\s+([A-Z][A-Za-z])\.?")  # `Savannah Ga`, `Reno, NV`


# Organisation head nouns that also end the names of places and events (`West Bank`, `Soviet Union`,
# `Russian Federation`, `San Remo Conference`): a place ending with one stays a place.
PLACE_HEADS = frozenset("bank union federation conference".split())


_DISTRICT_AFTER = re.compile(r",[ ]?D\.[ ]?[C0]\.?(?![\w])")
_INSTITUTION_AFTER = re.compile(r"[ ]?\n?[ ]?([A-Z][a-z]+|[A-Z]{4,})\b")
_COUNTRY_AFTER = re.compile(r"[ ]?(?:\(|,[ ])([A-Z][A-Za-z.]+)\)?")


def _place_not_person(form: str) -> str | None:
    """The place a "person" names: a country, US state or continent, a big city that is not also a
    common given name (`Moscow`, not `Austin`), or a city before a state's code (`Savannah` of
    `Savannah Ga`)."""
    if is_region(form):
        return form
    if is_given_name(form):
        return None
    if is_place(form):
        return form
    m = _STATE_AFTER.fullmatch(form)
    return m.group(1) if m is not None and is_state_code(m.group(2)) and is_any_place(m.group(1)) else None


def retype(found: Found, text: str) -> Found:
    """Fix the type of spans whose form gives it away: a street address (`214 Lincoln St.`) or a
    country, state or big city of the gazetteer (`Azerbaijan`) is a place; a "person" named just
    after an organisation noun (`the airline Azal`) is that organisation."""
    district = _DISTRICT_AFTER.match(text, found.end) if found.type == "LOCATION" else None
    if district:  # `Washington, D.C.` (OCR: `D.0`) is one place
        end = district.end()
        return Found(found.start, end, text[found.start : end], "LOCATION", found.extractor)
    place = _place_not_person(clean_form(found.text)) if found.type == "PERSON" else None
    if place is not None:
        start = text.find(place.split(" ")[0], found.start, found.end)
        end = text.rfind(place.split(" ")[-1], start, found.end) + len(place.split(" ")[-1])
        if start >= 0 and end > start:
            return Found(start, end, text[start:end], "LOCATION", found.extractor, found.value)
    before = _WORD_BEFORE.search(text, max(0, found.start - 20), found.start)
    unknown = found.type == "PERSON" or (
        found.type == "LOCATION" and not is_any_place(clean_form(found.text))
    )
    if unknown and before and before.group(1) in ORG_NOUNS_BEFORE:
        return Found(found.start, found.end, found.text, "ORG", found.extractor, found.value)
    head = _INSTITUTION_AFTER.match(text, found.end) if found.type == "LOCATION" else None
    if head and head.group(1).lower() in HEADS - PLACE_HEADS:  # `Cambridge` + `University`
        return Found(found.start, head.end(), text[found.start : head.end()], "ORG", found.extractor)
    country = _COUNTRY_AFTER.match(text, found.end) if found.type == "PERSON" else None
    in_country = country and (is_region_name(country.group(1)) or country_code(country.group(1)))
    if in_country and is_any_place(clean_form(found.text)):  # `Bristol (UK)`
        return Found(found.start, found.end, found.text, "LOCATION", found.extractor, found.value)
    if found.type != "PERSON" and _INITIALLED.fullmatch(clean_form(found.text)):
        return Found(found.start, found.end, found.text, "PERSON", found.extractor, found.value)
    form = clean_form(found.text)
    heads = found.type == "PERSON" or (found.type == "LOCATION" and last_word(form) not in PLACE_HEADS)
    if is_company_name(form, heads=heads) and found.type != "ORG":
        return Found(found.start, found.end, found.text, "ORG", found.extractor, found.value)
    numbered = re.search(r"\d+\s*$", text[max(0, found.start - 12) : found.start]) is not None
    if found.type != "LOCATION" and numbered and ADDRESS_WORDS & set(fold(found.text).split()):
        return Found(found.start, found.end, found.text, "LOCATION", found.extractor, found.value)
    return found


_NAME_WORD = re.compile(r"[A-Z](?:[a-z'’-][A-Za-z'’-]*)?\.?")  # `Greg`, `McGahn`, `O'Neil`; not `REED`
# Nouns that end the names of buildings and grounds (`Rose Garden`, `Lily Building`).
PLACE_NOUNS = frozenset(
    "garden gardens building tower plaza park hall house hotel club square airport".split()
)


def _plain_word(word: str, lowercase: frozenset[str], places: bool = True) -> bool:
    """A word that says nothing against a name: not a place (with `places=False`, any place may be named
    so), company word, organisation head noun, or word the document prints in lower case."""
    folded = fold(word)
    return not (
        not folded
        or folded in lowercase
        or folded in COMPANY_WORDS
        or folded in HEADS
        or folded in PLACE_NOUNS
        or folded in ADDRESS_WORDS
        or (places and is_any_place(word))
    )


ROLE_WORDS = (HONORIFICS - {"gen", "general", "ms", "sr", "jr", "ii", "iii", "md", "phd", "esq"}) | frozenset(
    "advisor adviser spokesman spokeswoman envoy".split()
)
_WORD_SPAN = re.compile(r"\S+")


def _after_title(found: Found) -> Found:
    """`National Security Advisor Ajit Kumar Doval` (tagged ORG): the two or three words after a
    title, to be judged on their own."""
    words = list(_WORD_SPAN.finditer(found.text))
    for i in (len(words) - 3, len(words) - 4):  # a title, then two or three words
        if i >= 0 and words[i].group().lower() in ROLE_WORDS:
            start = found.start + words[i + 1].start()
            return Found(start, found.end, found.text[words[i + 1].start() :], found.type, found.extractor)
    return found


def _capitals_line(found: Found, words: list[str], text: str) -> bool:
    """Two or three words in capitals, on a line of their own (a heading of a list of people)."""
    if not text or not (
        2 <= len(words) <= 3 and all(w.isupper() and w.isalpha() and len(w) > 1 for w in words)
    ):
        return False
    line_start = text.rfind("\n", 0, found.start) + 1
    line_end = text.find("\n", found.end)
    return (
        not text[line_start : found.start].strip()
        and not text[found.end : line_end % (len(text) + 1)].strip()
    )


def retype_given_name(found: Found, lowercase: frozenset[str], text: str = "") -> Found:
    """A span the tagger typed ORG or LOCATION with nothing else to go on is a person's when it is
    a common given name (`Darin`) or one + one or two surname words (`Greg Curl`, `Samantha
    Power`): no word is a place, a company word, a head noun or a word the document prints in lower
    case, and no later word is a given name too (`Morgan Stanley`)."""
    if found.type not in ("ORG", "LOCATION"):
        return found
    if found.text.count("\n") >= 2:  # only its first line will be kept (`ADAM GRAEV` / `Partner` / …)
        line = found.text.split("\n")[0].rstrip()
        head = Found(found.start, found.start + len(line), line, found.type, found.extractor, found.value)
        judged = retype_given_name(head, lowercase, text)
        return judged if judged.type == "PERSON" else found
    titled = _after_title(found)
    if titled is not found:  # the title says person: a second given name is no objection here
        words = clean_form(titled.text).split()
        if is_given_name(words[0]) and all(
            _NAME_WORD.fullmatch(w) and _plain_word(w, lowercase) for w in words
        ):
            return Found(titled.start, titled.end, titled.text, "PERSON", titled.extractor, titled.value)
        return found
    words = clean_form(found.text).split()
    if _capitals_line(found, words, text):  # `ADAM GRAEV` on a line of its own: judged as `Adam Graev`
        words = [w.title() for w in words]
    if not 1 <= len(words) <= 3 or not all(_NAME_WORD.fullmatch(w) for w in words):
        return found
    first = words[0]
    if not is_given_name(first) or (first.isupper() and len(first) <= 3):
        return found
    if len(words) == 1 and found.type == "ORG":
        return found  # a one-word organisation (`Mercedes`) is often a given name
    if (
        not all(_plain_word(w, lowercase) for w in words[1:])
        or is_place(first)
        or not _plain_word(first, lowercase, places=False)
    ):
        return found  # a given name may be a small town's too (`Adam`), not a big city's (`Austin`)
    if any(is_given_name(w) for w in words[1:]) or is_any_place(" ".join(words)):
        return found
    return Found(found.start, found.end, found.text, "PERSON", found.extractor, found.value)


def _among_degrees(found: Found, text: str) -> bool:
    """A degree's letters printed in a list of degrees (`MD, PhD`), whatever the tagger says."""
    if fold(found.text) not in DEGREES:
        return False
    after = re.match(r"\s*,\s*([A-Za-z]{2,6})\b", text[found.end : found.end + 12])
    before = re.search(r"\b([A-Za-z]{2,6})\.?\s*,\s*$", text[max(0, found.start - 12) : found.start])
    return any(m is not None and fold(m.group(1)) in DEGREES for m in (after, before))


def _named_place(found: Found, form: str) -> bool:
    """A place the tagger found that the gazetteer knows (`Miami`, also printed `miami` in a hasty
    e-mail): a capitalised place name is a name even where the document also prints it in lower
    case, unless it is short or a given name too (`Buy`, `Marina`)."""
    return (
        found.type == "LOCATION"
        and form[:1].isupper()
        and len(form) >= 4
        and is_any_place(form)
        and not is_given_name(form)
    )


_GIVEN_PAIR = re.compile(r"([A-Z][a-z]+) (?:and|&) ([A-Z][a-z]+)")


def _split_at_slash(found: Found) -> list[Found]:
    """`Chatterjee/Soros`, `Eden Roc/Fountain Blue`: two names printed with a slash between them
    (each side three letters or more, capitalised: `AC/DC` stays whole); and two given names
    joined by `and`/`&` (`Blake and Byron`) are two people."""
    pair = _GIVEN_PAIR.fullmatch(found.text)
    if pair and found.type != "LOCATION" and all(is_given_name(pair.group(i)) for i in (1, 2)):
        at = found.start  # `Blake and Byron`: two people, not an organisation
        sides = [(at + pair.start(i), at + pair.end(i), pair.group(i)) for i in (1, 2)]
        return [Found(start, end, name, "PERSON", found.extractor) for start, end, name in sides]
    parts = found.text.split("/")
    if len(parts) != 2 or not all(len(p.strip()) >= 3 for p in parts):
        return [found]
    if not (parts[0].split()[-1][:1].isupper() and parts[1].split()[0][:1].isupper()):
        return [found]
    left, right = parts
    cut = found.start + len(left)
    return [
        Found(found.start, cut, left, found.type, found.extractor),
        Found(cut + 1, found.end, right, found.type, found.extractor),
    ]


def _lowercase_words(texts: list[str]) -> frozenset[str]:
    return frozenset(fold(w) for t in texts for w in _WORD.findall(t) if w.islower())


def _join_adjacent(items: list[Found], text: str) -> list[Found]:
    """Two name spans separated by one space or line break are one name (`Alina Dain` + `Sharon`)."""
    items = sorted(items, key=lambda f: f.start)
    out: list[Found] = []
    for item in items:
        prev = out[-1] if out else None
        gap = text[prev.end : item.start] if prev else ""
        if (
            prev is not None
            and prev.type in NAME_TYPES
            and item.type in NAME_TYPES
            and "PERSON" in (prev.type, item.type)
            and (gap == " " or (gap == "\n" and " " not in prev.text + item.text))
            and item.text[:1].isupper()
        ):
            out[-1] = Found(prev.start, item.end, text[prev.start : item.end], "PERSON", prev.extractor)
        else:
            out.append(item)
    return out


def _name_words(items: list[PageMention]) -> Counter[str]:
    """How often each word occurs inside name mentions of the document (folded)."""
    counts: Counter[str] = Counter()
    for m in items:
        if m.found.type in NAME_TYPES:
            counts.update(fold(m.found.text).split())
    return counts


def _extend_person(m: PageMention, text: str, known: Counter[str], taken: list[Found]) -> None:
    """`Avinoam` + ` 'clan` → `Avinoam 'clan` when `'clan` is an OCR variant of a recurring name."""
    match = re.compile(r"[ ]['‘’\"]?([A-Za-z][a-z'’-]+)").match(text, m.found.end)
    if not match or any(t.start < match.end() and match.start() < t.end for t in taken):
        return
    word = fold(match.group(1))
    if word and ocr_variant_of(word, known, min_count=2):
        f = m.found
        m.found = Found(f.start, match.end(), text[f.start : match.end()], "PERSON", f.extractor)


class _Spans:
    """Spans of a page, asked many times whether any overlaps [start, end): sorted by start, with
    the furthest end reached so far, so each question is one bisection."""

    def __init__(self, spans: list[Found]):
        ordered = sorted(spans, key=lambda f: f.start)
        self.starts = [f.start for f in ordered]
        self.reach = list(accumulate((f.end for f in ordered), max))

    def overlap(self, start: int, end: int) -> bool:
        before = bisect_left(self.starts, end)  # the spans starting before `end`
        return before > 0 and self.reach[before - 1] > start


def _sweep_surnames(pages: list[tuple[int, str]], items: list[PageMention]) -> list[PageMention]:
    """Surnames of the document's full names where the tagger missed them, OCR variants included."""
    surnames: dict[str, str] = {}
    for m in items:
        if m.found.type == "PERSON":
            tokens = person_key(clean_form(m.found.text)).split()
            if len(tokens) >= 2 and len(tokens[-1]) >= 5:
                surnames[ocr_skeleton(tokens[-1])] = tokens[-1]
    added: list[PageMention] = []
    if not surnames:
        return added
    by_page: dict[int, list[Found]] = {}
    for m in items:
        by_page.setdefault(m.page_number, []).append(m.found)
    skeletons: dict[str, bool] = {}  # a word as printed → whether it is a surname's skeleton
    for number, text in pages:
        taken = _Spans(by_page.get(number, []))
        for match in _WORD.finditer(text):
            printed = match.group()
            if len(printed) < 5:
                continue
            hit = skeletons.get(printed)
            if hit is None:
                hit = skeletons[printed] = ocr_skeleton(fold(printed)) in surnames
            if not hit or taken.overlap(match.start(), match.end()):
                continue
            found = Found(match.start(), match.end(), printed, "PERSON", "rule:surname")
            added.append(PageMention(number, found))
    return added


def _address_names(form: str) -> set[str]:
    """The local parts a person's address is commonly made of (`barbro ehnbom` → `behnbom`,
    `barbro.ehnbom`, `barbroehnbom`, `bEhnbom`...), letters only."""
    words = fold(form).split()
    if not 2 <= len(words) <= 3 or min(len(w) for w in (words[0], words[-1])) < 2:
        return set()
    first, last = words[0], words[-1]
    return {first + last, first[0] + last, last + first, last + first[0], first + "." + last}


def _people_by_address(items: list[PageMention]) -> None:
    """A name tagged ORG or LOCATION is a person's when the document prints an address made of it
    (`Barbro Ehnbom` ... `behnbom@aol.com`): every mention of that form becomes PERSON."""
    locals_ = {
        re.sub(r"[^a-z.]", "", m.found.text.split("@")[0].lower())
        for m in items
        if m.found.type == "EMAIL" and "@" in m.found.text
    }
    if not locals_:
        return
    people = {
        fold(clean_form(m.found.text))
        for m in items
        if m.found.type in ("ORG", "LOCATION") and _address_names(clean_form(m.found.text)) & locals_
    }
    for m in items:
        if m.found.type in ("ORG", "LOCATION") and fold(clean_form(m.found.text)) in people:
            f = m.found
            m.found = Found(f.start, f.end, f.text, "PERSON", f.extractor, f.value)


def _missed_names(
    text: str, page: list[Found], domains: frozenset[str], lowercase: frozenset[str]
) -> list[Found]:
    """Places of the gazetteer and organisations named by the document's domains where no span
    stands; a place takes in the shorter places it covers (`US` of `US Virgin Islands`)."""
    spans = _Spans(page)

    def blocks_place(start: int, end: int) -> bool:
        return spans.overlap(start, end) and any(
            f.start < end
            and start < f.end
            and (f.type != "LOCATION" or (f.start, f.end) == (start, end) or f.start < start or f.end > end)
            for f in page
        )

    places = missed_places(text, blocks_place, lowercase)
    for place in places:
        page[:] = [
            f for f in page if not (f.type == "LOCATION" and place.start <= f.start and f.end <= place.end)
        ]
    spans = _Spans(page + places)
    return places + domain_orgs(text, domains, spans.overlap)


def _join_orgs_over_breaks(items: list[PageMention], texts: dict[int, str]) -> None:
    """`Deutsche` / `Bark` where the document prints `Deutsche Bark`: one organisation."""
    forms = frozenset(fold(clean_form(m.found.text)) for m in items if m.found.type == "ORG")
    for m in items:
        if m.found.type == "ORG":
            m.found = join_over_break(m.found, texts[m.page_number], forms)


def preload(model: str | None = None) -> None:
    """Load what finding mentions needs (the spaCy pipeline, the gazetteer) in this process, so that
    worker processes forked from it share them instead of each loading its own."""
    ner.load_nlp(model)
    load_places()
    load_regions()
    load_given_names()
    patterns.preload()
    statements.load_places()


def extract_document(
    pages: list[tuple[int, str]],
    model: str | None = None,
    tagged: list[list[Found]] | None = None,
    cache: tagging.ParagraphCache | None = None,
) -> list[PageMention]:
    """Every mention of a document, given its pages as (page number, text).

    `tagged` is the NER output (`tagging.tag_texts`) for `soften_newlines` of each page, when the
    caller tagged many documents at once; otherwise it is computed here, through `cache` if given.
    """
    texts = [text for _, text in pages]
    if tagged is None:
        tagged = tagging.tag_texts([soften_newlines(t) for t in texts], model, cache)
    lowercase = _lowercase_words(texts)
    demonyms = _demonyms(tagged)
    items: list[PageMention] = []
    org_forms: set[str] = set()  # forms a rule found to be an organisation's where tagged PERSON
    page_patterns = [patterns.find_patterns(text) for text in texts]
    domains = domain_names(p for ps in page_patterns for p in ps)
    for (number, text), names, found_patterns in zip(pages, tagged, page_patterns, strict=True):
        stamps = furniture_spans(text)
        described, lines_read = descriptor_spans(text)
        if lines_read:  # a statement: its table's column heads run over lines (`Description` / `S Amount`)
            names = [
                n
                for n in names
                if not on_furniture(n, lines_read) and "\n" not in text[n.start : n.end].strip()
            ]
        runs = head_runs(text, names) + header_people(text) + described
        runs += [s for s in suffixed_names(text) if not any(r.overlaps(s) for r in runs)]
        kept = []
        spans = [n for n in names if not any(r.overlaps(n) for r in runs)] + runs
        for f in [piece for n in spans for piece in _split_at_slash(n)]:
            if f.type == ner.NORP:
                if not is_region_name(text[f.start : f.end]) or is_given_name(text[f.start : f.end]):
                    continue
                f = Found(f.start, f.end, f.text, "LOCATION", f.extractor)  # `the Gujarat chief minister`
            f.text = text[f.start : f.end]
            cut = cut_at_labels(f, text)
            t = trim(retype_given_name(retype(cut, text), lowercase, text), text, lowercase) if cut else None
            if t is None or (on_furniture(t, stamps) and t.extractor != CARD_RULE):  # `SUNOCO 0267103600`
                continue
            if t.extractor != SUFFIX_RULE and any(t.overlaps(p) for p in found_patterns if p.type != "PHONE"):
                continue  # `TowersInvestors.com, Inc` is a company that looks like an address
            if f.type in ("PERSON", "LOCATION") and t.type == "ORG":
                org_forms.add(fold(clean_form(t.text)))
            kept.extend(split_place_country(t))
        kept = [
            grow_over_break(grow_damaged_tail(k, text, HEADS), text, lowercase, is_any_place) for k in kept
        ]
        kept = [finish_cut_word(k, text, PLACE_NOUNS) for k in kept]
        kept = merge_org_names(_join_adjacent(kept, text), text)
        page_found: list[Found] = []
        for f in [g for k in kept if (g := org_in_context(k, text)) is not None]:
            form = clean_form(f.text)
            if is_noise(form, f.type) or (is_common_word(form, lowercase) and not _named_place(f, form)):
                continue
            if f.type in ("PERSON", "ORG") and _ends_with_demonym(form, demonyms):
                continue
            if f.type != "PERSON" and _among_degrees(f, text):
                continue  # `Karin Hehenberger, MD, PhD`: not Maryland
            if f.type == "PERSON" and _ARTICLE_BEFORE.search(text, max(0, f.start - 30), f.start):
                continue  # people are not "a new Torah"
            if (
                f.type == "PERSON"
                and " " not in form
                and _THE_BEFORE.search(text, max(0, f.start - 8), f.start)
            ):
                continue  # nor "the Wheels"
            if f.type == "PERSON" and f.extractor.startswith("spacy") and form.isupper() and " " not in form:
                continue  # a lone word in capitals (`TMT`, `XPLANATION`) is a heading or a code
            page_found.append(f)
        page_found += coordinated_orgs(
            text, page_found, lowercase | demonyms, is_place
        )  # `and Santander,` (a town too)
        page_found += found_patterns
        page_found += _missed_names(text, page_found, domains, lowercase)
        items.extend(PageMention(number, f) for f in page_found)
    _people_by_address(items)
    for m in items:  # `the airline Azal` ... `Azal did not stop flights`: one organisation
        if (
            m.found.type in ("PERSON", "LOCATION")
            and org_forms
            and fold(clean_form(m.found.text)) in org_forms
        ):
            f = m.found
            if f.type == "PERSON" or not is_any_place(clean_form(f.text)):
                m.found = Found(f.start, f.end, f.text, "ORG", f.extractor, f.value)
    _join_orgs_over_breaks(items, dict(pages))
    person_words = frozenset(w for m in items if m.found.type == "PERSON" for w in fold(m.found.text).split())
    items = [
        m
        for m in items
        if not (m.found.type == "ORG" and is_pair_of_people(m.found.text, person_words))
        and not (m.found.extractor == GAZETTEER_RULE and fold(m.found.text) in person_words)
    ]  # `Kennedy` is a big city's name too, but not in a document about John F. Kennedy
    known = _name_words(items)
    texts_by_page = dict(pages)
    by_page: dict[int, list[PageMention]] = {}
    for m in items:
        by_page.setdefault(m.page_number, []).append(m)
    for m in items:
        if m.found.type == "PERSON":
            page_taken = [x.found for x in by_page[m.page_number] if x is not m]
            _extend_person(m, texts_by_page[m.page_number], known, page_taken)
    items.extend(_sweep_surnames(pages, items))
    items.sort(key=lambda m: (m.page_number, m.found.start))
    return items
