"""Archive-wide OCR-variant merging, with blocking so that it never compares all pairs.

Two keys of one type are variants when their OCR skeletons are within a small edit distance. A
variant joins the other key only when they share context — a document, or at least two co-mentioned
entities — and the other key is more frequent (clearly more frequent, 2×, when only co-mentions
link them). Equal counts in one document are settled by which spelling is more plausible: the one
whose letter pairs are more common among all names of the archive (`Moshe` over `Mosbe`).

Blocking: every skeleton word of 4+ letters and each of its one-letter deletions is a block key;
only keys sharing a block are compared, and blocks larger than MAX_BLOCK (very common words)
are skipped. Work grows with the number of distinct keys, not its square.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from unsealed.enrich.names import ocr_skeleton

MAX_BLOCK = 200
MERGED_TYPES = ("PERSON", "ORG", "LOCATION", "EMAIL")
CrossKey = tuple[str, str]  # (type, key)


@dataclass
class Candidate:
    count: int = 0
    documents: set[str] = field(default_factory=set)
    forms: Counter[str] = field(default_factory=Counter)


class Plausibility:
    """Mean log-frequency of a string's letter pairs among all name forms of the archive."""

    def __init__(self, forms: Iterable[tuple[str, int]]) -> None:
        self.pairs: Counter[str] = Counter()
        for form, count in forms:
            text = f" {form.lower()} "
            for i in range(len(text) - 1):
                self.pairs[text[i : i + 2]] += count
        self.total = sum(self.pairs.values()) + 1

    def score(self, form: str) -> float:
        text = f" {form.lower()} "
        pairs = [text[i : i + 2] for i in range(len(text) - 1)]
        return sum(math.log((self.pairs[p] + 1) / self.total) for p in pairs) / max(len(pairs), 1)


def max_distance(length: int) -> int:
    """Edits allowed between two skeletons: none for short keys (`iran`/`irak`), more for long ones."""
    return 0 if length <= 5 else 1 if length <= 10 else 2 if length <= 20 else 3


def _block_keys(skeleton: str) -> set[str]:
    keys = set()
    for word in skeleton.split():
        if len(word) >= 4:
            keys.add(word)
            keys.update(word[:i] + word[i + 1 :] for i in range(len(word)))
    return keys


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[CrossKey, CrossKey] = {}

    def find(self, x: CrossKey) -> CrossKey:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent.get(x, x)
        return root


def _neighbours(
    ck: CrossKey, candidates: dict[CrossKey, Candidate], by_doc: dict[str, set[CrossKey]]
) -> set[CrossKey]:
    out: set[CrossKey] = set()
    for doc in list(candidates[ck].documents)[:100]:
        out |= by_doc[doc]
    return out


def merge_variants(candidates: dict[CrossKey, Candidate]) -> dict[CrossKey, CrossKey]:
    """Map each variant key to the key it joins (keys that join nothing are left out)."""
    plaus = Plausibility((f, n) for c in candidates.values() for f, n in c.forms.items())
    best_form = {ck: c.forms.most_common(1)[0][0] for ck, c in candidates.items() if c.forms}
    by_doc: dict[str, set[CrossKey]] = defaultdict(set)
    for ck, cand in candidates.items():
        for doc in cand.documents:
            by_doc[doc].add(ck)

    def rank(ck: CrossKey) -> tuple[int, float]:
        return candidates[ck].count, plaus.score(best_form.get(ck, ck[1]))

    blocks: dict[tuple[str, str], list[CrossKey]] = defaultdict(list)
    skeletons: dict[CrossKey, str] = {}
    for ck in candidates:
        if ck[0] not in MERGED_TYPES or len(ck[1]) < 4 or ck[1].startswith("country:"):
            continue  # country keys are already canonical
        skeletons[ck] = ocr_skeleton(ck[1])
        for bk in _block_keys(skeletons[ck]):
            blocks[(ck[0], bk)].append(ck)

    uf = _UnionFind()
    seen: set[tuple[CrossKey, CrossKey]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pair = (a, b) if a < b else (b, a)
                if pair in seen:
                    continue
                seen.add(pair)
                sa, sb = skeletons[a], skeletons[b]
                limit = max_distance(min(len(sa), len(sb)))
                if abs(len(sa) - len(sb)) > limit or Levenshtein.distance(sa, sb, score_cutoff=limit) > limit:
                    continue
                target, variant = (a, b) if rank(a) >= rank(b) else (b, a)
                ct, cv = candidates[target], candidates[variant]
                if ct.documents & cv.documents:
                    pass  # same document: the more frequent / more plausible spelling wins
                elif ct.count >= 2 * cv.count:
                    shared = _neighbours(target, candidates, by_doc) & _neighbours(
                        variant, candidates, by_doc
                    )
                    if len(shared - {target, variant}) < 2:
                        continue
                else:
                    continue
                rt, rv = uf.find(target), uf.find(variant)
                if rt != rv:
                    if rank(rv) > rank(rt):
                        rt, rv = rv, rt
                    uf.parent[rv] = rt
    return {ck: uf.find(ck) for ck in list(uf.parent) if uf.find(ck) != ck}
