"""E-mail threads: the same printed message found again, and replies linked to what they quote.

Each printed message (analysis/emails.py) gets a fingerprint: its sender normalised (name words
sorted, else the address), its printed clock to the minute, its subject without Re:/Fw: prefixes,
and a MinHash of its body without quoted lines. Two appearances are one message when the sender
agrees, the clocks agree to the minute (one minute of rounding), or by whole hours between a top
message and a quoted one (a top "Sent:" line is often UTC where a quoted "On … wrote:" line is the
sender's local time), and
the subject or the body agrees. Within a document the message at position p+1 is the one the
message at position p quotes or forwards; a thread is every message reachable through those links.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from unsealed.analysis.emails import Message
from unsealed.analysis.neardup import signature, similarity
from unsealed.analysis.union_find import UnionFind
from unsealed.config import DedupOptions

BODY_OPTIONS = DedupOptions(shingle=2, permutations=64)
_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
MAX_HOURS = 14  # the widest time-zone difference between two printings of one message
BODY_MATCH = 0.5


@dataclass(frozen=True)
class Fingerprint:
    key: str  # "<document id>:<position>"
    document: str
    position: int
    sender: str  # normalised; "" when unknown
    clock: datetime | None  # printed clock, to the minute
    subject: str  # normalised, without Re:/Fw:
    body: np.ndarray | None  # MinHash of the body without quotes


def sender_key(name: str | None, address: str | None) -> str:
    words = re.findall(r"[a-z0-9]+", (name or "").lower())
    if words:
        return " ".join(sorted(words))
    return (address or "").lower()


def subject_key(subject: str | None) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", _PREFIX.sub("", subject or "").lower()))


def body_signature(body: str) -> np.ndarray | None:
    return signature(body, BODY_OPTIONS)


def minute_of_hour(clock: datetime | None) -> int | None:
    return clock.minute if clock is not None else None


def _clocks_agree(a: Fingerprint, b: Fingerprint) -> bool:
    """The same minute (one minute of rounding), or whole hours apart where one is a document's top
    message (its "Sent:" usually UTC) and the other a quoted one (usually the sender's local time)."""
    if a.clock is None or b.clock is None:
        return True
    minutes = round(abs((a.clock - b.clock).total_seconds()) / 60)
    if minutes <= 1:
        return True
    zones_may_differ = (a.position == 0) != (b.position == 0)
    return zones_may_differ and minutes <= MAX_HOURS * 60 and minutes % 60 == 0


def _senders_agree(a: str, b: str) -> bool:
    """Both unknown (redacted), or one's words within the other's (`e jeffrey` in `jeevacation e
    jeffrey`, OCR debris around a name), or half their words shared."""
    if not a or not b:
        return a == b
    ta, tb = set(a.split()), set(b.split())
    return ta <= tb or tb <= ta or len(ta & tb) * 2 >= len(ta | tb)


def _bodies(a: Fingerprint, b: Fingerprint) -> float | None:
    if a.body is None or b.body is None:
        return None
    return similarity(a.body, b.body)


def same_message(a: Fingerprint, b: Fingerprint) -> bool:
    if a.document == b.document or not _senders_agree(a.sender, b.sender):
        return False  # one document prints a message once
    body = _bodies(a, b)
    subjects_differ = bool(a.subject and b.subject and a.subject != b.subject)
    if a.clock is not None and b.clock is not None:
        if not _clocks_agree(a, b):
            return False
        if subjects_differ and (body is None or body < BODY_MATCH):
            return False
        if not a.sender:  # redacted senders: the clock alone is too weak
            return bool(a.subject and a.subject == b.subject) or (body or 0.0) >= BODY_MATCH
        return True
    if body is not None:
        return body >= BODY_MATCH and not subjects_differ
    return bool(a.subject and a.subject == b.subject and a.sender)


def candidate_pairs(prints: Sequence[Fingerprint]) -> Iterable[tuple[Fingerprint, Fingerprint]]:
    """Pairs worth comparing: printed clocks within a minute of each other modulo the hour (time
    zones shift whole hours), or the same subject when a clock is missing."""
    by_minute: dict[int, list[Fingerprint]] = defaultdict(list)
    by_subject: dict[str, list[Fingerprint]] = defaultdict(list)
    for p in prints:
        if p.clock is not None:
            by_minute[p.clock.minute].append(p)
        by_subject[p.subject].append(p)
    seen: set[tuple[str, str]] = set()
    for p in prints:
        if p.clock is not None:
            near = [q for m in (-1, 0, 1) for q in by_minute.get((p.clock.minute + m) % 60, [])]
        else:
            near = by_subject.get(p.subject, []) if p.subject else []
        for q in near:
            pair = (p.key, q.key) if p.key < q.key else (q.key, p.key)
            if p.key != q.key and pair not in seen:
                seen.add(pair)
                yield p, q


@dataclass
class Linked:
    message_of: dict[str, str]  # appearance key -> message key (its smallest appearance key)
    reply_to: dict[str, str]  # message key -> message key it quotes
    thread_of: dict[str, str]  # message key -> thread id


def thread_id(message_key: str) -> str:
    return hashlib.sha1(message_key.encode()).hexdigest()[:12]


def link(prints: Sequence[Fingerprint]) -> Linked:
    """Group appearances into messages and messages into threads."""
    same = UnionFind()
    for a, b in candidate_pairs(prints):
        if same_message(a, b):
            same.union(a.key, b.key)
    for p in prints:
        same.find(p.key)
    message_of = {p.key: same.find(p.key) for p in prints}
    by_doc: dict[str, dict[int, str]] = defaultdict(dict)
    for p in prints:
        by_doc[p.document][p.position] = message_of[p.key]
    reply_to: dict[str, str] = {}
    threads = UnionFind()
    for positions in by_doc.values():
        for position, message in positions.items():
            threads.find(message)
            quoted = positions.get(position + 1)
            if quoted is not None and quoted != message:
                reply_to.setdefault(message, quoted)
                threads.union(message, quoted)
    thread_of = {m: thread_id(threads.find(m)) for m in set(message_of.values())}
    return Linked(message_of, reply_to, thread_of)


def appearance_key(document_id: str, position: int) -> str:
    return f"{document_id}:{position}"


def fingerprints_of(document_id: str, messages: Iterable[Message]) -> list[Fingerprint]:
    """Fingerprints of a document's parsed messages."""
    return [
        Fingerprint(
            key=appearance_key(document_id, m.position),
            document=document_id,
            position=m.position,
            sender=sender_key(m.sender.name, m.sender.address) if m.sender else "",
            clock=m.sent if m.sent_has_time else None,
            subject=subject_key(m.subject),
            body=body_signature(m.body),
        )
        for m in messages
    ]
