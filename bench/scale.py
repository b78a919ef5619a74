"""Scaling out: Celery workers with 1 and 2 processes, 2 workers sharing only PostgreSQL, S3 and the
broker, against the local process pool; the database writer and the indexer alone.

    python bench/scale.py [--docs 60] [--repeat 1]

Renders `--docs` documents of the real corpus (`unsealed.sample.real`, text layer) and times the
whole default ingest (reading, entity mentions, e-mails, resolution, search index) of them, each leg
into a fresh archive:

* local: `ingest()` with the local process pool (2 processes), the embedded archive (SQLite + folder);
* celery_1, celery_2: `ingest(..., executor=CeleryExecutor)` with one `unsealed worker -c 1` / `-c 2`,
  PostgreSQL and the S3 server (scripts/services.sh) as the stores;
* celery_2_machines: two `unsealed worker -c 1`, each with its own archive and temporary folder,
  sharing only PostgreSQL, S3 and the broker.

Workers are started and ready before the clock starts. Then, alone: the database writer (the
documents' and pages' rows into PostgreSQL, rows/s) and the indexer (a rebuild of the Tantivy index
from the database, pages/s). Writes bench/results/scale.json with `uptime`'s load before and after:
this machine is shared, so the figures move with what else runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import write_result  # noqa: E402
from tests.queue_support import cluster  # noqa: E402
from unsealed.config import Settings  # noqa: E402
from unsealed.ingest.sources import walk_sources  # noqa: E402
from unsealed.model import FileDone  # noqa: E402
from unsealed.pipeline.ingest import SilentObserver, ingest  # noqa: E402
from unsealed.pipeline.worker import FileTask, WorkerOptions, process_file  # noqa: E402
from unsealed.sample.real import load_corpus, write_corpus  # noqa: E402
from unsealed.search import indexer  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402
from unsealed.store.writer import DocumentWriter, KnownDocuments, WriteOutcome  # noqa: E402

INGEST_LEGS = ("local", "celery_1", "celery_2", "celery_2_machines")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _with_env(env: dict[str, str]) -> dict[str, str | None]:
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    return saved


def _restore(saved: dict[str, str | None]) -> None:
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


class Clock(SilentObserver):
    """When the last file was recorded: the files' phase, before the post-ingest stages."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.last_file = self.started

    def file_done(self, done: FileDone, outcome: WriteOutcome) -> None:
        self.last_file = time.perf_counter()


def _figures(clock: Clock, pages: int) -> dict[str, Any]:
    seconds = time.perf_counter() - clock.started
    files_seconds = clock.last_file - clock.started
    return {
        "pages": pages,
        "seconds": round(seconds, 2),
        "pages_per_s": round(pages / seconds, 2),
        "files_seconds": round(files_seconds, 2),  # until the last file was recorded
        "files_pages_per_s": round(pages / files_seconds, 2),
    }


def local_leg(folder: Path, root: Path) -> dict[str, Any]:
    settings = Settings.from_env().with_overrides(workers=2)
    with Archive.open(root / "local") as archive:
        clock = Clock()
        report = ingest(archive, [folder], "bench", settings, clock)
    return _figures(clock, report.pages)


def celery_leg(folder: Path, root: Path, workers: list[int]) -> dict[str, Any]:
    """`workers`: the processes of each `unsealed worker` started (one entry per worker)."""
    from unsealed.pipeline.celery_executor import CeleryExecutor

    with cluster(root, UNSEALED_FILE_TIMEOUT="300") as running:
        for number, processes in enumerate(workers, start=1):
            running.start_worker(f"w{number}", concurrency=processes)
        saved = _with_env({**running.env, "TMPDIR": str(root / "front-tmp")})
        (root / "front-tmp").mkdir(exist_ok=True)
        try:
            settings = Settings.from_env()
            with Archive.open(root / "front") as archive:
                executor = CeleryExecutor(settings)
                clock = Clock()
                report = ingest(archive, [folder], "bench", settings, clock, executor=executor)
                figures = _figures(clock, report.pages)
        finally:
            _restore(saved)
    return {"workers": workers, **figures}


def writer_alone(folder: Path, root: Path) -> dict[str, Any]:
    """The documents' and pages' rows of already-read files into PostgreSQL, nothing else running."""
    settings = Settings.from_env()
    options = WorkerOptions(blob_root=str(root / "writer-blobs"), limits=settings.limits)
    results = [process_file(FileTask(source), options) for source in walk_sources([folder], "bench")]
    with cluster(root / "writer") as running:
        saved = _with_env(running.env)
        try:
            with Archive.open(root / "writer-archive") as archive, archive.engine.connect() as conn:
                known = KnownDocuments.load(conn, "bench")
                conn.commit()
                writer = DocumentWriter(conn, known)
                started = time.perf_counter()
                for index, result in enumerate(results, start=1):
                    writer.write(result)
                    if index % 64 == 0:
                        writer.flush()
                        conn.commit()
                writer.flush()
                conn.commit()
                seconds = time.perf_counter() - started
        finally:
            _restore(saved)
    pages = sum(len(r.pages) for r in results)
    rows = len(results) * 2 + pages  # a document, a source and its pages per file
    return {
        "documents": len(results),
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "pages_per_s": round(pages / seconds),
    }


def indexer_alone(root: Path) -> dict[str, Any]:
    """A rebuild of the local leg's search index from its database."""
    with Archive.open(root / "local") as archive:
        started = time.perf_counter()
        report = indexer.rebuild(archive)
        seconds = time.perf_counter() - started
    return {
        "pages": report.pages_indexed,
        "seconds": round(seconds, 3),
        "pages_per_s": round(report.pages_indexed / seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=60, help="documents of the corpus (an even spread)")
    parser.add_argument("--legs", default="local,celery_1,celery_2,celery_2_machines,writer,indexer")
    args = parser.parse_args()
    legs = args.legs.split(",")
    corpus = load_corpus()
    step = max(1, len(corpus) // args.docs)
    docs = corpus[::step][: args.docs]
    result: dict[str, Any] = {"documents": len(docs), "load_before": uptime()}
    with tempfile.TemporaryDirectory(prefix="unsealed-scale-") as tmp_name:
        tmp = Path(tmp_name)
        write_corpus(docs, tmp / "in")
        plan = {
            "local": lambda: local_leg(tmp / "in", tmp / "local-leg"),
            "celery_1": lambda: celery_leg(tmp / "in", tmp / "c1", [1]),
            "celery_2": lambda: celery_leg(tmp / "in", tmp / "c2", [2]),
            "celery_2_machines": lambda: celery_leg(tmp / "in", tmp / "c2m", [1, 1]),
            "writer": lambda: writer_alone(tmp / "in", tmp / "writer-leg"),
            "indexer": lambda: indexer_alone(tmp / "local-leg"),
        }
        for leg in legs:
            result[leg] = plan[leg]()
            result[leg]["load_after"] = uptime()
            print(leg, result[leg], flush=True)
    rate = {
        leg: result[leg]["pages_per_s"]
        for leg in legs
        if leg in ("local", "celery_1", "celery_2", "celery_2_machines")
    }
    if "celery_1" in rate and "celery_2" in rate:
        result["speedup_2_processes"] = round(rate["celery_2"] / rate["celery_1"], 2)
    if "local" in rate and "celery_2_machines" in rate:
        result["two_machines_vs_local"] = round(rate["celery_2_machines"] / rate["local"], 2)
    result["load_after"] = uptime()
    path = write_result("scale", result)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
