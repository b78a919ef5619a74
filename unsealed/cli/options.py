"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from unsealed.config import Settings

if TYPE_CHECKING:
    from unsealed.pipeline.executor import Executor

ArchiveOption = Annotated[
    Path | None,
    typer.Option("--archive", "-a", help="Archive folder [env UNSEALED_ARCHIVE, default ./archive]."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a readable summary.")]
OcrOption = Annotated[
    str | None,
    typer.Option(
        "--ocr",
        help="auto: OCR pages without a good text layer and keep the better text; always; never "
        "(env UNSEALED_OCR; default auto).",
        metavar="auto|always|never",
    ),
]
OcrEngineOption = Annotated[
    str | None,
    typer.Option(
        "--ocr-engine", help="OCR engine: tesseract or null (env UNSEALED_OCR_ENGINE; default tesseract)."
    ),
]


def page_overrides(settings: Settings, ocr: str | None, ocr_engine: str | None) -> Settings:
    """Settings with the --ocr / --ocr-engine flags applied (checked when the options are built)."""
    return settings.with_overrides(pages=settings.pages.with_overrides(ocr_mode=ocr, engine=ocr_engine))


QueueOption = Annotated[
    bool,
    typer.Option(
        "--queue",
        help="Run the work on Celery workers (`unsealed worker`, broker UNSEALED_BROKER_URL) and follow "
        "it; Ctrl-C leaves queued files running (`unsealed follow` comes back).",
    ),
]


def queue_executor(settings: Settings) -> Executor:
    """The Celery executor (Celery is imported only when --queue asks for it)."""
    from unsealed.pipeline.celery_executor import CeleryExecutor

    return CeleryExecutor(settings)
