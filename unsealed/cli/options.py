"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ArchiveOption = Annotated[
    Path | None,
    typer.Option("--archive", "-a", help="Archive folder [env UNSEALED_ARCHIVE, default ./archive]."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a readable summary.")]
