"""`unsealed ingest`: read files and folders into the archive."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from unsealed.cli.options import ArchiveOption, OcrEngineOption, OcrOption, page_overrides
from unsealed.cli.progress import ProgressObserver
from unsealed.config import Settings
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
) -> None:
    """Ingest PATHS into the archive as data set DATASET (re-running it changes nothing)."""
    settings = Settings.from_env().with_overrides(archive_dir=archive, workers=workers)
    settings = page_overrides(settings, ocr, ocr_engine)
    console = Console(stderr=True)
    with Archive.open(settings.archive_dir) as opened, ProgressObserver(console) as observer:
        report = ingest(opened, paths, dataset, settings, observer)
    print_report(report, Console(highlight=False))
    raise typer.Exit(int(report.exit_code))


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_command)
