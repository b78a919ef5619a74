"""`unsealed show` and `unsealed status`: what the archive holds."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from unsealed.cli.options import ArchiveOption, JsonOption
from unsealed.cli.render import print_document, print_json, print_queue, print_status
from unsealed.config import Settings
from unsealed.errors import NotFoundError
from unsealed.store.archive import Archive
from unsealed.store.documents import locate_document
from unsealed.views.document import document_view
from unsealed.views.home import status_view


def show_command(
    key: Annotated[str, typer.Argument(help="Document uuid, file name, storage key or a Bates number.")],
    archive: ArchiveOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one document with its pages (a Bates number selects its page)."""
    settings = Settings.from_env().with_overrides(archive_dir=archive)
    with Archive.open(settings.archive_dir, create=False) as opened, opened.engine.connect() as conn:
        located = locate_document(conn, key)
        if located is None:
            raise NotFoundError(
                f"no document matches {key!r} (try a uuid, file name, storage key or Bates number)"
            )
        view = document_view(conn, located.document_id, located_page=located.page_number)
    if as_json:
        print_json(view.json_data())
    else:
        print_document(view, Console(highlight=False))


def status_command(archive: ArchiveOption = None, as_json: JsonOption = False) -> None:
    """Counts by data set and status, and every failed file with its reason; files handed to the
    queue (`ingest --queue`): queued, running, done and failed per data set and per worker."""
    settings = Settings.from_env().with_overrides(archive_dir=archive)
    with Archive.open(settings.archive_dir, create=False) as opened:
        summary = status_view(opened)
    if as_json:
        print_json(summary.json_data())
    else:
        console = Console(highlight=False)
        print_status(summary, console)
        print_queue(summary.queue, console)
        console.print(f"search index: {escape(summary.search_index.summary)}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("show")(show_command)
    app.command("status")(status_command)
