"""Which message each message quotes: one parent per message, no cycles, across documents.

In-document evidence: a document prints a chain, newest first; the message at position p+1 is the
one p quotes or forwards. Documents can disagree where one of them lost a header (its chain skips
a message): of a message's candidates the nearest wins — the one no other candidate is printed
above in some document — then the one more documents give.

Cross-document evidence, for a message no document prints anything below: a message printed in
another document with the same subject (the reply's printed with Re:/Fw:), sent before it (within
`MAX_DAYS`; by whole hours of time zone where one is a top message and the other quoted), and
either its body found in what the reply prints below its header (the quoted part, estimated from
the MinHash signatures: containment ≥ `QUOTED_MATCH`; an edited draft sent again is not a quote)
or the two talking to each other (the parent's sender among the reply's recipients, or the reply's
sender among the parent's). Of several, quoted ones first, then the latest.

Links that would close a cycle (two documents printing two messages in opposite orders) are
dropped, weakest last-added first: the result is a forest.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from unsealed.analysis.neardup import similarity

MAX_DAYS = 30  # a reply printed without its parent is looked for within this many days before it
QUOTED_MATCH = 0.7  # share of the parent's body found in what the reply prints below its header


@dataclass(frozen=True)
class Evidence:
    """What one message (all its appearances together) offers for cross-document linking."""

    key: str
    documents: frozenset[str]
    subject: str  # normalised; "" for none
    replying: bool  # its subject printed with Re:/Fw:
    clock: datetime | None  # the earliest printed clock of its top appearances, else any
    top: bool  # printed as some document's top message
    sender: str
    recipients: frozenset[str]
    body: np.ndarray | None  # MinHash of its own body
    body_size: int  # distinct shingles of its own body
    printed: tuple[tuple[np.ndarray, int], ...]  # (MinHash, size) of what each appearance prints below


def _nearest(candidates: Counter[str], positions: Mapping[str, Mapping[str, int]]) -> str:
    """The candidate no other candidate is printed above (between it and the child) somewhere."""

    def below_another(c: str) -> bool:
        return any(
            d in positions[o] and positions[o][d] < p
            for o in candidates
            if o != c
            for d, p in positions[c].items()
        )

    near = [c for c in candidates if not below_another(c)] or list(candidates)
    return min(near, key=lambda c: (-candidates[c], c))


def document_parents(
    chains: Mapping[str, Mapping[int, str]],
) -> tuple[dict[str, str], dict[str, int]]:
    """Each message's parent from the documents' chains (document -> position -> message), and how
    many documents give that link."""
    candidates: dict[str, Counter[str]] = defaultdict(Counter)
    positions: dict[str, dict[str, int]] = defaultdict(dict)
    for document, chain in chains.items():
        for position, message in chain.items():
            positions[message][document] = position
            quoted = chain.get(position + 1)
            if quoted is not None and quoted != message:
                candidates[message][quoted] += 1
    parents: dict[str, str] = {}
    support: dict[str, int] = {}
    for message, found in candidates.items():
        parents[message] = _nearest(found, positions)
        support[message] = found[parents[message]]
    return parents, support


def containment(part: np.ndarray, part_size: int, whole: np.ndarray, whole_size: int) -> float:
    """Estimated share of `part`'s shingles found in `whole`, from their Jaccard estimate J and
    sizes: |A ∩ B| = J (|A| + |B|) / (1 + J)."""
    if part_size == 0:
        return 0.0
    j = similarity(part, whole)
    return min(1.0, j * (part_size + whole_size) / ((1 + j) * part_size))


def _participants_agree(parent: Evidence, reply: Evidence, agree: Callable[[str, str], bool]) -> bool:
    """The parent's sender is one the reply is sent to, or the reply's sender one the parent was
    sent to (a sender writing again under one subject is not, by itself, replying)."""
    if parent.sender and any(agree(parent.sender, p) for p in reply.recipients):
        return True
    return bool(reply.sender) and any(agree(reply.sender, p) for p in parent.recipients)


def _quoted(parent: Evidence, reply: Evidence) -> float:
    if parent.body is None:
        return 0.0
    body, size = parent.body, parent.body_size
    return max((containment(body, size, sig, n) for sig, n in reply.printed), default=0.0)


def _before(parent: Evidence, reply: Evidence, zone_hours: int) -> bool:
    if parent.clock is None or reply.clock is None:
        return False
    slack = timedelta(hours=zone_hours) if parent.top != reply.top else timedelta(0)
    return reply.clock - timedelta(days=MAX_DAYS) <= parent.clock < reply.clock + slack


def quoted_elsewhere(
    orphans: Sequence[Evidence],
    by_subject: Mapping[str, Sequence[Evidence]],
    agree: Callable[[str, str], bool],
    zone_hours: int,
) -> dict[str, tuple[str, float]]:
    """For messages without a parent: the message of another document each replies to, with the
    score (the quoted share, or 0 for a participant match)."""
    found: dict[str, tuple[str, float]] = {}
    for reply in orphans:
        if not (reply.replying and reply.subject):
            continue
        best: tuple[float, datetime, str] | None = None
        for parent in by_subject.get(reply.subject, ()):
            if parent.key == reply.key or parent.documents & reply.documents:
                continue
            if not _before(parent, reply, zone_hours):
                continue
            quoted = _quoted(parent, reply)
            if quoted < QUOTED_MATCH and not _participants_agree(parent, reply, agree):
                continue
            score = quoted if quoted >= QUOTED_MATCH else 0.0
            assert parent.clock is not None
            rank = (score, parent.clock, parent.key)
            if best is None or rank > best:
                best = rank
        if best is not None:
            found[reply.key] = (best[2], best[0])
    return found


def acyclic(links: Sequence[tuple[str, str]]) -> dict[str, str]:
    """child -> parent from links taken in order, each child once, dropping any that would close
    a cycle."""
    parent: dict[str, str] = {}
    for child, candidate in links:
        if child in parent or child == candidate:
            continue
        node: str | None = candidate
        while node is not None and node != child:
            node = parent.get(node)
        if node is None:
            parent[child] = candidate
    return parent
