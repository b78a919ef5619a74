"""`unsealed ingest`: read files and folders into the archive."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from unsealed.cli.options import (
    ArchiveOption,
    OcrEngineOption,
    OcrOption,
    QueueOption,
    page_overrides,
    queue_executor,
)
from unsealed.cli.progress import ProgressObserver
from unsealed.config import Settings
from unsealed.errors import ExitCode
from unsealed.pipeline.ingest import IngestReport, ingest
from unsealed.store.archive import Archive


def print_report(report: IngestReport, console: Console) -> None:
    console.print(
        f"{report.files} files: {report.added} added, {report.updated} re-read, "
        f"{report.duplicates} duplicates, {report.unchanged} unchanged · {report.pages} pages written"
    )
    if report.failures:
        console.print(f"[red]{len(report.failures)} failed[/]:")
        for key, reason in report.failures:
            console.print(f"  {key}: {reason}", highlight=False, markup=False, soft_wrap=True)


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files and folders to read (folders recursively).")],
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="Data set name, e.g. dataset_9.")],
    archive: ArchiveOption = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes [default: CPU cores].")] = None,
    ocr: OcrOption = None,
    ocr_engine: OcrEngineOption = None,
    queue: QueueOption = False,
) -> None:
    """Ingest PATHS into the archive as data set DATASET (re-running it changes nothing)."""
    settings = Settings.from_env().with_overrides(archive_dir=archive, workers=workers)
    settings = page_overrides(settings, ocr, ocr_engine)
    console = Console(stderr=True)
    executor = queue_executor(settings) if queue else None
    with Archive.open(settings.archive_dir) as opened, ProgressObserver(console) as observer:
        with detach_on_interrupt(console, dataset, queue):
            report = ingest(opened, paths, dataset, settings, observer, executor=executor)
    print_report(report, Console(highlight=False))
    raise typer.Exit(int(report.exit_code))


class detach_on_interrupt:  # noqa: N801 - used as a `with` block
    """Ctrl-C while following queued work leaves the workers going and says how to come back."""

    def __init__(self, console: Console, dataset: str, queued: bool):
        self.console, self.dataset, self.queued = console, dataset, queued

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self.queued and kind is KeyboardInterrupt:
            self.console.print(
                "detached: the workers go on with the queued files; "
                f"`unsealed follow --dataset {self.dataset}` follows them again",
                markup=False,
                highlight=False,
            )
            raise typer.Exit(int(ExitCode.INTERRUPTED))


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_command)
