"""`unsealed reprocess`: read the pages of ingested documents again, e.g. with OCR turned on."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from unsealed.cli.ingest import print_report
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
from unsealed.pipeline.reprocess import reprocess
from unsealed.store.archive import Archive


def reprocess_command(
    dataset: Annotated[str | None, typer.Option("--dataset", "-d", help="Only this data set.")] = None,
    archive: ArchiveOption = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes [default: CPU cores].")] = None,
    ocr: OcrOption = None,
    ocr_engine: OcrEngineOption = None,
    queue: QueueOption = False,
) -> None:
    """Re-read page text from the stored originals (no copying; document ids stay the same)."""
    settings = Settings.from_env().with_overrides(archive_dir=archive, workers=workers)
    settings = page_overrides(settings, ocr, ocr_engine)
    console = Console(stderr=True)
    with (
        Archive.open(settings.archive_dir, create=False) as opened,
        ProgressObserver(console, label="Re-reading documents") as observer,
    ):
        executor = queue_executor(settings) if queue else None
        report = reprocess(opened, settings, dataset, observer, executor=executor)
    print_report(report, Console(highlight=False))
    raise typer.Exit(int(report.exit_code))


def register(app: typer.Typer) -> None:
    app.command("reprocess")(reprocess_command)
