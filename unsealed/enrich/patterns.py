"""Pattern extractors: e-mail addresses, phone numbers (E.164 via `phonenumbers`), URLs."""

from __future__ import annotations

import re
from functools import cache

import phonenumbers
from phonenumbers import PhoneMetadata

from unsealed import config
from unsealed.enrich.spans import Found

EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][\w.+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,12}\b"
)
URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"'()\[\]]+"
    r"|\b[A-Za-z0-9-]{2,63}\.(?:com|org|net|gov|edu|io|info|biz|us|uk|co\.uk|il|de|fr|ru)\b(?![@\w-])",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\""


def default_region() -> str:
    """Region assumed for numbers printed without a country code (env UNSEALED_PHONE_REGION)."""
    return config.phone_region()


def find_emails(text: str) -> list[Found]:
    return [Found(m.start(), m.end(), m.group(), "EMAIL", "pattern:email") for m in EMAIL.finditer(text)]


def find_urls(text: str, emails: list[Found]) -> list[Found]:
    found = []
    for match in URL.finditer(text):
        start, end = match.start(), match.end()
        while end > start and text[end - 1] in _TRAILING:
            end -= 1
        candidate = Found(start, end, text[start:end], "URL", "pattern:url")
        if not any(candidate.overlaps(e) for e in emails):
            found.append(candidate)
    return found


def phone_value(text: str, region: str | None = None) -> str | None:
    """E.164 form of a printed number, or None when it is not a valid number."""
    try:
        number = phonenumbers.parse(text, region or default_region())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@cache
def shortest_valid_length() -> int:
    """The fewest digits of any valid national number in phonenumbers' metadata (every region and
    non-geographic code): a candidate with fewer digits and letters cannot be valid."""
    descs = [PhoneMetadata.metadata_for_region(r) for r in phonenumbers.SUPPORTED_REGIONS]
    descs += [
        PhoneMetadata.metadata_for_nongeo_region(c) for c in phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS
    ]
    lengths = [
        min(m.general_desc.possible_length, default=0) if m.general_desc is not None else 0
        for m in descs
        if m is not None
    ]
    return min(lengths, default=0)


@cache
def _domestic_shortest(region: str) -> tuple[int, re.Pattern[str] | None]:
    """(fewest digits of a valid national number with `region`'s country code, the region's
    international dialling prefix): a candidate printed without `+` or that prefix is parsed with
    this country code, so it needs at least that many digits. (0, None) where parsing may add
    digits (the region's national prefix transform rule) or the region is unknown."""
    own = PhoneMetadata.metadata_for_region(region)
    if own is None or own.country_code is None or own.national_prefix_transform_rule:
        return 0, None
    regions = phonenumbers.region_codes_for_country_code(own.country_code)
    metas = [PhoneMetadata.metadata_for_region(r) for r in regions]
    lengths = [min(m.general_desc.possible_length, default=0) if m and m.general_desc else 0 for m in metas]
    prefix = own.international_prefix
    return min(lengths, default=0), re.compile(prefix) if prefix else None


_PLUS = frozenset("+\uff0b")


class _ValidMatcher(phonenumbers.PhoneNumberMatcher):
    """The library's matcher at leniency VALID, without parsing candidates too short to be valid.

    Most candidates on real pages are page numbers, counts, dates and amounts; parsing each and
    asking every NANP region whether it is valid was half of the per-document rules' time. The
    matches are the same: a valid number's national part is at least `shortest_valid_length()`
    digits long and all of them are in the candidate; printed without `+`, letters or the
    international prefix, it has the default region's country code and needs that code's
    shortest length (7 digits for NANP: Canada admits 7-digit numbers).
    """

    def _parse_and_verify(self, candidate: str, offset: int) -> phonenumbers.PhoneNumberMatch | None:
        digits = sum(c.isdigit() for c in candidate)
        letters = sum(c.isalpha() for c in candidate)
        if digits + letters < shortest_valid_length():
            return None
        domestic, idd = _domestic_shortest(self.preferred_region or "")
        if digits < domestic and not letters and not _PLUS.intersection(candidate):
            national = phonenumbers.normalize_digits_only(candidate)
            if idd is None or idd.match(national) is None:
                return None
        return super()._parse_and_verify(candidate, offset)


def find_phones(text: str, region: str | None = None) -> list[Found]:
    found = []
    matcher = _ValidMatcher(text, region or default_region(), phonenumbers.Leniency.VALID)
    for match in matcher:
        value = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        found.append(Found(match.start, match.end, match.raw_string, "PHONE", "pattern:phone", value))
    return found


def preload() -> None:
    """Load phonenumbers' metadata of every region (a module each, imported on first use) and
    compile the patterns, so that processes forked from this one do not each do it at their first
    page."""
    shortest_valid_length()
    find_patterns("Call +1 (212) 555-0100 or 212-555-0199, write to a.b@example.com, see www.example.com.")


def find_patterns(text: str, region: str | None = None) -> list[Found]:
    """All pattern mentions of one page, spans into `text`."""
    emails = find_emails(text)
    return emails + find_urls(text, emails) + find_phones(text, region)
