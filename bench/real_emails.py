"""Scoring of printed e-mail parsing against tests/fixtures/real/email_headers_key.json.

Used by bench/real.py (all figures) and runnable alone:
`python bench/real_emails.py [--source raw|layer|scan] [--limit N] [--show]`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from unsealed.analysis.emails import Message, is_email_document, parse_document  # noqa: E402

KEY = ROOT / "tests" / "fixtures" / "real" / "email_headers_key.json"
Pages = list[tuple[int, str]]


def load_key() -> list[dict[str, Any]]:
    return list(json.loads(KEY.read_text(encoding="utf-8"))["documents"])


_CONFUSABLE = str.maketrans({"l": "i", "1": "i", "|": "i", "!": "i", "0": "o"})


def norm_text(value: str | None) -> str:
    """Subject normalisation for comparison, the same on both sides: case, quotes, punctuation and
    spaces ignored, and letters OCR confuses (I/l/1/|/!, O/0) taken as one, since the key keeps the
    release's own OCR damage (`Update Ill`) where a fresh OCR of our scan may read it right."""
    return re.sub(r"[^a-z0-9@]+", "", (value or "").lower().translate(_CONFUSABLE))


def norm_person(value: str | None) -> str:
    """A recipient or sender as an order-free bag of lower-case words (`Reid, W` = `W Reid`), OCR
    look-alikes taken as one letter as for subjects (`0ldfield` = `Oldfield`)."""
    words = re.findall(r"[a-z0-9@.]+", (value or "").lower().translate(_CONFUSABLE))
    return " ".join(sorted(w.strip(".") for w in words if w.strip(".")))


def sent_text(message: Message) -> str | None:
    if message.sent is None:
        return None
    return (
        message.sent.strftime("%Y-%m-%dT%H:%M")
        if message.sent_has_time
        else message.sent.strftime("%Y-%m-%d")
    )


def _recipients(message: Message) -> set[str]:
    return {norm_person(a.label) for a in message.to + message.cc if a.label}


def _sender_ok(got: Message, want: dict[str, Any]) -> bool:
    if want["from_name"] is None and want["from_address"] is None:
        return got.sender is None or (got.from_name is None and got.from_address is None)
    if got.sender is None:
        return False
    if want["from_address"] and got.from_address and got.from_address.lower() == want["from_address"].lower():
        return True
    return bool(want["from_name"]) and norm_person(got.from_name) == norm_person(want["from_name"])


class Tally:
    def __init__(self) -> None:
        self.counts: dict[str, list[float]] = {}

    def add(self, name: str, ok: float) -> None:
        self.counts.setdefault(name, []).append(ok)

    def share(self, name: str) -> float | None:
        values = self.counts.get(name, [])
        return round(sum(values) / len(values), 4) if values else None


def _f1(got: set[str], want: set[str]) -> tuple[int, int, int]:
    return len(got & want), len(got), len(want)


def score(
    get_pages: Callable[[dict[str, Any]], Pages],
    entries: list[dict[str, Any]],
    show: bool = False,
    known: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """Headline figures on each document's top message, and the same over every message."""
    top, every = Tally(), Tally()
    rec = {"top": [0, 0, 0], "all": [0, 0, 0]}
    cls = [0, 0, 0]  # true positive, predicted, actual
    misses: list[str] = []
    for entry in entries:
        pages = get_pages(entry)
        parsed = parse_document(pages, known)
        predicted = is_email_document(parsed, pages)
        cls[0] += predicted and entry["is_email"]
        cls[1] += predicted
        cls[2] += entry["is_email"]
        if not entry["is_email"]:
            if predicted:
                misses.append(f"{entry['file']}: classified as e-mail")
            continue
        got_top = [m for m in parsed if m.page == pages[0][0] and m.kind != "on-wrote"][:1]
        pairs = _pair(parsed, entry["messages"])
        for tally, which, items in (
            (top, "top", [(got_top[0] if got_top else None, entry["messages"][0])]),
            (every, "all", pairs),
        ):
            for got, want in items:
                ok = _compare(got, want)
                for k, v in ok.items():
                    tally.add(k, v)
                if got is not None:
                    g, p, a = _f1(_recipients(got), {norm_person(x) for x in want["to"] + want["cc"]})
                else:
                    g, p, a = 0, 0, len(want["to"] + want["cc"])
                rec[which][0] += g
                rec[which][1] += p
                rec[which][2] += a
                if which == "top" and not all(ok.values()):
                    misses.append(f"{entry['file']}: {_diff(got, want, ok)}")
    if show:
        print("\n".join(misses))
    return {
        "documents": len(entries),
        "classification_precision": round(cls[0] / cls[1], 4) if cls[1] else None,
        "classification_recall": round(cls[0] / cls[2], 4) if cls[2] else None,
        "top": {**{k: top.share(k) for k in top.counts}, "recipients_f1": _f1_of(rec["top"])},
        "all_messages": {
            **{k: every.share(k) for k in every.counts},
            "recipients_f1": _f1_of(rec["all"]),
            "messages": len(every.counts.get("found", [])),
        },
        "misses": misses[:60],
    }


def _f1_of(c: list[int]) -> float | None:
    p = c[0] / c[1] if c[1] else 1.0
    r = c[0] / c[2] if c[2] else 1.0
    return round(2 * p * r / (p + r), 4) if p + r else 0.0


def _pair(parsed: list[Message], wanted: list[dict[str, Any]]) -> list[tuple[Message | None, dict[str, Any]]]:
    """Key messages matched to parsed ones in order (same page and kind, nearest in sequence)."""
    out: list[tuple[Message | None, dict[str, Any]]] = []
    used: set[int] = set()
    cursor = 0
    for want in wanted:
        match = None
        for k in range(cursor, len(parsed)):
            m = parsed[k]
            if (
                k not in used
                and m.page == want["page"]
                and (m.kind == "on-wrote") == (want["kind"] == "on-wrote")
            ):
                match = k
                break
        if match is not None:
            used.add(match)
            cursor = match + 1
        out.append((parsed[match] if match is not None else None, want))
    return out


def _compare(got: Message | None, want: dict[str, Any]) -> dict[str, float]:
    if got is None:
        return {"found": 0, "subject": 0, "sent": 0, "sender": 0}
    return {
        "found": 1,
        "subject": float(norm_text(got.subject) == norm_text(want["subject"])),
        "sent": float(sent_text(got) == want["sent"]),
        "sender": float(_sender_ok(got, want)),
    }


def _diff(got: Message | None, want: dict[str, Any], ok: dict[str, float]) -> str:
    if got is None:
        return "top message not found"
    parts = []
    if not ok["subject"]:
        parts.append(f"subject {got.subject!r} != {want['subject']!r}")
    if not ok["sent"]:
        parts.append(f"sent {sent_text(got)!r} ({got.sent_text!r}) != {want['sent']!r}")
    if not ok["sender"]:
        parts.append(
            f"from {got.from_name!r}/{got.from_address!r} != {want['from_name']!r}/{want['from_address']!r}"
        )
    return "; ".join(parts)


_DOCS: dict[str, Any] = {}


def corpus_document(file: str) -> Any:
    from unsealed.sample.real import load_corpus

    if not _DOCS:
        _DOCS.update({d.file: d for d in load_corpus()})
    return _DOCS[file]


def archive_senders() -> frozenset[str]:
    """Sender addresses the key's documents print clean (their corpus text): the archive-level
    evidence the e-mail stage gives the parser (`enrich_stages.known_addresses`)."""
    found = set()
    for entry in load_key():
        for m in parse_document(raw_pages(entry)):
            if m.sender and m.sender.printed and m.from_address == m.sender.printed.lower():
                found.add(m.from_address)
    return frozenset(found)


def raw_pages(entry: dict[str, Any]) -> Pages:
    return list(enumerate(corpus_document(entry["file"]).pages, start=1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", default="raw", choices=["raw", "layer", "scan"])
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--show", action="store_true")
    args = ap.parse_args()
    entries = load_key()[: args.limit or None]
    if args.source == "raw":
        get = raw_pages
    else:
        from bench.real import pdf_pages

        def get(entry: dict[str, Any]) -> Pages:
            return pdf_pages(entry["file"], scanned=args.source == "scan")

    result = score(get, entries, show=args.show, known=archive_senders())
    result.pop("misses")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
