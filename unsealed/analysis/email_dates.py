"""Dates printed in e-mail headers: every form the release has, read with python-dateutil.

`Wed, 28 Nov 2012 11:28:51 -0500`, `11/28/2012 5:28:55 PM`, `Thur 6/23/2011 10:45:34 AM`,
`Wednesday, May 13, 2015 at 7:15 PM`, `3/25/201911:46:16 AM` (OCR ran the year into the time).
`parse_sent` keeps the printed clock (no zone conversion); `parse_date` gives UTC, taking a date
printed without a zone to be in UNSEALED_EMAIL_TZ (default UTC).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateparser

from unsealed import config
from unsealed.errors import ConfigError

ZONES = {
    n: timezone(timedelta(hours=h))
    for n, h in {
        "EST": -5,
        "EDT": -4,
        "CST": -6,
        "CDT": -5,
        "MST": -7,
        "MDT": -6,
        "PST": -8,
        "PDT": -7,
        "GMT": 0,
        "UTC": 0,
        "BST": 1,
        "CET": 1,
        "CEST": 2,
    }.items()
}
_WEEKDAY = re.compile(r"\b(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:[a-z]*da?y?)?\b\.?,?", re.I)
_RUN_ON_YEAR = re.compile(r"(\d{1,2}/\d{1,2}/(?:19|20)\d\d)(\d{1,2}:\d\d)")
_SPLIT_RUN_ON = re.compile(r"(\d{1,2}/\d{1,2}/(?:19|20)\d\d)(\d) (\d:\d\d)")  # `3/25/20191 1:46`
_TIME = re.compile(r"\d{1,2}\s?[:.]\s?\d\d")
_YEAR = re.compile(r"(?:19|20)\d\d|\b\d{1,2}/\d{1,2}/\d\d\b")
# Two fixed defaults that differ in year, month and day: a field that changes between the two
# parses was not printed. (Not today's date: on the 2nd of a month, or in February, a missing
# day or month read the same under both and `Ma 09, 2018` became 2 September.)
_DEFAULT = datetime(2000, 1, 1)
_OTHER = datetime(1999, 2, 2)
_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b", re.I)


@dataclass(frozen=True)
class SentDate:
    """A printed date: the printed clock (naive, to the second) and whether a time was printed."""

    clock: datetime
    has_time: bool
    aware: datetime | None  # the same instant with its printed zone, when one was printed


def _clean(raw: str) -> str:
    text = re.sub(r"\s+", " ", raw).strip()
    text = _RUN_ON_YEAR.sub(r"\1 \2", text)
    text = _SPLIT_RUN_ON.sub(r"\1 \2\3", text)
    text = re.sub(r"\b(?:at|à|a|um)\b(?=\s*\d)|\bat\b", " ", text)  # `at 9:35`, French `à`, German `um`
    text = re.sub(r"(\d\s?[AaPp]\.?[Mm]\.?)(?=[A-Za-z])", r"\1 ", text)  # `2:20 PMSub'ect:`
    text = re.sub(r"(\d)\s?[.]\s?(\d\d)\s?([AaPp]\.?[Mm])", r"\1:\2 \3", text)  # 10.45 AM
    text = re.sub(r"([AaPp])\.([Mm])\.?", r"\1\2", text)
    text = _WEEKDAY.sub(" ", text)
    return re.sub(r"\s+", " ", text).strip(" ,")


def looks_like_date(raw: str) -> bool:
    """True when the text reads as a date (a year, or a month name with a day)."""
    text = _clean(raw)
    if not text or len(text) > 60 or "@" in text or not re.search(r"\d", text):
        return False
    words = [w for w in re.findall(r"[A-Za-z]{2,}", text) if not _MONTH.fullmatch(w)]
    if len([w for w in words if w.upper() not in ZONES and w.lower() not in ("am", "pm", "at")]) > 1:
        return False
    return bool(_YEAR.search(text) or (_MONTH.search(text) and _TIME.search(text)))


def parse_sent(raw: str) -> SentDate | None:
    """The printed date, or None when it cannot be read."""
    text = _clean(raw)
    if not re.search(r"\d", text) or not (_YEAR.search(text) or _MONTH.search(text)):
        return None
    text = _cut_month(raw, text)
    try:
        parsed, _ = dateparser.parse(text, fuzzy_with_tokens=True, tzinfos=ZONES, default=_DEFAULT)  # type: ignore[misc]
        other, _ = dateparser.parse(text, fuzzy_with_tokens=True, tzinfos=ZONES, default=_OTHER)  # type: ignore[misc]
    except (ValueError, OverflowError, TypeError):
        return None
    if (parsed.year, parsed.month, parsed.day) != (other.year, other.month, other.day):
        return None  # the day, month or year is not printed readably (`Ma 09, 2018`)
    if not 1980 <= parsed.year <= 2030:
        return None
    aware = parsed if parsed.tzinfo is not None else None
    return SentDate(parsed.replace(tzinfo=None), bool(_TIME.search(text)), aware)


_MONTHS = ("january february march april may june july august september october november december").split()
_DAYS = ("monday tuesday wednesday thursday friday saturday sunday").split()
_CUT_MONTH = re.compile(r"\b([A-Za-z]{2,})\.?\s+(\d{1,2})\b,?\s+((?:19|20)\d\d)\b")


def _cut_month(raw: str, text: str) -> str:
    """A month name cut short by OCR (`Wednesda Ma 09, 2018`) read as the one month it can
    begin that puts the day on the printed weekday (May: 9 May 2018 was a Wednesday, 9 March a
    Friday); the text unchanged when no weekday is printed or more than one month fits."""
    m = _CUT_MONTH.search(text)
    if not m or _MONTH.fullmatch(m.group(1)):
        return text
    stem = m.group(1).lower()
    months = [k for k, name in enumerate(_MONTHS, 1) if name.startswith(stem) and len(stem) < len(name)]
    first = re.match(r"\s*([A-Za-z]{3,})", raw)
    days = [k for k, name in enumerate(_DAYS) if first and name.startswith(first.group(1).lower()[:3])]
    if len(months) < 2 or len(days) != 1:
        return text
    day, year = int(m.group(2)), int(m.group(3))
    fits = [k for k in months if _weekday(year, k, day) == days[0]]
    if len(fits) != 1:
        return text
    return text[: m.start(1)] + _MONTHS[fits[0] - 1] + text[m.end(1) :]


def _weekday(year: int, month: int, day: int) -> int | None:
    try:
        return datetime(year, month, day).weekday()
    except ValueError:
        return None


def default_zone() -> timezone | ZoneInfo:
    name = config.email_timezone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"UNSEALED_EMAIL_TZ: unknown time zone {name!r}") from exc


def to_utc(sent: SentDate) -> datetime:
    """The instant in UTC: the printed zone, else UNSEALED_EMAIL_TZ."""
    aware = sent.aware or sent.clock.replace(tzinfo=default_zone())
    return aware.astimezone(UTC)


def parse_date(raw: str) -> datetime | None:
    """A printed date as an aware UTC datetime, or None when it cannot be read."""
    sent = parse_sent(raw)
    return to_utc(sent) if sent else None
