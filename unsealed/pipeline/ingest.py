"""The ingest pipeline: walk sources, hand the per-file work to an executor, run the stages.

With the default executor (executor.py), worker processes hash, store and read files (pool.py,
process_pool.py: each file gets a hard time limit, and a worker that crashes on a hostile file fails
that file only) and the calling process is the only database writer (store/writer.py); with the
Celery executor (celery_executor.py) workers anywhere do the same and record each file themselves. Each
document is written with its pages in one transaction, so an interrupted run leaves no half-written
document, and a re-run skips what is already recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, insert

from unsealed.config import Settings
from unsealed.errors import ExitCode
from unsealed.ingest.loadfiles import load_kind
from unsealed.ingest.loadplan import LoadPlan, plan_load_files
from unsealed.ingest.ocr import check_engine
from unsealed.ingest.sources import read_source, walk_sources
from unsealed.model import FileDone, SourceFile
from unsealed.pipeline.background import Background
from unsealed.pipeline.executor import Executor, LocalExecutor
from unsealed.pipeline.heap import frozen_heap
from unsealed.pipeline.stage import Stage
from unsealed.pipeline.stages import post_ingest_stages
from unsealed.pipeline.worker import FileTask, WorkerOptions
from unsealed.store.archive import Archive
from unsealed.store.lock import archive_writer
from unsealed.store.schema import load_problems
from unsealed.store.writer import KnownDocuments, WriteOutcome


class IngestObserver(Protocol):
    """What a face (CLI progress bar, Celery task, test) hears while a run goes on."""

    def files_found(self, count: int) -> None: ...

    def file_done(self, done: FileDone, outcome: WriteOutcome) -> None: ...

    def stage_started(self, stage: str, documents: int) -> None: ...

    def stage_done(self, stage: str) -> None: ...


class SilentObserver:
    def files_found(self, count: int) -> None:
        pass

    def file_done(self, done: FileDone, outcome: WriteOutcome) -> None:
        pass

    def stage_started(self, stage: str, documents: int) -> None:
        pass

    def stage_done(self, stage: str) -> None:
        pass


@dataclass
class IngestReport:
    files: int = 0
    added: int = 0
    updated: int = 0
    duplicates: int = 0
    unchanged: int = 0
    pages: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (storage key, reason)
    changed_ids: list[str] = field(default_factory=list)
    analysed_ids: set[str] = field(default_factory=set)  # mentions found by the workers, written
    copied_pages: int = 0  # pages of documents whose mentions were copied from an exact copy
    paragraphs: int = 0  # paragraphs the workers analysed
    reused_paragraphs: int = 0  # of those, paragraphs tagged before (content-hash cache)

    def count(self, done: FileDone, outcome: WriteOutcome) -> None:
        self.files += 1
        if outcome.action == "added":
            self.added += 1
        elif outcome.action == "updated":
            self.updated += 1
        elif outcome.action == "duplicate":
            self.duplicates += 1
        else:
            self.unchanged += 1
        if outcome.action in ("added", "updated"):
            self.changed_ids.append(outcome.document_id)
            self.pages += done.pages
            if done.analysed:  # its mentions were written with it
                self.analysed_ids.add(outcome.document_id)
                self.copied_pages += done.copied_pages
                self.paragraphs += done.paragraphs
                self.reused_paragraphs += done.reused_paragraphs
        if outcome.status == "failed":
            self.failures.append((done.storage_key, done.error or "failed earlier"))

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.SOME_FILES_FAILED if self.failures else ExitCode.OK


def _record_load_problems(
    archive: Archive, dataset: str, found: Sequence[SourceFile], plan: LoadPlan, report: IngestReport
) -> None:
    """Each load file's problems, replaced on every run (a fixed load file clears its rows)."""
    load_keys = [s.storage_key for s in found if load_kind(s.filename)]
    if not load_keys:
        return
    with archive.engine.begin() as conn:
        conn.execute(delete(load_problems).where(load_problems.c.load_file.in_(load_keys)))
        if plan.problems:
            conn.execute(
                insert(load_problems),
                [{"dataset": dataset, "load_file": key, "problem": text} for key, text in plan.problems],
            )
    report.failures.extend(plan.problems)


def run_stages(
    archive: Archive,
    document_ids: Sequence[str],
    observer: IngestObserver,
    stages: Sequence[Stage] | None = None,
    executor: Executor | None = None,
    background: Background | None = None,
) -> None:
    """Run post-ingest stages over the changed documents and whatever a stage left unfinished
    (`stages` default to all of them, their batches run by `executor`). A `background` stage runs
    in a worker process while the next ones run here (pipeline/background.py), in `background`'s
    when given (started early by the caller)."""
    stages = list(stages if stages is not None else post_ingest_stages(executor))
    with ExitStack() as stack:
        if background is None:
            background = stack.enter_context(Background(archive))
        if document_ids:
            background.prepare(stages)
        for stage in stages:
            if stage.after_background:
                background.join()
            ids = list(dict.fromkeys([*document_ids, *(stage.pending(archive) if stage.pending else [])]))
            observer.stage_started(stage.name, len(ids))
            done = partial(observer.stage_done, stage.name)
            if ids and stage.background and background.start(stage, ids, done):
                continue
            if ids and stage.prepare is not None:
                stage.prepare(archive, ids)
            if stage.needs is not None:
                background.wait_for(stage.needs)
            if ids:
                stage.run(archive, ids)
            done()
        background.join()


def ingest(
    archive: Archive,
    paths: Sequence[Path],
    dataset: str,
    settings: Settings,
    observer: IngestObserver | None = None,
    stages: Sequence[Stage] | None = None,
    executor: Executor | None = None,
) -> IngestReport:
    """Read `paths` into the archive as `dataset`, then run the post-ingest stages (all by default).

    `executor` runs the per-file work and the enrichment batches: this machine's worker processes
    by default (`LocalExecutor`), or Celery workers anywhere (`pipeline/celery_executor.py`). One writer at a
    time per archive (store/lock.py)."""
    with archive_writer(archive.root, "ingest"), frozen_heap():
        return _ingest(
            archive,
            paths,
            dataset,
            settings,
            observer or SilentObserver(),
            stages,
            executor or LocalExecutor(settings),
        )


def _ingest(
    archive: Archive,
    paths: Sequence[Path],
    dataset: str,
    settings: Settings,
    observer: IngestObserver,
    stages: Sequence[Stage] | None,
    executor: Executor,
) -> IngestReport:
    check_engine(settings.pages)  # a missing OCR engine is one error now, not one per page
    found = list(
        walk_sources(
            paths, dataset, skip=archive.root, zips=settings.zips, follow_links=settings.follow_links
        )
    )
    plan = plan_load_files(found, lambda source: read_source(source, settings.limits.max_file_bytes))
    sources = plan.sources
    observer.files_found(len(sources))
    with archive.engine.connect() as conn:
        known = KnownDocuments.load(conn, dataset)
    # With the default stages, the workers find entity mentions as they read (worker_analysis.py).
    analyse_with = archive.engine.url.render_as_string(hide_password=False) if stages is None else None
    options = WorkerOptions(
        blob_root=archive.blobs.url,
        limits=settings.limits,
        pages=settings.pages,
        dedup=settings.dedup,
        analyse_with=analyse_with,
        fault=settings.fault,
    )
    warm_up = None
    if analyse_with is not None:
        from unsealed.enrich import names

        # resolution's country tables load in this process while the workers read (once they
        # have started: no thread runs while the pool forks them)
        warm_up = threading.Thread(target=names.warm_up, name="warm-up", daemon=True)
    tasks = [
        FileTask(source, known.ok_contents.get(source.storage_key), plan.documents.get(source.storage_key))
        for source in sources
    ]
    report = IngestReport()
    _record_load_problems(archive, dataset, found, plan, report)
    with Background(archive) as background:
        left, early = len(tasks), stages is None
        for done, outcome in executor.ingest_files(archive, known, tasks, options):
            report.count(done, outcome)
            observer.file_done(done, outcome)
            if warm_up is not None and not warm_up.is_alive() and warm_up.ident is None:
                warm_up.start()
            left -= 1
            if early and left < settings.workers and report.changed_ids:
                # fewer files left than workers: a core is free, so the background stages' worker
                # starts and imports their modules now rather than at the first stage
                background.prepare(post_ingest_stages(executor))
                early = False
        if warm_up is not None and warm_up.ident is not None:
            warm_up.join()  # resolution needs it
        if stages is None:
            stages = post_ingest_stages(executor, report.analysed_ids)
        run_stages(archive, report.changed_ids, observer, stages, executor, background)
    return report
