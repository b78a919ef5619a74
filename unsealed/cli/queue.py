"""`unsealed worker` and `unsealed follow`: the Celery side of `unsealed ingest --queue`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from unsealed.cli.ingest import detach_on_interrupt, print_report
from unsealed.cli.options import ArchiveOption
from unsealed.cli.progress import ProgressObserver
from unsealed.config import Settings
from unsealed.store.archive import Archive


def worker_command(
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", "-c", help="Worker processes [default: CPU cores].")
    ] = None,
    queues: Annotated[
        str | None, typer.Option("--queues", "-Q", help="Queues to take work from, comma-separated.")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", "-n", help="Worker name (Celery hostname).")] = None,
    events: Annotated[
        bool,
        typer.Option(
            "--events/--no-events",
            help="Send Celery's task events from the start (Flower and `celery control enable_events` "
            "turn them on when they are wanted; each costs a broker message).",
        ),
    ] = False,
) -> None:
    """Start a Celery worker: it reads queued files and enrichment batches and records them in the
    archive's database and blob store (UNSEALED_DATABASE_URL, UNSEALED_STORAGE, UNSEALED_BROKER_URL)."""
    from unsealed.pipeline.celery_executor import run_worker

    settings = Settings.from_env()
    chosen = [q for q in (queues or settings.queue.queue).split(",") if q]
    run_worker(settings, concurrency or settings.workers, chosen, name, events=events)


def follow_command(
    dataset: Annotated[
        str, typer.Option("--dataset", "-d", help="The data set whose queued files to follow.")
    ],
    archive: ArchiveOption = None,
) -> None:
    """Follow a data set's queued files until the workers have recorded every one, then run the
    post-ingest stages (exit 1 when a file failed)."""
    from unsealed.pipeline.celery_executor import follow_dataset

    settings = Settings.from_env().with_overrides(archive_dir=archive)
    console = Console(stderr=True)
    with (
        Archive.open(settings.archive_dir, create=False) as opened,
        ProgressObserver(console, label="Queued files") as observer,
        detach_on_interrupt(console, dataset, True),
    ):
        report = follow_dataset(opened, dataset, settings, observer)
    print_report(report, Console(highlight=False))
    raise typer.Exit(int(report.exit_code))


def register(app: typer.Typer) -> None:
    app.command("worker")(worker_command)
    app.command("follow")(follow_command)
