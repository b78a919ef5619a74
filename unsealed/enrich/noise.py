"""What is not an entity, whatever the tagger says: Bates ids, header labels, boilerplate, junk."""

from __future__ import annotations

import re

BATES = re.compile(r"\b[A-Z][A-Z_-]{1,30}[_ -]?\d{5,}\b")
HEADER_LABELS = frozenset(
    "from to cc bcc sent date subject re fw fwd attachments attachment importance priority "
    "page pages tel fax phone mobile cell email e mail mailto http https www original message".split()
)
BOILERPLATE = (
    "unsubscribe",
    "forward to a friend",
    "forward this email",
    "update your profile",
    "add us to your address book",
    "subscribe",
    "all rights reserved",
    "view in browser",
    "view this email",
    "click here",
    "privacy policy",
    "terms of use",
    "back to article",
    "manage preferences",
    "sent from my",
    "confidential",
    "redacted",
)
NOT_NAME_SUFFIXES = ("ism", "isms", "ology", "ologies")
# Academic degrees and professional letters (`MA in Economics`, `BA`, `PEng`): never an organisation.
DEGREES = frozenset("ba bsc bs ma msc ms mba phd dphil md jd llm llb peng cfa cpa acma frcs mphil".split())
# A company suffix alone (`Inc`) names nothing.
COMPANY_SUFFIXES = frozenset("inc llc ltd corp co plc lp llp pllc gmbh ag sa pc".split())
# Header labels that are also surnames (`Larry Page`): at the end of a capitalised name they are the name.
SURNAME_LABELS = frozenset({"page"})
PRONOUNS = frozenset("i me he him his she her hers they them their we us our you your it its who".split())
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
# Places commonly printed as dotted initials (`U.S.`, `U.K.`, `D.C.`); other dotted initials in a
# place's span (`L.P.`, `N.A.`, `M.D.`) are company or degree suffixes more often than places.
DOTTED_PLACES = frozenset("us usa uk uae dc eu".split())


def letter_ratio(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return sum(1 for c in chars if _LETTER.match(c)) / len(chars)


def is_noise(form: str, entity_type: str) -> bool:
    """True for spans that must not become entities (see docs/entities.md, "Noise")."""
    if entity_type in ("EMAIL", "PHONE", "URL"):
        return False
    text = form.strip()
    letters = _LETTER.findall(text)
    if entity_type == "LOCATION" and re.sub(r"[^a-z]", "", text.lower()) in DOTTED_PLACES and "." in text:
        return False  # `U.S`, `D.C`: dots between letters are no junk here
    if len(letters) < 2 or letter_ratio(text) < 0.7:
        return True  # single letters, numbers, mostly punctuation
    if BATES.search(text) or re.search(r"\d{4,}", text):
        return True
    lowered = re.sub(r"\s+", " ", text.lower())
    words = re.findall(r"[a-z]+", lowered)
    stop = HEADER_LABELS if text.isupper() else HEADER_LABELS | PRONOUNS  # "US" is a country
    if not words or all(w in stop for w in words):
        return True
    if any(phrase in lowered for phrase in BOILERPLATE):
        return True
    label_end = len(words[-1]) > 1 and words[-1] in HEADER_LABELS
    label_end = label_end and not (words[-1] in SURNAME_LABELS and len(words) > 1 and text.istitle())
    if entity_type == "PERSON" and (any(c.isdigit() for c in text) or label_end):
        return True  # `John Doe Sent`; an initial (`jeffrey E.`) is not the `e` of `e mail`
    web = re.search(r"\w\.(?:html?|php|aspx?|pdf|jpe?g|png|gif|com|org|net)\b", text, re.IGNORECASE)
    if web and not (entity_type == "ORG" and words[-1] in COMPANY_SUFFIXES):
        return True  # a file or web name (`job.html`), not a name; `TowersInvestors.com, Inc` is a company
    if entity_type == "ORG" and _is_degree_or_suffix(text, words):
        return True  # `MA in Economics`, `PEng`, `Inc`
    if entity_type == "PERSON" and len(words) == 1 and words[0].endswith(NOT_NAME_SUFFIXES):
        return True  # "Wahhabism", "Catholicism": doctrines, not people
    return False


def _is_degree_or_suffix(text: str, words: list[str]) -> bool:
    """A degree and its subject (`MA in Economics`, `MA, Cambridge`), a degree in mixed case
    (`PEng`, `MSc`: `BA` or `MS` in capitals may be an airline or a bank), a company suffix alone."""
    if len(words) == 1:
        return words[0] in COMPANY_SUFFIXES or (words[0] in DEGREES and not text.isupper())
    return words[0] in DEGREES and re.match(r"^\S+(?:,| in | of )", text) is not None


def is_common_word(form: str, lowercase_words: frozenset[str] | set[str]) -> bool:
    """A one-word span that the same document also prints in lower case ("FRIEND", "Defense").

    Names are capitalised wherever they appear; ordinary words are not. Spans of two or more
    words are never judged this way.
    """
    words = form.split()
    if len(words) != 1:
        return False
    word = words[0].strip(".,;:'\"").lower()
    return word in lowercase_words
