"""E-mail threads: the same printed message found again, and replies linked to what they quote.

Each printed message (analysis/emails.py) gets a fingerprint: its sender normalised (name words
sorted, else the address), its printed clock to the minute, its subject without Re:/Fw: prefixes,
and a MinHash of its body without quoted lines. Two appearances are one message when the sender
agrees, the clocks agree to the minute (one minute of rounding), or by whole hours between a top
message and a quoted one (a top "Sent:" line is often UTC where a quoted "On … wrote:" line is the
sender's local time), and
the subject or the body agrees. Which message each one quotes is decided in `thread_replies`: the
next one printed below it in a document, else a message of another document it quotes or answers;
a thread is every message reachable through those links, a tree with each message once.
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
from unsealed.analysis.neardup import shingles, signature_of_words, similarity, words
from unsealed.analysis.thread_replies import Evidence, acyclic, document_parents, quoted_elsewhere
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
    body_size: int = 0  # its distinct shingles
    recipients: frozenset[str] = frozenset()  # To/CC, normalised as senders are
    replying: bool = False  # the subject printed with Re:/Fw:
    printed: np.ndarray | None = None  # MinHash of body and `>` quotes, where it quotes that way
    printed_size: int = 0


def sender_key(name: str | None, address: str | None) -> str:
    words = re.findall(r"[a-z0-9]+", (name or "").lower())
    if words:
        return " ".join(sorted(words))
    return (address or "").lower()


def subject_key(subject: str | None) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", _PREFIX.sub("", subject or "").lower()))


def body_signature(body: str) -> np.ndarray | None:
    return signed_body(body)[0]


def signed_body(text: str) -> tuple[np.ndarray | None, int]:
    """A body's MinHash (None when too short to compare) and its number of distinct shingles."""
    tokens = words(text)
    sig = signature_of_words(tokens, BODY_OPTIONS)
    return sig, len(set(shingles(tokens, BODY_OPTIONS.shingle))) if sig is not None else 0


def is_replying(subject: str | None) -> bool:
    return bool(subject and _PREFIX.match(subject))


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
    """Group appearances into messages, link each message to the one it quotes, and messages
    into threads."""
    same = UnionFind()
    for a, b in candidate_pairs(prints):
        if same_message(a, b):
            same.union(a.key, b.key)
    for p in prints:
        same.find(p.key)
    message_of = {p.key: same.find(p.key) for p in prints}
    chains: dict[str, dict[int, str]] = defaultdict(dict)
    for p in prints:
        chains[p.document][p.position] = message_of[p.key]
    in_document, support = document_parents(chains)
    evidence = _evidence(prints, message_of)
    orphans = [e for e in evidence.values() if e.key not in in_document]
    by_subject: dict[str, list[Evidence]] = defaultdict(list)
    for e in evidence.values():
        if e.subject:
            by_subject[e.subject].append(e)
    elsewhere = quoted_elsewhere(orphans, by_subject, _senders_agree, MAX_HOURS)
    # the best-supported links first: where two close a cycle, the weaker is dropped
    links = sorted(in_document.items(), key=lambda kv: (-support[kv[0]], kv[0]))
    links += [(c, p) for c, (p, _) in sorted(elsewhere.items(), key=lambda kv: (-kv[1][1], kv[0]))]
    reply_to = acyclic(links)
    # every pair a document prints together is one conversation, also where the tree keeps only
    # the nearest of a message's parents
    threads = UnionFind()
    for message in evidence:
        threads.find(message)
    for chain in chains.values():
        for position, message in chain.items():
            if (quoted := chain.get(position + 1)) is not None:
                threads.union(message, quoted)
    for child, parent in reply_to.items():
        threads.union(child, parent)
    thread_of = {m: thread_id(threads.find(m)) for m in evidence}
    return Linked(message_of, reply_to, thread_of)


def _printed(p: Fingerprint) -> tuple[np.ndarray, int]:
    """What an appearance prints below its header: its body with its `>` quotes, else its body."""
    if p.printed is not None:
        return p.printed, p.printed_size
    assert p.body is not None
    return p.body, p.body_size


def _evidence(prints: Sequence[Fingerprint], message_of: dict[str, str]) -> dict[str, Evidence]:
    """Each message's appearances taken together, for linking it to a message of another document."""
    groups: dict[str, list[Fingerprint]] = defaultdict(list)
    for p in sorted(prints, key=lambda p: p.key):  # the same answer whatever order rows come in
        groups[message_of[p.key]].append(p)
    out: dict[str, Evidence] = {}
    for key, group in groups.items():
        tops = [p for p in group if p.position == 0]
        clocks = [p.clock for p in (tops or group) if p.clock is not None]
        with_body = [p for p in group if p.body is not None]
        own = max(with_body, key=lambda p: p.body_size) if with_body else None
        out[key] = Evidence(
            key=key,
            documents=frozenset(p.document for p in group),
            subject=next((p.subject for p in group if p.subject), ""),
            replying=any(p.replying for p in group),
            clock=min(clocks) if clocks else None,
            top=bool(tops),
            sender=next((p.sender for p in group if p.sender), ""),
            recipients=frozenset(r for p in group for r in p.recipients),
            body=own.body if own else None,
            body_size=own.body_size if own else 0,
            printed=tuple(_printed(p) for p in group if p.printed is not None or p.body is not None),
        )
    return out


def appearance_key(document_id: str, position: int) -> str:
    return f"{document_id}:{position}"


def fingerprints_of(document_id: str, messages: Iterable[Message]) -> list[Fingerprint]:
    """Fingerprints of a document's parsed messages."""
    return [_fingerprint(document_id, m) for m in messages]


def _fingerprint(document_id: str, m: Message) -> Fingerprint:
    body, body_size = signed_body(m.body)
    printed, printed_size = signed_body(f"{m.body}\n{m.quoted}") if m.quoted else (None, 0)
    recipients = {sender_key(a.name, a.address) for a in (*m.to, *m.cc)}
    return Fingerprint(
        key=appearance_key(document_id, m.position),
        document=document_id,
        position=m.position,
        sender=sender_key(m.sender.name, m.sender.address) if m.sender else "",
        clock=m.sent if m.sent_has_time else None,
        subject=subject_key(m.subject),
        body=body,
        body_size=body_size,
        recipients=frozenset(r for r in recipients if r),
        replying=is_replying(m.subject),
        printed=printed,
        printed_size=printed_size,
    )
