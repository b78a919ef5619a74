"""Organisations a document names by its own evidence, where the tagger missed them.

- A web or mail domain printed in the document names its owner: `Twitter` beside
  `twitter.com/haaretzonline`, `Haaretz` where `Haaretz.com` is printed. A capitalised word that
  is a domain's name, where no span stands, is an ORG.
- A name cut by a line break: an organisation span that ends its line, followed by a capitalised
  word that makes with it an organisation the document prints whole (`Deutsche` / `Bark in 2000`
  beside `Deutsche Bark`), is that organisation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from unsealed.enrich.given_names import is_given_name
from unsealed.enrich.names import clean_form, fold
from unsealed.enrich.spans import Found

EXTRACTOR = "rule:domain-name"
# Second-level labels of country domains (`bbc.co.uk`): the owner's name is the label before them.
_SECOND_LEVEL = frozenset("co com org net ac gov edu ltd plc".split())
_HOST = re.compile(r"(?:https?://)?(?:www\d?\.)?([\w.-]+)", re.IGNORECASE)
_CAP_WORD = re.compile(r"(?<![\w@./-])[A-Z][\w]{2,}(?![\w@-]|\.\w)")


def domain_names(addresses: Iterable[Found]) -> frozenset[str]:
    """The owners' names (folded) of the domains of the document's URLs and e-mail addresses."""
    names = set()
    for f in addresses:
        if f.type == "EMAIL" and "@" in f.text:
            host = f.text.rsplit("@", 1)[1]
        elif f.type == "URL":
            m = _HOST.match(f.text)
            host = m.group(1) if m else ""
        else:
            continue
        labels = [x for x in host.lower().strip(".").split(".") if x]
        if len(labels) < 2:
            continue
        labels = labels[:-1]  # the top-level domain
        if len(labels) >= 2 and labels[-1] in _SECOND_LEVEL:
            labels = labels[:-1]
        if len(labels[-1]) >= 3:
            names.add(labels[-1])
    return frozenset(names)


def domain_orgs(text: str, names: frozenset[str], taken: Callable[[int, int], bool]) -> list[Found]:
    """ORG spans of the capitalised words of the page that are the name of a domain of the document."""
    if not names:
        return []
    found = []
    for m in _CAP_WORD.finditer(text):
        word = m.group()
        if fold(word) in names and not is_given_name(word) and not taken(m.start(), m.end()):
            found.append(Found(m.start(), m.end(), word, "ORG", EXTRACTOR))
    return found


_NEXT_LINE_WORD = re.compile(r"[ \t]*\n[ \t]*([A-Z][\w'’&-]*)")


def join_over_break(found: Found, text: str, org_forms: frozenset[str]) -> Found:
    """`Deutsche` at the end of a line + `Bark` at the start of the next, where the document prints
    `Deutsche Bark` as an organisation: one span."""
    if found.type != "ORG":
        return found
    m = _NEXT_LINE_WORD.match(text, found.end)
    if m is None or fold(clean_form(f"{found.text} {m.group(1)}")) not in org_forms:
        return found
    return Found(found.start, m.end(1), text[found.start : m.end(1)], "ORG", found.extractor, found.value)


_QP_TAIL = re.compile(r"[ ]=[a-z]{2,}(?:[ ][A-Z][\w'’-]+)+")
_HYPHEN_HEAD = re.compile(r"[ ]([A-Z][a-z]+)-[ \t]*\n[ \t]*([a-z]+)\b")


def grow_damaged_tail(found: Found, text: str, heads: frozenset[str]) -> Found:
    """An organisation's name goes on over a word whose capital quoted-printable ate (`Bank of
    America =errill Lynch`) and over a head noun hyphenated at a line break (`Shanghai Cooperation
    Organ-` / `isation`)."""
    if found.type != "ORG":
        return found
    m = _QP_TAIL.match(text, found.end)
    if m is None:
        m = _HYPHEN_HEAD.match(text, found.end)
        if m is None or (m.group(1) + m.group(2)).lower() not in heads:
            return found
    return Found(found.start, m.end(), text[found.start : m.end()], "ORG", found.extractor, found.value)


_PAIR = re.compile(r"([A-Z][\w'’]+)-([A-Z][\w'’]+)")


def is_pair_of_people(form: str, person_words: frozenset[str]) -> bool:
    """`Barak-Clinton` (a meeting of two people of the document), not an organisation."""
    m = _PAIR.fullmatch(form)
    return m is not None and fold(m.group(1)) in person_words and fold(m.group(2)) in person_words


_AND_NAME = re.compile(r"[ ](?:and|&|or)[ ]([A-Z][a-z]{2,})(?=[,.;:)]|[ ][a-z])")
_ENDING_NAME = re.compile(r"[ \t]*\n[ \t]*([A-Z][a-z]{2,})(?=[,.;:])")


def _plain_name(word: str, lowercase: frozenset[str], is_place: Callable[[str], bool]) -> bool:
    return fold(word) not in lowercase and not is_given_name(word) and not is_place(word)


def coordinated_orgs(
    text: str, page: list[Found], lowercase: frozenset[str], is_place: Callable[[str], bool]
) -> list[Found]:
    """`JPMorgan and Santander,`: one capitalised word joined to an organisation by `and`/`&`/`or`
    and ending the phrase is an organisation too (not a given name, a place or a word the document
    prints in lower case)."""
    out = []
    for f in page:
        m = _AND_NAME.match(text, f.end) if f.type == "ORG" else None
        if m and _plain_name(m.group(1), lowercase, is_place):
            if not any(g.start < m.end(1) and m.start(1) < g.end for g in page):
                out.append(Found(m.start(1), m.end(1), m.group(1), "ORG", "rule:org-coordination"))
    return out


def grow_over_break(
    found: Found, text: str, lowercase: frozenset[str], is_place: Callable[[str], bool]
) -> Found:
    """`Drexel` at the end of a line + `Burnhan,` opening the next: a name the line break cut
    (the word ends the phrase and is no given name, place or word printed in lower case)."""
    if found.type != "ORG" or text[found.end : found.end + 1] not in (" ", "\n", "\t"):
        return found
    m = _ENDING_NAME.match(text, found.end)
    if m is None or not _plain_name(m.group(1), lowercase, is_place):
        return found
    return Found(found.start, m.end(1), text[found.start : m.end(1)], "ORG", found.extractor, found.value)


_QP_IN_WORD = re.compile(r"=[a-z]+[ ]([a-z]+)\b")


def finish_cut_word(found: Found, text: str, place_nouns: frozenset[str]) -> Found:
    """`BlackBus` + `=e airport`: a name whose last word quoted-printable debris cut, followed by a
    place noun (`airport`, `park`), is that place. (Without the noun, `PremiAir` + `=s` is a
    possessive, and the name is left as found.)"""
    m = _QP_IN_WORD.match(text, found.end)
    if m is None or found.type not in ("PERSON", "ORG", "LOCATION") or m.group(1) not in place_nouns:
        return found
    return Found(found.start, m.end(), text[found.start : m.end()], "LOCATION", found.extractor)
