"""Benchmark of the enrichment step (e-mail headers + NER + patterns + resolution).

1. Words/s of the whole enrichment step over a generated release (default 2,000 pages) written to
   a real archive, next to spaCy's NER alone over the same page texts in the same run (the
   pipeline `ner.load_nlp` loads, `nlp.pipe` batched). Goal: whole step ≤ 1.3× spaCy alone.
2. Resolution alone (in memory, no database) over synthetic mentions at 100 k and 1 M, to show it
   grows about linearly (blocking), not with the square of the mentions.

Run: `python bench/entities.py [--pages 2000] [--mentions 100000 1000000]`; writes
bench/results/entities.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from unsealed.enrich import ner  # noqa: E402
from unsealed.enrich.resolve import resolve_items  # noqa: E402
from unsealed.enrich.resolve_types import Item  # noqa: E402

FIRST = (
    "Martin Dana Oliver Helena Rafael Claire Priya Avinoam Moshe Malcolm Khadija Asim Ilham David Marie"
).split()
SYLLABLES = "ka ve lor man sen dro bi tal ri on ez wit field har paz mol la de ber stein gold".split()
ORGS = [
    "Harbor Point Foundation",
    "Northgate Capital LLC",
    "Meridian Aviation",
    "Voss & Partners",
    "University of Haifa",
    "World Economic Forum",
    "Federal Bureau of Investigation",
]
PLACES = [
    "Palm Beach",
    "New York",
    "Baku",
    "Israel",
    "Azerbaijan",
    "Paris",
    "London",
    "St. Thomas",
    "Teterboro",
]


def _surname(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title()


def _ocr(text: str, rng: random.Random, rate: float = 0.01) -> str:
    swaps = {"h": "b", "m": "rn", "d": "cl", "e": "c", "l": "1", "o": "0"}
    return "".join(swaps[c] if c in swaps and rng.random() < rate else c for c in text)


def make_pages(count: int, seed: int = 7) -> list[str]:
    """Pages of printed e-mails and memos naming people, organisations, places, numbers."""
    rng = random.Random(seed)
    people = [f"{rng.choice(FIRST)} {_surname(rng)}" for _ in range(400)]
    pages = []
    for i in range(count):
        a, b, c = rng.sample(people, 3)
        lines = []
        if i % 3 == 0:
            user = a.split()[0].lower()
            lines += [
                f"From: {a} <{user}@example.com>",
                f"Sent: Monday, April {1 + i % 28}, 2018 10:01 AM",
                f"To: {b} <{b.split()[0].lower()}@example.org>",
                "Subject: Re: schedule",
                "",
            ]
        for _ in range(9):
            lines.append(
                f"{a} told {b.split()[-1]} that the {rng.choice(ORGS)} office in {rng.choice(PLACES)} would "
                f"call {c} at ({rng.randint(201, 989)}) 555-{rng.randint(1000, 9999)} about the flight to "
                f"{rng.choice(PLACES)} and the meeting with {rng.choice(ORGS)} later that week."
            )
        lines.append(f"EFTA{10_000_000 + i:08d}")
        pages.append(_ocr("\n".join(lines), rng))
    return pages


def spacy_alone(texts: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of NER alone; CPU time is less disturbed by other load."""
    nlp = ner.load_nlp()
    start, cpu = time.perf_counter(), time.process_time()
    for doc in nlp.pipe(texts, batch_size=ner.BATCH_SIZE):
        _ = doc.ents
    return time.perf_counter() - start, time.process_time() - cpu


def whole_step(texts: list[str], pages_per_doc: int = 5) -> tuple[float, float, dict[str, float]]:
    from tests.entities_support import add_document
    from unsealed.pipeline.enrich_stages import enrichment_stages
    from unsealed.store.archive import Archive

    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive.open(Path(tmp))
        ids = [
            add_document(archive, f"EFTA{10_000_000 + i:08d}.pdf", texts[i : i + pages_per_doc])
            for i in range(0, len(texts), pages_per_doc)
        ]
        stages: dict[str, float] = {}
        cpu = time.process_time()
        for stage in enrichment_stages():
            start = time.perf_counter()
            stage.run(archive, ids)
            stages[stage.name] = time.perf_counter() - start
        cpu = time.process_time() - cpu
        archive.close()
    return sum(stages.values()), cpu, stages


def synthetic_items(n: int, seed: int = 11) -> list[Item]:
    """n mentions of Zipf-distributed people/orgs with 3 % OCR variants, 20 mentions a document."""
    from unsealed.enrich.names import clean_form, name_key

    rng = random.Random(seed)
    names = [f"{rng.choice(FIRST)} {_surname(rng)} {_surname(rng)}" for _ in range(max(n // 20, 100))]
    weights = [1 / (r + 1) for r in range(len(names))]
    chosen = rng.choices(names, weights=weights, k=n)
    items = []
    for i, name in enumerate(chosen):
        form = clean_form(_ocr(name, rng, 0.03) if rng.random() < 0.3 else name)
        kind = "PERSON" if i % 4 else "ORG"
        items.append(Item(i, f"doc{i // 20}", kind, name_key(form, kind), form))
    return items


def time_resolution(n: int) -> dict[str, float]:
    items = synthetic_items(n)
    start = time.perf_counter()
    result = resolve_items(items)
    seconds = time.perf_counter() - start
    return {
        "mentions": n,
        "seconds": round(seconds, 2),
        "entities": len(result.entities),
        "microseconds_per_mention": round(seconds / n * 1e6, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--mentions", type=int, nargs="*", default=[100_000, 1_000_000])
    args = parser.parse_args()

    texts = make_pages(args.pages)
    words = sum(len(t.split()) for t in texts)
    ner.load_nlp()
    spacy_alone(texts[:50])  # warm-up
    alone, alone_cpu = spacy_alone(texts)
    whole, whole_cpu, stages = whole_step(texts)
    resolution = [time_resolution(n) for n in args.mentions]
    result = {
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "host": platform.node(),
            "load_before_and_after": subprocess.run(
                ["uptime"], capture_output=True, text=True
            ).stdout.strip(),
        },
        "pages": len(texts),
        "words": words,
        "spacy_ner_alone": {
            "seconds": round(alone, 2),
            "cpu_seconds": round(alone_cpu, 2),
            "words_per_s": round(words / alone),
        },
        "whole_enrichment": {
            "seconds": round(whole, 2),
            "cpu_seconds": round(whole_cpu, 2),
            "words_per_s": round(words / whole),
            "stages_s": {k: round(v, 2) for k, v in stages.items()},
        },
        "ratio_whole_to_spacy": round(whole / alone, 3),
        "ratio_whole_to_spacy_cpu": round(whole_cpu / alone_cpu, 3),
        "resolution_in_memory": resolution,
    }
    out = ROOT / "bench" / "results" / "entities.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
