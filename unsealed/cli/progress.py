"""Rich progress display for ingest-like runs: files, pages/s and ETA, then a stage line each."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from unsealed.model import FileDone
from unsealed.store.writer import WriteOutcome


class PagesPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        pages = task.fields.get("pages", 0)
        elapsed = task.elapsed or 0.0
        rate = pages / elapsed if elapsed > 0 else 0.0
        ocr = task.fields.get("ocr", 0)
        ocr_note = f" · {ocr} OCR'd ({ocr / elapsed if elapsed > 0 else 0.0:,.2f}/s)" if ocr else ""
        failed = task.fields.get("failed", 0)
        note = f" · [red]{failed} failed[/]" if failed else ""
        return Text.from_markup(f"{pages} pages · {rate:,.1f} pages/s{ocr_note}{note}")


class ProgressObserver:
    """IngestObserver that draws a Rich progress bar on stderr."""

    def __init__(self, console: Console | None = None, label: str = "Reading files"):
        self.console = console or Console(stderr=True)
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            PagesPerSecond(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
        )
        self.label = label
        self.task_id = self.progress.add_task(label, total=None, pages=0, ocr=0, failed=0, start=False)
        self._stage_started: dict[str, float] = {}  # a background stage overlaps the next ones

    def __enter__(self) -> ProgressObserver:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def files_found(self, count: int) -> None:
        self.progress.update(self.task_id, total=count)
        self.progress.start_task(self.task_id)

    def file_done(self, done: FileDone, outcome: WriteOutcome) -> None:
        task = self.progress.tasks[self.task_id]
        fields = {"pages": task.fields["pages"] + done.pages, "ocr": task.fields["ocr"] + done.ocr_pages}
        if outcome.status == "failed" and outcome.action != "unchanged":
            fields["failed"] = task.fields["failed"] + 1
        self.progress.update(self.task_id, advance=1, **fields)

    def stage_started(self, stage: str, documents: int) -> None:
        self._stage_started[stage] = time.monotonic()
        self.progress.console.print(f"[bold]{stage}[/]: {documents} documents …")

    def stage_done(self, stage: str) -> None:
        seconds = time.monotonic() - self._stage_started.pop(stage, time.monotonic())
        self.progress.console.print(f"[bold]{stage}[/]: done in {seconds:.1f} s")
