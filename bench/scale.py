"""Scaling out: Celery workers with 1 and 2 processes, 2 workers sharing only PostgreSQL, S3 and the
broker, against the local process pool; the database writer and the indexer alone.

    python bench/scale.py [--docs 160] [--repeat 3] [--netns auto|on|off]

Renders `--docs` documents of the real corpus (`unsealed.sample.real`, text layer) and times the
whole default ingest (reading, entity mentions, e-mails, resolution, search index) of them, each leg
into a fresh archive, `--repeat` times (best and median):

* local, local_1: `ingest()` with the local process pool (2 processes / 1), the embedded archive
  (SQLite + folder); local against local_1 is what 2 processes gain on this box without a queue;
* celery_1, celery_2: `ingest(..., executor=CeleryExecutor)` with one `unsealed worker -c 1` / `-c 2`,
  PostgreSQL and an S3 server as the stores;
* celery_2_machines: two `unsealed worker -c 1`, each with its own archive and temporary folder and,
  as root, its own network namespace (bench/services.py), sharing only PostgreSQL, S3 and the broker.

The Celery legs use a PostgreSQL, Redis and S3 server (moto) of the benchmark's own
(bench/services.py), so that their CPU time is this run's alone. Each leg records the CPU seconds
of every process class (bench/cputime.py: the front, the workers, PostgreSQL, Redis, the S3 server,
and the rest of the machine): on a shared machine the wall-clock rates move with the load, the CPU
seconds much less. Workers are started, and each of their pool processes warmed up, before the
clock starts, and so are the Celery front's clients (S3, database, broker). Each run's mentions
are hashed per document: `mentions_identical` says whether every run of every leg found the same
(celery_2's processes share one paragraph cache, the other legs' processes have one each). Then,
alone: the database writer (the documents' and pages' rows into PostgreSQL, rows/s) and the indexer
(a rebuild of the Tantivy index from the database, pages/s). Writes bench/results/scale.json
(or `--out NAME`).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from bench.common import write_result  # noqa: E402
from bench.cputime import Classes, spent  # noqa: E402
from bench.services import LOOPBACK, Network, Services, bench_services, can_use_namespaces, namespaces  # noqa: E402
from tests.queue_support import cluster  # noqa: E402
from unsealed.config import Settings  # noqa: E402
from unsealed.ingest.sources import walk_sources  # noqa: E402
from unsealed.model import FileDone  # noqa: E402
from unsealed.pipeline.ingest import SilentObserver, ingest  # noqa: E402
from unsealed.pipeline.worker import FileTask, WorkerOptions, blob_store, process_file  # noqa: E402
from unsealed.sample.real import load_corpus, write_corpus  # noqa: E402
from unsealed.search import indexer  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402
from unsealed.store.mentions import MENTION_COLUMNS  # noqa: E402
from unsealed.store.schema import documents, mentions  # noqa: E402
from unsealed.store.writer import DocumentWriter, KnownDocuments, WriteOutcome  # noqa: E402


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


class Timeline:
    """CPU seconds per process class in each `step` of wall time (`--timeline`): which classes run
    at the start, during the files and in the tail. Runs in the benchmark's (the front's) process and
    costs it a few ms a sample."""

    def __init__(self, classes: Classes, step: float = 1.0) -> None:
        self.classes, self.step = classes, step
        self.rows: list[dict[str, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="timeline", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        started = time.perf_counter()
        last = self.classes.seconds()
        while not self._stop.wait(self.step):
            now = self.classes.seconds()
            used = spent(self.classes, last, now)
            last = now
            row = {k: v for k, v in used.items() if k not in ("workers",) and v >= 0.01}
            self.rows.append({"t": round(time.perf_counter() - started, 1), **row})

    def stop(self) -> list[dict[str, float]]:
        self._stop.set()
        self._thread.join()
        return self.rows


TIMELINE = False  # --timeline


class Clock(SilentObserver):
    """When the last file was recorded: the files' phase, before the post-ingest stages."""

    def __init__(self, classes: Classes) -> None:
        self.classes = classes
        self.timeline = Timeline(classes) if TIMELINE else None
        self.cpu_before = classes.seconds()
        self.cpu_files: dict[str, float] | None = None
        self.started = time.perf_counter()
        self.last_file = self.started
        self.first_file: float | None = None
        # each post-ingest stage: wall seconds and CPU seconds per process class (where the tail runs)
        self.stages: dict[str, dict[str, Any]] = {}
        self._stage: tuple[float, dict[str, float]] | None = None

    def file_done(self, done: FileDone, outcome: WriteOutcome) -> None:
        self.last_file = time.perf_counter()
        if self.first_file is None:
            self.first_file = self.last_file

    def stage_started(self, stage: str, documents: int) -> None:
        now = self.classes.seconds()
        if self.cpu_files is None:  # the files are done: what they cost, before the stages
            self.cpu_files = spent(self.classes, self.cpu_before, now)
        self._stage = (time.perf_counter(), now)

    def stage_done(self, stage: str) -> None:
        if self._stage is not None:
            started, cpu = self._stage
            used = spent(self.classes, cpu, self.classes.seconds())
            self.stages[stage] = {
                "seconds": round(time.perf_counter() - started, 2),
                "cpu_s": {k: v for k, v in used.items() if v >= 0.01 and k not in ("machine", "other")},
            }


def mentions_digest(archive: Archive) -> dict[str, Any]:
    """The entity mentions of every document (by file name) with the entity each is linked to, as a
    count and one hash: legs whose hashes are equal found the same mentions in each document and
    resolved them alike (the check that the paragraph cache
    shared by a worker's processes changes nothing)."""
    columns = [mentions.c[c] for c in (*MENTION_COLUMNS, "entity_id", "rule")]  # and their resolution
    with archive.engine.connect() as conn:
        rows = conn.execute(
            select(documents.c.filename, *columns).join(mentions, mentions.c.document_id == documents.c.id)
        )
        found = sorted(tuple(str(value) for value in row) for row in rows)
    by_document = {row[0] for row in found}
    digest = hashlib.sha256(repr(found).encode()).hexdigest()[:16]
    return {"documents": len(by_document), "mentions": len(found), "sha256": digest}


def shared_cache_rows(root: Path) -> int | None:
    """Paragraphs in the workers' shared paragraph caches (enrich/shared_tagging.py; a worker with
    one process has none): what its processes tagged between them."""
    files = list(root.glob("w*/tmp/unsealed-paragraphs-*.sqlite"))
    if not files:
        return None
    total = 0
    for path in files:
        with contextlib.closing(sqlite3.connect(path)) as conn:
            total += conn.execute("SELECT count(*) FROM paragraphs").fetchone()[0]
    return total


def _figures(clock: Clock, pages: int) -> dict[str, Any]:
    seconds = time.perf_counter() - clock.started
    files_seconds = clock.last_file - clock.started
    cpu = spent(clock.classes, clock.cpu_before, clock.classes.seconds())
    timeline = clock.timeline.stop() if clock.timeline is not None else None
    ours = sum(
        value for name, value in cpu.items() if name in clock.classes.trees or name in clock.classes.own
    )
    return {
        "pages": pages,
        "seconds": round(seconds, 2),
        "pages_per_s": round(pages / seconds, 2),
        "files_seconds": round(files_seconds, 2),  # until the last file was recorded
        "files_pages_per_s": round(pages / files_seconds, 2),
        # after the last file: the post-ingest stages, run by the front (and PostgreSQL) alone
        "tail_seconds": round(seconds - files_seconds, 2),
        # until the first file was recorded (the front's first batch, the first file's reading)
        "first_file_seconds": round(clock.first_file - clock.started, 2) if clock.first_file else None,
        "stages": clock.stages,  # the post-ingest stages, in order: wall and CPU seconds
        **({"timeline": timeline} if timeline is not None else {}),
        "cpu_s": cpu,  # CPU seconds per process class (bench/cputime.py)
        "cpu_s_ours": round(ours, 2),
        "cpu_s_files": clock.cpu_files,  # until the post-ingest stages started
        "pages_per_cpu_s": round(pages / ours, 2) if ours else None,
    }


def local_leg(folder: Path, root: Path, services: Services, processes: int = 2) -> dict[str, Any]:
    settings = Settings.from_env().with_overrides(workers=processes)
    classes = Classes(trees={"front": [os.getpid()], **{n: [p] for n, p in services.pids.items()}}, own={})
    with Archive.open(root / "local") as archive:
        clock = Clock(classes)
        report = ingest(archive, [folder], "bench", settings, clock)
        return {**_figures(clock, report.pages), "mentions": mentions_digest(archive)}


def celery_leg(
    folder: Path,
    root: Path,
    workers: list[int],
    services: Services,
    network: Network | None = None,
) -> dict[str, Any]:
    """`workers`: the processes of each `unsealed worker` started (one entry per worker); with a
    `network`, worker i runs in network namespace i (sharing nothing with the others but the
    services' address)."""
    from unsealed.pipeline.celery_executor import CeleryExecutor

    with cluster(
        root,
        services.broker_url,
        admin_url=services.admin_url,
        s3_endpoint=services.s3_endpoint,
        UNSEALED_FILE_TIMEOUT="300",
    ) as running:
        names = [f"w{number}" for number in range(1, len(workers) + 1)]
        if network is not None:
            running.wrap = {name: network.wrap(index) for index, name in enumerate(names)}
        for name, processes in zip(names, workers, strict=True):
            running.start_worker(name, concurrency=processes)
        saved = _with_env({**running.env, "TMPDIR": str(root / "front-tmp")})
        (root / "front-tmp").mkdir(exist_ok=True)
        worker_pids = [process.pid for process in running.workers.values()]
        classes = Classes(
            trees={
                "front": [os.getpid()],
                "workers": worker_pids,
                **{name: [pid] for name, pid in services.pids.items()},
            },
            own={},
            detail={"worker_main": worker_pids},
        )
        try:
            settings = Settings.from_env()
            with Archive.open(root / "front") as archive:
                executor = CeleryExecutor(settings)
                warm_up_cpu = warm_up_front(archive, executor)
                clock = Clock(classes)
                report = ingest(archive, [folder], "bench", settings, clock, executor=executor)
                figures = {**_figures(clock, report.pages), "mentions": mentions_digest(archive)}
                figures["shared_cache_paragraphs"] = shared_cache_rows(root)
                figures["front_warm_up_cpu_s"] = warm_up_cpu
        finally:
            _restore(saved)
    return {"workers": workers, "netns": network is not None, **figures}


def warm_up_front(archive: Archive, executor: Any) -> float:
    """The front's clients made before the clock starts, as each worker process makes its own
    before it says it is ready (celery_executor.warm_up): the S3 client that puts the originals,
    a database connection, the broker connection that sends the messages. The local leg's front
    has none of these to make (a folder and SQLite, opened before its clock too). Returns the CPU
    seconds it took (what each Celery run had on its clock before)."""
    started = time.process_time()
    blob_store(archive.blobs.url).exists(".unsealed-warm-up")  # the client the front's PUTs use
    with archive.engine.connect():
        pass
    with executor.app.pool.acquire(block=True) as connection:
        connection.ensure_connection(max_retries=3)
    return round(time.process_time() - started, 3)


def writer_alone(folder: Path, root: Path, services: Services, copies: int) -> dict[str, Any]:
    """The documents' and pages' rows of already-read files into PostgreSQL, nothing else running:
    the files written `copies` times, each time as another data set (so each copy is new)."""
    settings = Settings.from_env()
    options = WorkerOptions(blob_root=str(root / "writer-blobs"), limits=settings.limits)
    results = [process_file(FileTask(source), options) for source in walk_sources([folder], "bench")]
    with cluster(
        root / "writer", services.broker_url, admin_url=services.admin_url, s3_endpoint=services.s3_endpoint
    ) as running:
        saved = _with_env(running.env)
        try:
            with Archive.open(root / "writer-archive") as archive, archive.engine.connect() as conn:
                seconds = 0.0
                for copy in range(copies):
                    dataset = f"bench-{copy}"
                    batch = [replace(r, source=replace(r.source, dataset=dataset)) for r in results]
                    known = KnownDocuments.load(conn, dataset)
                    conn.commit()
                    writer = DocumentWriter(conn, known)
                    started = time.perf_counter()
                    for index, result in enumerate(batch, start=1):
                        writer.write(result)
                        if index % 64 == 0:
                            writer.flush()
                            conn.commit()
                    writer.flush()
                    conn.commit()
                    seconds += time.perf_counter() - started
        finally:
            _restore(saved)
    pages = sum(len(r.pages) for r in results) * copies
    rows = len(results) * 2 * copies + pages  # a document, a source and its pages per file
    return {
        "documents": len(results) * copies,
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "pages_per_s": round(pages / seconds),
    }


def indexer_alone(root: Path, repeat: int) -> dict[str, Any]:
    """Rebuilds of the local leg's search index from its database (the best of `repeat`)."""
    times = []
    with Archive.open(root / "local") as archive:
        for _ in range(repeat):
            started = time.perf_counter()
            report = indexer.rebuild(archive)
            times.append(time.perf_counter() - started)
    seconds = min(times)
    return {
        "pages": report.pages_indexed,
        "seconds": round(seconds, 3),
        "pages_per_s": round(report.pages_indexed / seconds),
    }


INGEST_LEGS = ("local", "local_1", "celery_1", "celery_2", "celery_2_machines")


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Best and median of a leg's runs (by pages/s), and each run."""
    rates = [run["pages_per_s"] for run in runs]
    per_cpu = [run["pages_per_cpu_s"] for run in runs]
    return {
        "pages_per_s_best": max(rates),
        "pages_per_s_median": round(statistics.median(rates), 2),
        "pages_per_cpu_s_median": round(statistics.median(per_cpu), 2),
        "runs": runs,
    }


def cpu_shares(runs: list[dict[str, Any]]) -> dict[str, float]:
    """The median share of the leg's own CPU time per process class."""
    names = [n for n in runs[0]["cpu_s"] if n not in ("machine", "other")]  # with the details
    return {
        name: round(statistics.median(run["cpu_s"][name] / run["cpu_s_ours"] for run in runs), 3)
        for name in names
    }


def cpu_model(result: dict[str, Any]) -> dict[str, Any]:
    """What the CPU seconds say the 2-process gain is on a machine with nothing else running, from
    the medians of the files phase: with one process, a file waits for its worker's processes and for
    the services' answers in turn (`chain`: the worker's pool and reader processes, PostgreSQL, the
    S3 server), while the front, Redis and the Celery main process run beside it on the other core;
    with two, both cores are busy with everything (`total`), so the gain is 2 x chain / total. The
    same for the local pool: one reading process (the chain) while the writer runs beside it."""

    def median(leg: str, names: tuple[str, ...]) -> float:
        runs = result[leg]["runs"]
        return statistics.median(sum(run["cpu_s_files"].get(n, 0.0) for n in names) for run in runs)

    model: dict[str, Any] = {}
    if "celery_1" in result and "celery_2" in result:
        chain = median("celery_1", ("worker_pool", "worker_readers", "postgres", "s3"))
        total = median("celery_2", ("front", "workers", "postgres", "redis", "s3"))
        model["celery"] = {"chain_1_cpu_s": round(chain, 2), "total_2_cpu_s": round(total, 2),
                           "speedup_2_processes": round(2 * chain / total, 2)}  # fmt: skip
    if "local" in result and "local_1" in result:
        one = median("local_1", ("front",))
        total = median("local", ("front",))
        model["local"] = {"total_1_cpu_s": round(one, 2), "total_2_cpu_s": round(total, 2),
                          "cpu_growth_2_processes": round(total / one, 3)}  # fmt: skip
    return model


def mentions_identical(result: dict[str, Any]) -> bool | None:
    """Whether every run of every ingest leg found the same mentions in each document (celery_2's
    processes share one paragraph cache, celery_1's process and the local pool's have their own)."""
    legs = [leg for leg in INGEST_LEGS if leg in result]
    digests = {run["mentions"]["sha256"] for leg in legs for run in result[leg]["runs"]}
    return len(digests) == 1 if digests else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=160, help="documents of the corpus (an even spread)")
    parser.add_argument("--legs", default="local,celery_1,celery_2,celery_2_machines,writer,indexer")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each ingest leg (best, median)")
    parser.add_argument(
        "--netns",
        choices=("auto", "on", "off"),
        default="auto",
        help="celery_2_machines' workers in network namespaces of their own (auto: when root)",
    )
    parser.add_argument("--out", default="scale", help="bench/results/OUT.json")
    parser.add_argument("--timeline", action="store_true", help="CPU per process class each second")
    args = parser.parse_args()
    global TIMELINE
    TIMELINE = args.timeline
    legs = args.legs.split(",")
    why_not = can_use_namespaces()
    if args.netns == "on" and why_not:
        parser.error(why_not)
    use_netns = args.netns == "on" or (args.netns == "auto" and why_not is None)
    corpus = load_corpus()
    step = max(1, len(corpus) // args.docs)
    docs = corpus[::step][: args.docs]
    result: dict[str, Any] = {
        "documents": len(docs),
        "repeat": args.repeat,
        "netns": use_netns if "celery_2_machines" in legs else None,
        "netns_unavailable": why_not if not use_netns else None,
        "load_before": uptime(),
    }
    # What a front loads once per process is loaded before any clock starts, as the workers load
    # theirs before they say they are ready: every leg and run then starts alike.
    from unsealed.enrich import extract, names
    from unsealed.pipeline import celery_executor  # noqa: F401

    extract.preload()
    names.warm_up()
    # SIGTERM ends the run like Ctrl-C, so the namespaces and services are removed
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with contextlib.ExitStack() as stack:
        network = stack.enter_context(namespaces(2)) if use_netns and "celery_2_machines" in legs else None
        services = stack.enter_context(bench_services(network.host if network else LOOPBACK))
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="unsealed-scale-")))
        write_corpus(docs, tmp / "in")
        plan = {
            "local": lambda run: local_leg(tmp / "in", tmp / f"local-{run}", services),
            "local_1": lambda run: local_leg(tmp / "in", tmp / f"local1-{run}", services, processes=1),
            "celery_1": lambda run: celery_leg(tmp / "in", tmp / f"c1-{run}", [1], services),
            "celery_2": lambda run: celery_leg(tmp / "in", tmp / f"c2-{run}", [2], services),
            "celery_2_machines": lambda run: celery_leg(
                tmp / "in", tmp / f"c2m-{run}", [1, 1], services, network
            ),
        }
        for run in range(args.repeat):  # the legs take turns, so a burst of load hits all of them
            for leg in legs:
                if leg in plan:
                    figures = plan[leg](run)
                    figures["load_after"] = uptime()
                    result.setdefault(leg, []).append(figures)
                    print(leg, run, figures, flush=True)
        for leg in INGEST_LEGS:
            if leg in result:
                result[leg] = {**summary(result[leg]), "cpu_share": cpu_shares(result[leg])}
        if "writer" in legs:
            result["writer"] = writer_alone(tmp / "in", tmp / "writer-leg", services, copies=10)
            print("writer", result["writer"], flush=True)
        if "indexer" in legs and "local" in legs:
            result["indexer"] = indexer_alone(tmp / "local-0", repeat=3)
            print("indexer", result["indexer"], flush=True)
    ratios = {
        "speedup_2_processes": ("celery_2", "celery_1"),
        "two_machines_vs_local": ("celery_2_machines", "local"),
        "celery_2_vs_local": ("celery_2", "local"),
        # the same work without a queue, 2 processes against 1: what this box allows
        "local_2_vs_1": ("local", "local_1"),
    }
    for name, (top, bottom) in ratios.items():
        if top in result and bottom in result:
            result[name] = {
                kind: round(result[top][f"pages_per_s_{kind}"] / result[bottom][f"pages_per_s_{kind}"], 2)
                for kind in ("best", "median")
            }
    result["cpu_model"] = cpu_model(result)
    result["mentions_identical"] = mentions_identical(result)
    result["load_after"] = uptime()
    path = write_result(args.out, result)
    print(f"wrote {path}")
    for name in [*ratios, "cpu_model", "mentions_identical"]:
        if name in result:
            print(name, result[name])


if __name__ == "__main__":
    main()
