"""Engine comparison behind docs/search.md: SQLite FTS5 vs Tantivy on the same synthetic pages.

    python bench/search_engines.py --pages 300000

Reuses (or generates) the archive of bench/search.py for that page count, builds an FTS5 index of
the page text in a separate SQLite file and the Tantivy index through the product's indexer, then
times raw engine queries (top 20 by BM25) of each kind both engines support. Writes
bench/results/search_engines.json.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search import QueryKinds, _du, _load, _pct  # noqa: E402
from search_corpus import Corpus, write  # noqa: E402

from unsealed.search import indexer  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "search_engines.json"
KINDS = ("rare_name", "common_word_top20", "phrase", "and_mid_words", "prefix")


def fts5_query(kind: str, text: str) -> str:
    """Our query text for a kind, as FTS5 MATCH syntax."""
    if kind == "phrase":
        return text
    if kind == "prefix":
        return text
    return " ".join(f'"{w}"' for w in text.lower().split())


def build_fts5(archive_db: Path, fts_db: Path) -> float:
    fts_db.unlink(missing_ok=True)
    started = time.perf_counter()
    conn = sqlite3.connect(fts_db)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(text, content='', tokenize='unicode61 remove_diacritics 2')"
    )
    conn.execute("ATTACH DATABASE ? AS a", (str(archive_db),))
    conn.execute("INSERT INTO fts(rowid, text) SELECT rowid, text FROM a.pages")
    conn.commit()
    conn.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    conn.commit()
    conn.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=300_000)
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "unsealed-bench-search")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    work = args.workdir / f"pages-{args.pages}"
    corpus = Corpus.make()
    if not (work / "generated.json").exists():
        archive = Archive.open(work)
        docs, pages = write(archive, corpus, args.pages)
        (work / "generated.json").write_text(json.dumps({"documents": docs, "pages": pages}))
    archive = Archive.open(work)
    result: dict = {"pages": args.pages, "load_before": _load()}

    tantivy_report = indexer.rebuild(archive)
    result["tantivy"] = {"build_s": round(tantivy_report.seconds, 1), "bytes": _du(work / "index")}
    fts_path = work / "fts5.db"
    result["fts5"] = {
        "build_s": round(build_fts5(work / "archive.db", fts_path), 1),
        "bytes": fts_path.stat().st_size,
    }

    index = indexer.open_index(archive).index
    kinds = QueryKinds(corpus, index.schema, args.queries).kinds()
    fts = sqlite3.connect(fts_path)
    for kind in KINDS:
        t_times, f_times = [], []
        for text, build in kinds[kind]:
            for _ in range(2):  # the first run warms caches; the second is timed
                t = time.perf_counter()
                index.searcher().search(build(), limit=20)
                t_el = time.perf_counter() - t
                t = time.perf_counter()
                fts.execute(
                    "SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 20",
                    (fts5_query(kind, text),),
                ).fetchall()
                f_el = time.perf_counter() - t
            t_times.append(t_el * 1000)
            f_times.append(f_el * 1000)
        result[kind] = {
            "example": kinds[kind][0][0],
            "tantivy_p50_ms": round(_pct(t_times, 0.5), 3),
            "tantivy_p95_ms": round(_pct(t_times, 0.95), 3),
            "fts5_p50_ms": round(_pct(f_times, 0.5), 3),
            "fts5_p95_ms": round(_pct(f_times, 0.95), 3),
        }
        print(kind, json.dumps(result[kind]), flush=True)
    result["load_after"] = _load()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
