"""Near-duplicate detection: datasketch vs rensa, and pair precision/recall on a synthetic corpus.

A synthetic corpus of pages is built with planted near-duplicates: copies of a page with OCR noise
(characters changed in 3 % of words), reflowed lines, a redacted word and a different footer (and a
Bates stamp of their own, as every copy has). Part 1 times MinHash signatures by both libraries on
the same pages. Part 2 runs the archive's own functions (unsealed/analysis/neardup.py: normalise,
shingle, MinHash, LSH bands, verify by estimated Jaccard; pages signed in bulk, as the ingest
workers sign them) over the whole corpus with an in-memory band index and union-find, and scores
the pairs of pages put together against the planted pairs.

    python -m bench.dedup --pages 100000
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from itertools import combinations

import numpy as np

from bench.common import write_result
from unsealed.analysis.neardup import (
    Banding,
    band_keys,
    from_bytes,
    page_signatures,
    shingles,
    signed_document,
    similarity,
    words,
)
from unsealed.config import DedupOptions


def _vocabulary(rng: random.Random, size: int = 20000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(2, 10))) for _ in range(size)]


def _noisy(word: str, rng: random.Random) -> str:
    chars = list(word)
    chars[rng.randrange(len(chars))] = rng.choice("0l1I|rnm")
    return "".join(chars)


def _variant(lines: list[list[str]], kind: str, rng: random.Random) -> list[list[str]]:
    flat = [w for line in lines for w in line]
    if kind == "ocr":
        flat = [_noisy(w, rng) if rng.random() < 0.03 else w for w in flat]
    elif kind == "redacted":
        i = rng.randrange(len(flat))
        flat = flat[:i] + ["\u2588\u2588\u2588\u2588"] + flat[i + 1 :]
    if kind == "reflow":
        width = rng.randint(6, 14)
        return [flat[i : i + width] for i in range(0, len(flat), width)]
    out, i = [], 0
    for line in lines:
        out.append(flat[i : i + len(line)])
        i += len(line)
    return out


def corpus(pages: int, seed: int = 7) -> tuple[list[str], list[tuple[int, int]]]:
    """`pages` page texts and the planted near-duplicate pairs (indexes)."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng)
    texts: list[str] = []
    families: list[list[int]] = []
    kinds = ("ocr", "reflow", "redacted", "footer")
    while len(texts) < pages:
        lines = [rng.choices(vocab, k=rng.randint(8, 14)) for _ in range(rng.randint(10, 30))]
        members = [len(texts)]
        texts.append(_render(lines, "Confidential", len(texts)))
        if rng.random() < 0.2:  # a family: the original plus 1-3 altered copies
            for kind in rng.sample(kinds, rng.randint(1, 3)):
                if len(texts) >= pages:
                    break
                footer = "Produced to the Committee - page 1" if kind == "footer" else "Confidential"
                members.append(len(texts))
                texts.append(_render(_variant(lines, kind, rng), footer, len(texts)))
            families.append(members)
    truth = [pair for family in families for pair in combinations(family, 2)]
    return texts, truth


def _render(lines: list[list[str]], footer: str, number: int) -> str:
    return "\n".join(" ".join(line) for line in lines) + f"\n{footer}\nEFTA{number + 1:08d}"


def time_engines(texts: list[str], options: DedupOptions) -> dict[str, float]:
    """Seconds per 1,000 signatures by each library on the same shingles (datasketch, no longer a
    dependency, only when it is installed: `pip install datasketch`)."""
    from rensa import RMinHash

    try:
        from datasketch import MinHash
    except ImportError:
        MinHash = None

    sets = [shingles(words(t), options.shingle) for t in texts]
    per = 1000 / len(texts)
    out: dict[str, float] = {}
    if MinHash is not None:
        started = time.perf_counter()
        for tokens in sets:
            m = MinHash(num_perm=options.permutations, seed=1)
            m.update_batch([s.encode() for s in tokens])
            m.digest()
        out["datasketch_s_per_1000"] = round((time.perf_counter() - started) * per, 4)
    started = time.perf_counter()
    for tokens in sets:
        r = RMinHash(num_perm=options.permutations, seed=1)
        r.update(tokens)
        r.digest()
    out["rensa_s_per_1000"] = round((time.perf_counter() - started) * per, 4)
    return out


def cluster(texts: list[str], options: DedupOptions) -> tuple[list[int], dict[str, float]]:
    """Cluster label per text (each signed as a page) by the archive's functions, with the seconds
    each step took."""
    started = time.perf_counter()
    sigs: list[np.ndarray | None] = []  # as the ingest workers sign pages: in bulk
    for start in range(0, len(texts), 1000):
        sigs.extend(page_signatures(texts[start : start + 1000], options))
    labels, timings = cluster_signatures(sigs, options)
    return labels, {"signatures_s": time.perf_counter() - started - timings["lsh_s"], **timings}


def cluster_signatures(
    sigs: list[np.ndarray | None], options: DedupOptions
) -> tuple[list[int], dict[str, float]]:
    """Cluster label per signature: LSH bands in a dict, candidates verified, union-find."""
    banding = Banding.for_options(options)
    started = time.perf_counter()
    parent = list(range(len(sigs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    buckets: dict[int, list[int]] = defaultdict(list)
    checks = 0
    for i, sig in enumerate(sigs):
        if sig is None:
            continue
        seen: set[int] = set()
        for key in band_keys(sig, banding):
            bucket = buckets[key]
            for j in bucket:
                if j not in seen:
                    seen.add(j)
                    checks += 1
                    other = sigs[j]
                    if other is not None and similarity(sig, other) >= options.threshold:
                        parent[find(i)] = find(j)
            bucket.append(i)
    labels = [find(i) for i in range(len(sigs))]
    return labels, {"lsh_s": time.perf_counter() - started, "candidate_checks": checks}


def score(labels: list[int], truth: list[tuple[int, int]]) -> dict[str, float]:
    groups: dict[int, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        groups[label].append(i)
    found = {pair for members in groups.values() for pair in combinations(sorted(members), 2)}
    planted = set(truth)
    hits = len(found & planted)
    return {
        "planted_pairs": len(planted),
        "found_pairs": len(found),
        "precision": round(hits / len(found), 4) if found else 1.0,
        "recall": round(hits / len(planted), 4) if planted else 1.0,
    }


# Pairs the corpus README names: the same e-mail in both sources, and one same-source example.
README_PAIRS = [
    ("HOUSE_OVERSIGHT_020437", "EFTA02455697"),
    ("HOUSE_OVERSIGHT_030218", "EFTA01748674"),
    ("HOUSE_OVERSIGHT_031830", "EFTA02535403"),
    ("HOUSE_OVERSIGHT_033354", "HOUSE_OVERSIGHT_033485"),
]


def real_corpus(options: DedupOptions) -> dict[str, object]:
    """Document-level clusters over the real corpus (../shared/corpus) and the README's pairs."""
    from unsealed.sample.real import load_corpus

    docs = load_corpus()
    started = time.perf_counter()
    banding = Banding.for_options(options)
    signed = [signed_document(d.pages, options, banding)[0][0] for d in docs]  # as ingest signs them
    labels, _ = cluster_signatures([None if s is None else from_bytes(s) for s in signed], options)
    elapsed = time.perf_counter() - started
    groups: dict[int, list[str]] = defaultdict(list)
    for doc, label in zip(docs, labels, strict=True):
        groups[label].append(doc.id)
    clusters = sorted(sorted(g) for g in groups.values() if len(g) > 1)
    together = {frozenset(p) for g in clusters for p in combinations(g, 2)}
    cross = [
        g for g in clusters if any(i.startswith("EFTA") for i in g) and any(i.startswith("HOUSE") for i in g)
    ]
    return {
        "documents": len(docs),
        "build_s": round(elapsed, 2),
        "clusters_with_copies": len(clusters),
        "pairs_found": len(together),
        "cross_source_clusters": cross,
        "readme_pairs_found": {f"{a} = {b}": frozenset((a, b)) in together for a, b in README_PAIRS},
        "clusters": clusters,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--engine-pages", type=int, default=5_000)
    parser.add_argument(
        "--real", action="store_true", help="the real corpus instead (bench/results/dedup_real.json)"
    )
    args = parser.parse_args()
    if args.real:
        path = write_result("dedup_real", real_corpus(DedupOptions()))
        print(path.read_text())
        return
    options = DedupOptions()
    started = time.perf_counter()
    texts, truth = corpus(args.pages)
    generated = time.perf_counter() - started
    engines = time_engines(texts[: args.engine_pages], options)
    labels, timings = cluster(texts, options)
    scores = score(labels, truth)
    build = timings["signatures_s"] + timings["lsh_s"]
    result = {
        "pages": args.pages,
        "options": vars(options),
        "generate_s": round(generated, 1),
        "engines": engines,
        "build_s": round(build, 1),
        "build_s_per_million_pages": round(build * 1_000_000 / args.pages, 1),
        **{k: round(v, 2) for k, v in timings.items()},
        **scores,
    }
    path = write_result(f"dedup_{args.pages}", result)
    print(path.read_text())


if __name__ == "__main__":
    main()
