"""`unsealed thread`: an e-mail thread as a tree, each message once with the pages it is printed on;
`unsealed timeline`: dated events with citations. Both print with `--json` what /api/v1 returns."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from unsealed.cli.options import ArchiveOption, JsonOption
from unsealed.cli.render import print_json
from unsealed.config import Settings
from unsealed.errors import NotFoundError
from unsealed.store.archive import Archive
from unsealed.store.documents import locate_document
from unsealed.views.models import Thread, Timeline
from unsealed.views.threads import document_threads, thread_view
from unsealed.views.timeline import timeline_view


def thread_command(
    key: Annotated[str, typer.Argument(help="A thread id, or a document (uuid, file name, Bates number).")],
    archive: ArchiveOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the e-mail thread KEY (or the threads of document KEY)."""
    settings = Settings.from_env().with_overrides(archive_dir=archive)
    with Archive.open(settings.archive_dir, create=False) as opened, opened.engine.connect() as conn:
        try:
            views = [thread_view(conn, key)]
        except NotFoundError:
            located = locate_document(conn, key)
            if located is None:
                raise NotFoundError(f"no thread or document matches {key!r}") from None
            views = [thread_view(conn, t.id) for t in document_threads(conn, located.document_id)]
            if not views:
                raise NotFoundError(f"document {key!r} prints no e-mail message") from None
    if as_json:
        print_json(views[0].json_data() if len(views) == 1 else [v.json_data() for v in views])
        return
    console = Console(highlight=False)
    for view in views:
        _print_thread(view, console)


def _print_thread(view: Thread, console: Console) -> None:
    console.print(f"thread {view.id}: {escape(view.subject or '(no subject)')}", soft_wrap=True)
    for m in view.messages:
        where = "; ".join(f"{a.bates or a.filename} p{a.page} ({a.dataset})" for a in m.appearances)
        indent = "  " * (m.depth + 1)
        who = escape(m.sender or "[unknown]")
        console.print(f"{indent}{who}  {m.sent or '-'}  [{escape(where)}]", soft_wrap=True)


Filter = Annotated[str, typer.Option(help="2014, 2014-03 or 2014-03-07.")]
EntityFilter = Annotated[str, typer.Option(help="An entity id or exact name: events in documents naming it.")]


def timeline_command(
    start: Filter = "",
    end: Filter = "",
    entity: Annotated[
        str, typer.Option(help="An entity id or exact name: events in documents that mention it.")
    ] = "",
    sender: Annotated[str, typer.Option(help="Part of an e-mail sender's name.")] = "",
    dataset: Annotated[str, typer.Option(help="One data set.")] = "",
    archive: ArchiveOption = None,
    as_json: JsonOption = False,
) -> None:
    """Dated events (e-mails sent, document dates, load-file dates), each with the page to cite."""
    settings = Settings.from_env().with_overrides(archive_dir=archive)
    with Archive.open(settings.archive_dir, create=False) as opened, opened.engine.connect() as conn:
        view = timeline_view(conn, start=start, end=end, entity=entity, sender=sender, dataset=dataset)
    if as_json:
        print_json(view.json_data())
        return
    _print_timeline(view, Console(highlight=False))


def _print_timeline(view: Timeline, console: Console) -> None:
    shown = f" (the first {len(view.events)} listed)" if view.truncated else ""
    console.print(f"{view.total} dated events{shown}")
    for month in view.histogram:
        console.print(f"  {month.month}  {month.count}")
    for e in view.events:
        cite = f"{e.bates or e.filename} p{e.page} ({e.dataset})"
        console.print(f"{e.when}  {escape(e.kind)}: {escape(e.label)}  [{escape(cite)}]", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("thread")(thread_command)
    app.command("timeline")(timeline_command)
