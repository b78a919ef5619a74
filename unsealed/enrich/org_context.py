"""What the words around an "organisation" say it is not, or where its name really is.

- A job title (`Global Head`, `Managing Partner & Chief`, `Chartered Management Accountant`, `Host
  of Poetry`): the span ends with, or starts with and `of`, a role noun. A title + `of` + a
  company's name (`Global Head of DB Private Equity`) gives that company.
- A subject of study (`MSc in Civil Engineering`, `MA in Natural Sciences and Management Studies`)
  and a degree printed as one (`a BA from Colgate`, `AC MA` for ACMA).
- A sector (`the Technology, Media and Telecoms sectors`), a price list's tier (`Friend - $250`).
- A web page's menu (`• Comments • Share`): a bullet is never part of a name.
- A place named after a person (`The Home of Christine Rappoport`): the person.
- An amount's currency (`2,000 Euro`), from ISO 4217's names.
"""

from __future__ import annotations

import re

from unsealed.enrich.given_names import is_given_name
from unsealed.enrich.names import fold
from unsealed.enrich.noise import DEGREES
from unsealed.enrich.orgs import COMPANY_WORDS, HEADS, is_company_name
from unsealed.enrich.regions import is_currency
from unsealed.enrich.spans import Found

# Nouns that end or head a job title, never an organisation's name (an organisation is a `Partners`,
# not a `Partner`).
ROLE_NOUNS = frozenset(
    "head chief officer partner director manager accountant president vice-president chairman "
    "chairwoman chairperson executive secretary treasurer host counsel analyst engineer editor "
    "founder co-founder principal trustee governor professor lecturer fellow".split()
)
EXTRACTOR = "rule:org-after-title"
_DEGREE_BEFORE = re.compile(
    r"\b(?:" + "|".join(sorted(DEGREES)) + r"|degree|degrees|diploma|major|majored|majoring)\.?[ ]+in[ ]+$",
    re.IGNORECASE,
)
_ARTICLE_BEFORE = re.compile(r"\b(?:an?|his|her|their)[ ]+$", re.IGNORECASE)
_STUDY_AFTER = re.compile(r"[ ]+(?:in|from)\b")
_SECTOR_AFTER = re.compile(r"(?:[ ]*(?:,|\.|and|&)[ ]*[A-Z][\w-]*)*[ ]+(?:sectors?|industry|industries)\b")
_OF_NAME = re.compile(r"[ ]+of[ ]+((?:[A-Z][\w&'’.-]*)(?:[ ](?:[A-Z][\w&'’.-]*|&))*)")
_PRICE_AFTER = re.compile(r"[ ]*[-–:][ ]*[$£€][ ]?\d")
_AMOUNT_BEFORE = re.compile(r"\d[ ]?$")
_WORDS = re.compile(r"[A-Za-z-]+")


def _role_title(form: str) -> bool:
    words = [w.lower() for w in _WORDS.findall(form)]
    if not words:
        return False
    return words[-1] in ROLE_NOUNS or (len(words) >= 3 and words[0] in ROLE_NOUNS and words[1] == "of")


def _company_after_title(found: Found, text: str) -> Found | None:
    """`Global Head` + ` of DB Private Equity`: the company named after the title, if any."""
    m = _OF_NAME.match(text, found.end)
    if m and is_company_name(m.group(1)):
        return Found(m.start(1), m.end(1), m.group(1), "ORG", EXTRACTOR)
    return None


def _is_degree(found: Found, text: str) -> bool:
    first_line = found.text.split("\n")[0]
    if fold(first_line).replace(" ", "") not in DEGREES:
        return False
    if fold(found.text).replace(" ", "") != fold(first_line).replace(" ", ""):
        return True  # `AC MA` / `Based`: OCR split a degree and a line was run into it
    before = _ARTICLE_BEFORE.search(text, max(0, found.start - 8), found.start)
    return before is not None and _STUDY_AFTER.match(text, found.end) is not None


def org_in_context(found: Found, text: str) -> Found | None:
    """The organisation span as its context reads it: None when it is a title, a subject, a degree,
    a sector, a menu or a currency; the company after a title (`Global Head of DB Private Equity`)."""
    if found.type != "ORG":
        return found
    if "•" in found.text:
        return None
    if _DEGREE_BEFORE.search(text, max(0, found.start - 20), found.start) or _is_degree(found, text):
        return None
    if _SECTOR_AFTER.match(text, found.end) or _PRICE_AFTER.match(text, found.end):
        return None
    if (
        " " not in found.text.strip()
        and is_currency(found.text)
        and _AMOUNT_BEFORE.search(text, max(0, found.start - 3), found.start)
    ):
        return None
    if _role_title(found.text):
        return _company_after_title(found, text)
    return _person_after_of(found)


_NOUN_OF_NAME = re.compile(r"(?:The[ ])?([A-Z][a-z]+)[ ]of[ ]((?:[A-Z][a-z'’-]+[ ]){1,2}[A-Z][a-z'’-]+)")


def _person_after_of(found: Found) -> Found:
    """`The Home of Christine Rappoport`: a noun that heads no organisation's name + `of` + a given
    name and a surname is that person."""
    m = _NOUN_OF_NAME.fullmatch(found.text)
    if m is None or fold(m.group(1)) in HEADS | COMPANY_WORDS or not is_given_name(m.group(2).split()[0]):
        return found
    return Found(found.start + m.start(2), found.start + m.end(2), m.group(2), "PERSON", found.extractor)
