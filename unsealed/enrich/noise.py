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
PRONOUNS = frozenset("i me he him his she her hers they them their we us our you your it its who".split())
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


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
    if entity_type == "PERSON" and (any(c.isdigit() for c in text) or label_end):
        return True  # `John Doe Sent`; an initial (`jeffrey E.`) is not the `e` of `e mail`
    if re.search(r"\w\.(?:html?|php|aspx?|pdf|jpe?g|png|gif|com|org|net)\b", text, re.IGNORECASE):
        return True  # a file or web name (`job.html`), not a name
    if entity_type == "PERSON" and len(words) == 1 and words[0].endswith(NOT_NAME_SUFFIXES):
        return True  # "Wahhabism", "Catholicism": doctrines, not people
    return False


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
