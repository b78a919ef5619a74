"""A page's words for near-duplicate signatures: an ASCII page goes through a bytes path, every
other page through `str`; both must give the words the `str` normalisation gives (the signatures,
bands and clusters of an archive depend on them)."""

from __future__ import annotations

from rensa import RMinHash

from unsealed.analysis.neardup import _PUNCTUATION, page_words
from unsealed.domain import BATES_TOKEN
from unsealed.sample.real import load_corpus


def _reference(text: str) -> list[bytes]:
    """The `str` normalisation written out again from its description: Bates stamps out of the 3
    first and the 3 last lines (of the text without trailing white space), or out of the whole text
    when those overlap or it has fewer lines; lower case, punctuation to spaces, `str.split`."""
    stripped = text.rstrip()
    head = sum(len(line) + 1 for line in text.split("\n")[:3])
    tail = len("\n".join(stripped.split("\n")[:-3]))
    if text.count("\n") < 3 or stripped.count("\n") < 3 or tail <= head:
        cleaned = BATES_TOKEN.sub(" ", text)
    else:
        cleaned = BATES_TOKEN.sub(" ", text[:head]) + text[head:tail] + BATES_TOKEN.sub(" ", text[tail:])
    return [w.encode() for w in cleaned.lower().translate(_PUNCTUATION).split()]


def test_ascii_page_words_by_hand() -> None:
    page = (
        "HOUSE_OVERSIGHT_012345\n"
        "From: John Smith\x1cSent: Monday, March 7\n"
        "Subject: the flight plan\n"
        "The pilot filed a plan (northern route) EFTA00000100 in the body stays.\n"
        "Passengers met at the hangar;\n"
        "fuel signed for\n"
        "catering too\n"
        "EFTA00000101\n"
    )
    assert page_words(page) == [
        w.encode()
        for w in (
            "from john smith sent monday march 7 subject the flight plan the pilot filed a plan "
            "northern route efta00000100 in the body stays passengers met at the hangar fuel signed "
            "for catering too"
        ).split()
    ]


def test_ascii_and_unicode_pages_split_alike() -> None:
    """The same page with one non-ASCII letter (so it takes the `str` path) has the same words but
    that one, and rensa hashes a word's bytes as it hashes the word."""
    body = "alpha beta\tgamma\x1ddelta\x0bepsilon zeta eta theta iota kappa lambda mu"
    assert page_words(body) == body.replace("\x1d", " ").encode().split()
    unicode_body = body.replace("gamma", "gämma")
    assert page_words(unicode_body) == [w.encode() for w in unicode_body.replace("\x1d", " ").split()]
    words = ["gämma", "delta", "naïve"]
    assert RMinHash.hash_token_sets([words]) == RMinHash.hash_token_sets([[w.encode() for w in words]])


def test_real_corpus_pages_match_the_str_normalisation() -> None:
    pages = [page for doc in load_corpus() for page in doc.pages]
    ascii_pages = [p for p in pages if p.isascii()]
    assert len(ascii_pages) > 100 and len(ascii_pages) < len(pages)
    for page in pages:
        assert page_words(page) == _reference(page), page[:200]
