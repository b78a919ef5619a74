"""Normalising field values the same way at index time and at query time."""

from __future__ import annotations

import functools
import re
from datetime import date, timedelta

from unsealed.domain import split_bates
from unsealed.search.errors import QueryError

_DATASET_PREFIX_RE = re.compile(r"^(dataset|data|set|ds|vol|volume)+")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@functools.lru_cache(maxsize=4096)
def dataset_key(name: str) -> str:
    """`dataset_9`, `DataSet 09`, `9` -> `9`; `House Oversight` -> `houseoversight`."""
    key = re.sub(r"[^0-9a-z]+", "", name.casefold())
    stripped = _DATASET_PREFIX_RE.sub("", key)
    if stripped.isdigit():
        return str(int(stripped))
    return stripped or key


@functools.lru_cache(maxsize=1024)
def type_key(value: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", value.casefold()).strip("_")


def parse_bates_value(value: str) -> tuple[str, int, int]:
    """`EFTA01197904` or `EFTA01197900..EFTA01197999` (or `..01197999`) -> (prefix, low, high)."""
    low_text, sep, high_text = value.partition("..")
    low = split_bates(low_text)
    if low is None:
        raise QueryError(f"bates:{value} — expected a Bates number like EFTA01197904 or a range A..B")
    if not sep:
        return low[0], low[1], low[1]
    high_text = high_text.strip()
    high = (low[0], int(high_text)) if high_text.isdigit() else split_bates(high_text)
    if high is None or high[0] != low[0]:
        raise QueryError(f"bates:{value} — both ends of a range need the same prefix ({low[0]})")
    return low[0], min(low[1], high[1]), max(low[1], high[1])


def _date_span(text: str, field_text: str) -> tuple[date, date]:
    """`2014` / `2014-12` / `2014-12-24` -> [first day, day after the last day)."""
    match = _DATE_RE.match(text.strip())
    if not match:
        raise QueryError(f"date:{field_text} — use 2014, 2014-12, 2014-12-24 or a range A..B")
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    try:
        if month is None:
            return date(year, 1, 1), date(year + 1, 1, 1)
        m = int(month)
        if day is None:
            start = date(year, m, 1)
            return start, date(year + (m == 12), m % 12 + 1, 1)
        start = date(year, m, int(day))
        return start, start + timedelta(days=1)
    except ValueError as exc:
        raise QueryError(f"date:{field_text} — not a real date ({exc})") from exc


def parse_date_value(value: str) -> tuple[date | None, date | None]:
    """A date or range -> half-open [start, end); `..2014` and `2014..` leave one side open."""
    if ".." not in value:
        return _date_span(value, value)
    low_text, _, high_text = value.partition("..")
    start = _date_span(low_text, value)[0] if low_text.strip() else None
    end = _date_span(high_text, value)[1] if high_text.strip() else None
    if start is None and end is None:
        raise QueryError("date:.. — give at least one side of the range")
    if start is not None and end is not None and start >= end:
        raise QueryError(f"date:{value} — the range ends before it starts")
    return start, end
