"""Opaque page cursors: where the next page of results resumes (keyset, not offset)."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass

from unsealed.search.errors import QueryError


@dataclass(frozen=True)
class Cursor:
    fingerprint: str  # query + sort + group it belongs to
    returned: int  # results (pages or groups) returned before it
    total: int  # the first page's total, carried along
    score: float = 0.0  # relevance: the last hit's score ...
    key: int = 0  # ... and key (seq); key orders: the last key


def fingerprint(*parts: object) -> str:
    return hashlib.blake2b(json.dumps(parts).encode(), digest_size=6).hexdigest()


def encode(cursor: Cursor) -> str:
    return base64.urlsafe_b64encode(json.dumps(asdict(cursor)).encode()).decode().rstrip("=")


def decode(text: str, expected_fingerprint: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        cursor = Cursor(**json.loads(raw))
        if not isinstance(cursor.key, int) or not isinstance(cursor.returned, int):
            raise TypeError("bad field types")
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise QueryError("the page cursor is not valid; start the search again") from exc
    if cursor.fingerprint != expected_fingerprint:
        raise QueryError("the page cursor belongs to another search; start the search again")
    return cursor


def skipped(text: str | None) -> int:
    """How many results came before the page a cursor starts (0 without one, or when unreadable:
    the search itself says why)."""
    if not text:
        return 0
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return max(0, int(json.loads(raw)["returned"]))
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        return 0
