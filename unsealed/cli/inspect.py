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
from unsealed.search.indexer import status_dict as search_index_status
from unsealed.store import work
from unsealed.store.archive import Archive
from unsealed.store.documents import document_record, locate_document, status_summary
from unsealed.views.queries import document_enrichment


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
        record = document_record(conn, located.document_id)
        assert record is not None
        record.update(document_enrichment(conn, located.document_id))
    if as_json:
        print_json({**record, "page": located.page_number})
    else:
        print_document(record, Console(highlight=False), located.page_number)


def status_command(archive: ArchiveOption = None, as_json: JsonOption = False) -> None:
    """Counts by data set and status, and every failed file with its reason; files handed to the
    queue (`ingest --queue`): queued, running, done and failed per data set and per worker."""
    settings = Settings.from_env().with_overrides(archive_dir=archive)
    with Archive.open(settings.archive_dir, create=False) as opened:
        with opened.engine.connect() as conn:
            summary = status_summary(conn)
            summary["queue"] = work.summary(conn)
        summary["search_index"] = search_index_status(opened)
    if as_json:
        print_json(summary)
    else:
        console = Console(highlight=False)
        print_status(summary, console)
        print_queue(summary["queue"], console)
        console.print(f"search index: {escape(summary['search_index']['summary'])}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("show")(show_command)
    app.command("status")(status_command)
