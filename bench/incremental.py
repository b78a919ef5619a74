"""Near-duplicate clusters and e-mail threads built incrementally: 1 % more documents should cost
about 1 % of a full build.

Near-duplicates: a synthetic release (bench/ingest.py's pages) is ingested and clustered in full,
then 1 % more files are ingested and only they are clustered. Threads: the real corpus
(../shared/corpus, rendered to text-layer PDFs) less 1 % of its documents is threaded in full,
then the rest is added. Writes bench/results/incremental.json (or `--name`.json).

    python bench/incremental.py [--files 500] [--name incremental] [--no-threads]

A run's fixed costs (the worker pool's start, the stage's few statements and its commit) are a
larger share of 1 % the smaller the release: measure at two sizes (e.g. --files 2000 and 20000).
Threads use the real corpus whatever --files says (`--no-threads` leaves them out).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import write_result  # noqa: E402
from bench.ingest import make_release  # noqa: E402
from unsealed.config import Settings  # noqa: E402
from unsealed.pipeline import dedup_stage, thread_stage  # noqa: E402
from unsealed.pipeline.enrich_stages import run_emails  # noqa: E402
from unsealed.pipeline.ingest import ingest  # noqa: E402
from unsealed.sample.real import load_corpus, write_corpus  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402


def _timed(function, archive: Archive, ids: list[str]) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    function(archive, ids)
    return time.perf_counter() - start


def _all_cpu() -> float:
    """CPU seconds of this process and of its ended children (the ingest's worker pool)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed_cpu(function, archive: Archive, ids: list[str]) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Wall and CPU seconds (the stage runs in this process); CPU is less moved by a busy machine."""
    start, cpu = time.perf_counter(), time.process_time()
    function(archive, ids)
    return time.perf_counter() - start, time.process_time() - cpu


def near_duplicates(tmp: Path, files: int) -> dict[str, float]:
    base, more = tmp / "base", tmp / "more"
    base.mkdir()
    more.mkdir()
    make_release(base, files * 10, 10, seed=1)
    make_release(more, max(1, files // 100) * 10, 10, seed=2)
    for path in more.iterdir():  # other names (other Bates) than the base release's
        path.rename(path.with_name("X" + path.name))
    settings = Settings(archive_dir=tmp / "dedup", workers=2)
    with Archive.open(settings.archive_dir) as archive:
        cpu = _all_cpu()
        first = ingest(archive, [base], "bench", settings, stages=[])
        ingest_cpu = _all_cpu() - cpu
        full, full_cpu = _timed_cpu(dedup_stage.run_stage, archive, first.changed_ids)
        cpu = _all_cpu()
        second = ingest(archive, [more], "bench", settings, stages=[])
        more_cpu = _all_cpu() - cpu
        added, added_cpu = _timed_cpu(dedup_stage.run_stage, archive, second.changed_ids)
    # The stage alone, and the build as a whole: reading the files (signatures are made there) and
    # the stage (which also indexes the bands: into a large index, rows land on scattered pages).
    return {"documents": len(first.changed_ids), "added": len(second.changed_ids), "full_s": round(full, 3),
            "added_s": round(added, 3), "added_over_full": round(added / full, 4),
            "full_cpu_s": round(full_cpu, 3), "added_cpu_s": round(added_cpu, 3),
            "added_over_full_cpu": round(added_cpu / full_cpu, 4),
            "build_cpu_s": round(ingest_cpu + full_cpu, 3),
            "added_build_cpu_s": round(more_cpu + added_cpu, 3),
            "added_over_full_build_cpu": round((more_cpu + added_cpu) / (ingest_cpu + full_cpu), 4),
            }  # fmt: skip


def threads(tmp: Path) -> dict[str, float]:
    docs = load_corpus()
    cut = len(docs) - max(1, len(docs) // 100)
    write_corpus(docs[:cut], tmp / "corpus")
    write_corpus(docs[cut:], tmp / "rest")
    settings = Settings(archive_dir=tmp / "threads", workers=2, dedup=None)
    with Archive.open(settings.archive_dir) as archive:
        first = ingest(archive, [tmp / "corpus"], "real", settings, stages=[])
        run_emails(archive, first.changed_ids)
        full = _timed(thread_stage.run_stage, archive, first.changed_ids)
        second = ingest(archive, [tmp / "rest"], "real", settings, stages=[])
        run_emails(archive, second.changed_ids)
        added = _timed(thread_stage.run_stage, archive, second.changed_ids)
    return {"documents": len(first.changed_ids), "added": len(second.changed_ids), "full_s": round(full, 3),
            "added_s": round(added, 3), "added_over_full": round(added / full, 4)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--name", default="incremental", help="result file name (bench/results/NAME.json)")
    parser.add_argument("--threads", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="unsealed-bench-") as tmp:
        near = near_duplicates(Path(tmp), args.files)
        result: dict[str, object] = {"files": args.files, "near_duplicates": near}
        if args.threads:
            result["threads"] = threads(Path(tmp))
    print(write_result(args.name, result).read_text())


if __name__ == "__main__":
    main()
