"""`unsealed verify`: re-hash every stored original and report any that is missing or changed."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.markup import escape

from unsealed.cli.options import ArchiveOption, JsonOption
from unsealed.cli.render import print_json
from unsealed.config import Settings
from unsealed.errors import ExitCode
from unsealed.store.archive import Archive
from unsealed.store.verify import verify_originals


def verify_command(archive: ArchiveOption = None, as_json: JsonOption = False) -> None:
    """Re-hash every stored original against its recorded sha256 (exit 1 when any is wrong)."""
    settings = Settings.from_env().with_overrides(archive_dir=archive)
    with Archive.open(settings.archive_dir, create=False) as opened:
        report = verify_originals(opened)
    if as_json:
        print_json(report.to_dict())
    else:
        console = Console(highlight=False)
        console.print(f"{report.checked} originals checked, {len(report.problems)} wrong", soft_wrap=True)
        for problem in report.problems:
            console.print(f"  {escape(problem.storage_key)}: {escape(problem.reason)}", soft_wrap=True)
    if report.problems:
        raise typer.Exit(int(ExitCode.SOME_FILES_FAILED))


def register(app: typer.Typer) -> None:
    app.command("verify")(verify_command)
