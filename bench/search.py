"""Search benchmark: build the index of a synthetic release and time each query kind.

    python bench/search.py                      # 3,000,000 pages (long: generation + build)
    python bench/search.py --pages 100000       # a quick run
    python bench/search.py --reuse              # keep the generated archive, rebuild + query

Writes bench/results/search.json. The index is built by the product's own path
(`unsealed.search.indexer.rebuild`: archive SQLite -> DocumentPages -> Tantivy writer), and each query
kind runs through `Searcher.search()` (parse, compile, search, citations, snippets) and, in the same
run, as a hand-built Tantivy query ("raw": no parsing, no snippets, no facets; top-20 hits with
their stored fields). Two more variants go through the engine's grouping: "grouped_collapsed"
(documents, near-identical ones collapsed, with the exact count of groups: what /search asks) and
"page_collapsed" (page hits with copies collapsed: the API's and the CLI's default). The corpus
plants copies (search_corpus.COPY_RATE) so that there is something to collapse.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from tantivy import Occur, Query

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search_corpus import Corpus, write  # noqa: E402

from unsealed.search import indexer  # noqa: E402
from unsealed.search.service import Group, Searcher  # noqa: E402
from unsealed.search.tantivy_backend import _FACET_FIELDS  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "search.json"


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _git() -> str:
    return subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class QueryKinds:
    """For each kind: (our query string, raw tantivy Query builder) pairs, drawn from the corpus."""

    def __init__(self, corpus: Corpus, schema: object, n: int, seed: int = 11) -> None:
        self.rng = np.random.default_rng(seed)
        self.c, self.s, self.n = corpus, schema, n

    def _term(self, field: str, token: str) -> Query:
        return Query.term_query(self.s, field, token)

    def _and(self, *queries: Query) -> Query:
        return Query.boolean_query([(Occur.Must, q) for q in queries])

    def kinds(self) -> dict[str, list[tuple[str, Callable[[], Query]]]]:
        c, r, n = self.c, self.rng, self.n
        names = c.names
        v = c.vocab
        out: dict[str, list[tuple[str, Callable[[], Query]]]] = {}
        rare = [names[i] for i in r.integers(1_500, len(names), n)]
        lowered = [(first, last, first.lower(), last.lower()) for first, last in rare]
        out["rare_name"] = [
            (f"{first} {last}", lambda a=a, b=b: self._and(self._term("text", a), self._term("text", b)))
            for first, last, a, b in lowered
        ]
        common = [v[i] for i in r.integers(0, 30, n)]
        out["common_word_top20"] = [(w, lambda w=w: self._term("text", w)) for w in common]
        phrases = [c.phrases[i] for i in r.integers(0, len(c.phrases), n)]
        out["phrase"] = [
            (f'"{p}"', lambda p=p: Query.phrase_query(self.s, "text", p.split())) for p in phrases
        ]
        pairs = [
            (v[a], v[b]) for a, b in zip(r.integers(300, 3_000, n), r.integers(300, 3_000, n), strict=True)
        ]
        out["and_mid_words"] = [
            (f"{a} {b}", lambda a=a, b=b: self._and(self._term("text", a), self._term("text", b)))
            for a, b in pairs
        ]
        prefixes = [v[i][:4] for i in r.integers(200, 5_000, n)]
        out["prefix"] = [(f"{p}*", lambda p=p: Query.regex_query(self.s, "text", p + ".*")) for p in prefixes]
        fuzzy = []
        for i in r.integers(0, 1_500, n):
            last = names[i][1].lower()
            k = int(r.integers(1, len(last) - 1))
            damaged = last[:k] + ("x" if last[k] != "x" else "y") + last[k + 1 :]
            fuzzy.append(damaged)
        out["fuzzy1_name"] = [
            (f"{d}~1", lambda d=d: Query.fuzzy_term_query(self.s, "text", d, distance=1)) for d in fuzzy
        ]
        fields = [
            (str(int(a)), v[b], v[c_])
            for a, b, c_ in zip(
                r.integers(8, 12, n), r.integers(100, 2_000, n), r.integers(100, 2_000, n), strict=True
            )
        ]
        out["field_filter_words"] = [
            (
                f"dataset:{ds} type:email {a} {b}",
                lambda ds=ds, a=a, b=b: self._and(
                    Query.const_score_query(self._term("dataset_key", ds), 0.0),
                    Query.const_score_query(self._term("doc_type", "email"), 0.0),
                    self._term("text", a),
                    self._term("text", b),
                ),
            )
            for ds, a, b in fields
        ]
        facet_words = [v[i] for i in r.integers(50, 2_000, n)]
        out["facets"] = [(w, lambda w=w: self._term("text", w)) for w in facet_words]
        return out


def measure_kind(
    searcher: Searcher,
    index: Any,
    spec: dict,
    cases: list[tuple[str, Callable[[], Query]]],
    facets: bool,
    rounds: int,
) -> dict:
    """p50/p95 of each variant over `cases`, alternating their order between rounds."""
    ours: list[float] = []
    bare: list[float] = []  # ours without snippets: what the fixed cost of snippets is
    raw: list[float] = []
    grouped: list[float] = []  # grouped by document, copies collapsed: what /search asks
    collapsed: list[float] = []  # page hits, copies collapsed: the API's and the CLI's default
    totals: list[int] = []
    groups: list[int] = []
    exact: list[bool] = []

    def run_raw(build: Callable[[], Query], facets: bool = facets) -> None:
        tsearcher = index.index.searcher()
        q = build()
        result = tsearcher.search(q, limit=20)
        for _, address in result.hits:
            tsearcher.doc(address)
        if facets:
            tsearcher.aggregate(q, spec)

    def run_ours(text: str, facets: bool = facets, snippets: bool = True) -> int:
        return searcher.search(text, limit=20, facets=facets, snippets=snippets).total

    def run_grouped(text: str, group: Group, facets: bool = facets) -> None:
        found = searcher.search(
            text, limit=20, facets=facets, group=group, copies="collapse", pages_per_document=2
        )
        if group == "document":
            groups.append(found.result_count)
            exact.append(found.result_count_exact)

    variants: list[tuple[list[float], Callable[[str, Callable[[], Query]], object]]] = [
        (raw, lambda text, build: run_raw(build)),
        (ours, lambda text, build: totals.append(run_ours(text))),
        (bare, lambda text, build: run_ours(text, snippets=False)),
        (grouped, lambda text, build: run_grouped(text, "document")),
        (collapsed, lambda text, build: run_grouped(text, "page")),
    ]
    for text, build in cases:  # warm-up
        for _, run in variants:
            run(text, build)
    totals.clear(), groups.clear(), exact.clear()
    for rnd in range(rounds):
        for text, build in cases:
            order = variants if rnd % 2 == 0 else variants[::-1]
            for times, run in order:
                t = time.perf_counter()
                run(text, build)
                times.append((time.perf_counter() - t) * 1000)
    entry = {
        "example": cases[0][0],
        "queries": len(cases),
        "runs": len(ours),
        "median_hits": statistics.median(totals),
        "median_groups": statistics.median(groups),
        "groups_exact_share": round(sum(exact) / len(exact), 3),
    }
    for name, times in (
        ("ours", ours),
        ("ours_no_snippets", bare),
        ("grouped_collapsed", grouped),
        ("page_collapsed", collapsed),
        ("raw", raw),
    ):
        entry[f"{name}_p50_ms"] = round(_pct(times, 0.5), 3)
        entry[f"{name}_p95_ms"] = round(_pct(times, 0.95), 3)
    raw50, raw95 = max(entry["raw_p50_ms"], 1e-6), max(entry["raw_p95_ms"], 1e-6)
    entry["overhead_p50_x"] = round(entry["ours_p50_ms"] / raw50, 2)
    entry["overhead_p95_x"] = round(entry["ours_p95_ms"] / raw95, 2)
    entry["grouped_collapsed_p50_x"] = round(entry["grouped_collapsed_p50_ms"] / raw50, 2)
    entry["grouped_collapsed_p95_x"] = round(entry["grouped_collapsed_p95_ms"] / raw95, 2)
    entry["added_p50_ms"] = round(entry["ours_p50_ms"] - entry["raw_p50_ms"], 3)
    return entry


def run_queries(archive: Archive, corpus: Corpus, n: int, rounds: int) -> dict[str, dict]:
    searcher = Searcher(archive)
    backend = searcher.backend()
    index = backend.index  # type: ignore[attr-defined]
    kinds = QueryKinds(corpus, index.schema, n).kinds()
    spec = {name: {"terms": {"field": f, "size": size or 10}} for name, (f, size) in _FACET_FIELDS.items()}
    report: dict[str, dict] = {}
    for kind, cases in kinds.items():
        entry = measure_kind(searcher, index, spec, cases, kind == "facets", rounds)
        report[kind] = entry
        print(f"{kind:20s} {json.dumps(entry)}", flush=True)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=3_000_000)
    parser.add_argument("--queries", type=int, default=40, help="distinct queries per kind")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of each query")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "unsealed-bench-search")
    parser.add_argument("--reuse", action="store_true", help="reuse the generated archive of the same size")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    work = args.workdir / f"pages-{args.pages}"
    result: dict = {"pages_requested": args.pages, "load_before": _load(), "git": _git()}
    corpus = Corpus.make()
    if not (args.reuse and (work / "archive.db").exists() and (work / "generated.json").exists()):
        shutil.rmtree(work, ignore_errors=True)
        archive = Archive.open(work)
        started = time.perf_counter()
        docs, pages = write(archive, corpus, args.pages)
        (work / "generated.json").write_text(json.dumps({"documents": docs, "pages": pages}))
        result["generate_s"] = round(time.perf_counter() - started, 1)
        print(f"generated {pages:,} pages in {result['generate_s']} s", flush=True)
    else:
        archive = Archive.open(work)
    result.update(json.loads((work / "generated.json").read_text()))
    result["db_bytes"] = (work / "archive.db").stat().st_size

    result["load_before_build"] = _load()
    report = indexer.rebuild(archive)
    result["build_s"] = round(report.seconds, 1)
    result["build_pages_per_s"] = round(report.pages_indexed / report.seconds)
    result["index_bytes"] = _du(work / "index")
    result["load_after_build"] = _load()
    print(f"indexed {report.pages_indexed:,} pages in {report.seconds:.1f} s", flush=True)

    result["queries"] = run_queries(archive, corpus, args.queries, args.rounds)
    result["load_after"] = _load()
    result["machine"] = {
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
