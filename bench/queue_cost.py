"""The queue's per-file cost by step: what a Celery pool process does for each file besides reading it.

    python bench/queue_cost.py [--docs 160] [--out queue_cost]

Renders `--docs` documents of the real corpus, starts the benchmark's own PostgreSQL and S3 server
(bench/services.py), queues the files as `ingest --queue` does (hash, PUT, `work_items`; the front's
CPU seconds), then replays each file's job in this process as a worker's pool process runs it
(`remote.ingest_item`: claim, GET, hand to the reader process, record) without Celery. For each
step: CPU and wall seconds per file in this process (the reader's own work is not counted), and the
SQL statements and commits per file. Writes bench/results/OUT.json.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from bench.common import write_result  # noqa: E402
from bench.services import LOOPBACK, bench_services  # noqa: E402
from tests.queue_support import cluster  # noqa: E402
from unsealed.config import Settings  # noqa: E402
from unsealed.ingest.sources import walk_sources  # noqa: E402
from unsealed.pipeline import remote  # noqa: E402
from unsealed.pipeline.celery_executor import SEND_BATCH, UPLOADS, queue_items  # noqa: E402
from unsealed.pipeline.process_pool import WorkerPool  # noqa: E402
from unsealed.pipeline.worker import FileTask, WorkerOptions  # noqa: E402
from unsealed.sample.real import load_corpus, write_corpus  # noqa: E402
from unsealed.store import work  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402
from unsealed.store.work import WorkItem  # noqa: E402


def cpu() -> float:
    return time.process_time()


class Steps:
    """CPU and wall seconds spent in each wrapped function (this process only)."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0])

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started_cpu, started = cpu(), time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name][0] += cpu() - started_cpu
                self.seconds[name][1] += time.perf_counter() - started

        return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=160)
    parser.add_argument("--out", default="queue_cost")
    args = parser.parse_args()
    corpus = load_corpus()
    docs = corpus[:: max(1, len(corpus) // args.docs)][: args.docs]
    result: dict[str, Any] = {"documents": len(docs), "load_before": os.getloadavg()}
    with bench_services(LOOPBACK) as services, tempfile.TemporaryDirectory(prefix="unsealed-qc-") as tmp:
        root = Path(tmp)
        write_corpus(docs, root / "in")
        with cluster(
            root / "c", services.broker_url, admin_url=services.admin_url, s3_endpoint=services.s3_endpoint
        ) as running:
            os.environ.update(running.env)
            settings = Settings.from_env()
            remote.preload()
            with Archive.open(root / "front") as front:
                tasks = [FileTask(source) for source in walk_sources([root / "in"], "bench")]
                options = WorkerOptions(
                    blob_root=front.blobs.url,
                    limits=settings.limits,
                    pages=settings.pages,
                    dedup=settings.dedup,
                    analyse_with=front.engine.url.render_as_string(hide_password=False),
                )
                started_cpu, started = cpu(), time.perf_counter()
                items: list[WorkItem] = []
                with ThreadPoolExecutor(UPLOADS) as uploads:
                    for start in range(0, len(tasks), SEND_BATCH):
                        batch = queue_items(front, tasks[start : start + SEND_BATCH], options, uploads)
                        with front.engine.begin() as conn:
                            work.enqueue(conn, [item for item, _ in batch])
                        items.extend(item for item, _ in batch)
                result["front"] = {
                    "cpu_ms_per_file": round(1000 * (cpu() - started_cpu) / len(items), 2),
                    "wall_ms_per_file": round(1000 * (time.perf_counter() - started) / len(items), 2),
                }
            with Archive.open(root / "worker") as archive:
                remote.reader(settings.limits)  # the worker's warm-up: reader, connection, S3 client
                with archive.engine.connect():
                    pass
                archive.blobs.exists(".unsealed-warm-up")
                statements: collections.Counter[str] = collections.Counter()

                def count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
                    statements[statement.split()[0].upper()] += 1

                event.listen(archive.engine, "before_cursor_execute", count)
                event.listen(archive.engine, "commit", lambda conn: statements.update(["COMMIT"]))
                steps = Steps()
                saved = (remote.local_source, remote.record, work.claim, WorkerPool.next_result)
                remote.local_source = steps.wrap("get", remote.local_source)  # type: ignore[method-assign]
                remote.record = steps.wrap("record", remote.record)  # type: ignore[method-assign]
                work.claim = steps.wrap("claim", work.claim)  # type: ignore[method-assign]
                WorkerPool.next_result = steps.wrap("reader", WorkerPool.next_result)  # type: ignore[method-assign]
                try:
                    started_cpu, started = cpu(), time.perf_counter()
                    for item in items:
                        remote.ingest_item(archive, item, settings, "bench", 0)
                    total_cpu, total = cpu() - started_cpu, time.perf_counter() - started
                finally:
                    for owner, name, function in zip(
                        (remote, remote, work, WorkerPool),
                        ("local_source", "record", "claim", "next_result"),
                        saved,
                        strict=True,
                    ):
                        setattr(owner, name, function)
                    remote.close_readers()
                files = len(items)
                result["pool_process"] = {
                    "cpu_ms_per_file": round(1000 * total_cpu / files, 2),
                    "wall_ms_per_file": round(1000 * total / files, 2),
                    "steps": {
                        name: {
                            "cpu_ms_per_file": round(1000 * c / files, 2),
                            "wall_ms_per_file": round(1000 * w / files, 2),
                        }
                        for name, (c, w) in steps.seconds.items()
                    },
                    "statements_per_file": {k: round(v / files, 2) for k, v in sorted(statements.items())},
                }
    result["load_after"] = os.getloadavg()
    print(result)
    print(f"wrote {write_result(args.out, result)}")


if __name__ == "__main__":
    main()
