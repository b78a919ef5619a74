"""`unsealed sample`: write the bundled fictional release to a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from unsealed.sample.corpus import write_sample_corpus


def sample_command(
    target: Annotated[Path, typer.Argument(help="Folder to write the sample release into.")] = Path(
        "sample/corpus"
    ),
) -> None:
    """Write the sample release (3 data sets, ~30 files) for trying Unsealed offline."""
    files = write_sample_corpus(target)
    datasets = sorted({f.dataset for f in files})
    console = Console(highlight=False)
    console.print(f"wrote {len(files)} files in {len(datasets)} data sets under {target}:")
    for name in datasets:
        console.print(f"  unsealed ingest {target / name} --dataset {name}")


def register(app: typer.Typer) -> None:
    app.command("sample")(sample_command)
