"""E-mail threads on the real corpus against the hand-read key (tests/fixtures/real/threads_key.json).

Every document of the key is parsed from its raw text (analysis/emails.py), fingerprinted and linked
(analysis/threads.py). Each key appearance (file, page, position) is matched to the parsed message
at that position (else the one on that page with the same sender). Scores, over pairs of key
appearances: `message` (same message: the key's `appearances` of one entry) and `thread` (same
thread) precision, recall and F1; `parent`: the reply links (the key's `in_reply_to`) between
messages that have a matched appearance, precision, recall and F1.

    python -m bench.threads
"""

from __future__ import annotations

import json
import time
from itertools import combinations
from pathlib import Path
from typing import Any

from bench.common import write_result
from unsealed.analysis.emails import Message, parse_document
from unsealed.analysis.threads import appearance_key, fingerprints_of, link, sender_key
from unsealed.sample.real import load_corpus

KEY = Path(__file__).resolve().parents[1] / "tests/fixtures/real/threads_key.json"


def _match(
    messages: list[Message], page: int, position: int, sender: str, sent: str | None, used: set[int]
) -> Message | None:
    """The parsed message a key appearance names: on its page, with its printed clock and sender
    words, else at its position; each parsed message used once."""
    wanted = set(sender_key(sender, None).split())
    free = [m for m in messages if m.page == page and id(m) not in used]

    def clock_ok(m: Message) -> bool:
        return bool(sent and m.sent and m.sent.strftime("%Y-%m-%dT%H:%M") == sent)

    def sender_ok(m: Message) -> bool:
        return bool(m.sender and wanted & set(sender_key(m.sender.name, m.sender.address).split()))

    for test in (lambda m: clock_ok(m) and sender_ok(m), clock_ok, lambda m: m.position == position):
        found = [m for m in free if test(m)]
        if found:
            best = min(found, key=lambda m: abs(m.position - position))
            used.add(id(best))
            return best
    return None


def _prf(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> dict[str, float]:
    hits = len(found & truth)
    p = hits / len(found) if found else 1.0
    r = hits / len(truth) if truth else 1.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
    }


def run() -> dict[str, Any]:
    key = json.loads(KEY.read_text())
    docs = {d.file: d for d in load_corpus()}
    files = sorted({a["file"] for t in key["threads"] for m in t["messages"] for a in m["appearances"]})
    started = time.perf_counter()
    parsed = {f: parse_document(list(enumerate(docs[f].pages, start=1))) for f in files}
    prints = [fp for f in files for fp in fingerprints_of(f, parsed[f])]
    linked = link(prints)
    elapsed = time.perf_counter() - started
    truth_message: dict[str, str] = {}
    truth_thread: dict[str, str] = {}
    truth_parent: dict[str, str] = {}  # key message -> the key message it quotes
    predicted: dict[str, str] = {}
    unmatched = 0
    used: set[int] = set()
    for thread in key["threads"]:
        for index, message in enumerate(thread["messages"]):
            if message.get("in_reply_to") is not None:
                truth_parent[f"{thread['id']}/{index}"] = f"{thread['id']}/{message['in_reply_to']}"
            for a in message["appearances"]:
                found = _match(
                    parsed[a["file"]], a["page"], a["position"], message["sender"], message.get("sent"), used
                )
                if found is None:
                    unmatched += 1
                    continue
                k = appearance_key(a["file"], found.position)
                truth_message[k] = f"{thread['id']}/{index}"
                truth_thread[k] = thread["id"]
                predicted[k] = linked.message_of[k]
    keys = sorted(truth_message)

    def pairs(label: dict[str, str]) -> set[tuple[str, str]]:
        return {(a, b) for a, b in combinations(keys, 2) if label[a] == label[b]}

    thread_pred = {k: linked.thread_of[predicted[k]] for k in keys}
    found_parents, true_parents = _parent_links(keys, predicted, truth_message, truth_parent, linked.reply_to)
    return {
        "threads": len(key["threads"]),
        "appearances": sum(len(m["appearances"]) for t in key["threads"] for m in t["messages"]),
        "unmatched_appearances": unmatched,
        "messages_parsed": len(prints),
        "link_s": round(elapsed, 2),
        "message": _prf(pairs(predicted), pairs(truth_message)),
        "thread": _prf(pairs(thread_pred), pairs(truth_thread)),
        "parent": _prf(found_parents, true_parents),
        "parent_links": len(true_parents),
    }


def _parent_links(
    keys: list[str],
    predicted: dict[str, str],
    truth_message: dict[str, str],
    truth_parent: dict[str, str],
    reply_to: dict[str, str],
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Reply links as (key message, key message) pairs: those linked (a matched appearance's
    message quotes a message some matched appearance of the key belongs to) and those the key
    records, counted only where both ends have a matched appearance."""
    truth_of_predicted: dict[str, set[str]] = {}
    for k in keys:
        truth_of_predicted.setdefault(predicted[k], set()).add(truth_message[k])
    matched = set(truth_message.values())
    found = {
        (truth_message[k], parent)
        for k in keys
        if (quoted := reply_to.get(predicted[k])) is not None
        for parent in truth_of_predicted.get(quoted, set())
    }
    truth = {(c, p) for c, p in truth_parent.items() if c in matched and p in matched}
    return found, truth


def main() -> None:
    path = write_result("threads", run())
    print(path.read_text())


if __name__ == "__main__":
    main()
