"""`unsealed search` and `unsealed reindex`."""

from __future__ import annotations

import csv
import json
import sys
from typing import Annotated, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text
from sqlalchemy import func, select

from unsealed.cli.options import ArchiveOption, JsonOption
from unsealed.config import Settings
from unsealed.search import indexer
from unsealed.search.errors import QueryError
from unsealed.search.model import Hit, SearchResults
from unsealed.search.serialize import csv_cell
from unsealed.search.service import Group, Searcher, Sort
from unsealed.store.archive import Archive
from unsealed.store.schema import documents
from unsealed.views.search import EXPORT_COLUMNS, export_row, search_view


def _archive(archive_dir: object) -> Archive:
    settings = Settings.from_env().with_overrides(archive_dir=archive_dir)
    return Archive.open(settings.archive_dir, create=False)


def _print_hit(console: Console, number: int, hit: Hit, indent: str = "") -> None:
    line = Text(f"{indent}{number}. ", style="bold")
    line.append(str(hit.citation), style="cyan")
    console.print(line)
    if hit.snippet and hit.snippet.text:
        text = Text(indent + "   " + ("… " if hit.snippet.truncated_start else ""))
        offset = len(text.plain)
        text.append(hit.snippet.text + (" …" if hit.snippet.truncated_end else ""))
        for start, end in hit.snippet.highlights:
            text.stylize("bold yellow", offset + start, offset + end)
        console.print(text)


def _print_results(console: Console, results: SearchResults) -> None:
    for warning in results.warnings:
        console.print(Text(f"note: {warning}", style="dim"))
    console.print(Text(f"{results.total:,} matching pages ({results.took_ms:.0f} ms)", style="bold"))
    if results.groups is not None:
        for i, group in enumerate(results.groups, start=1):
            console.print(
                Text(f"{i}. {group.citation} — {group.matching_pages} matching pages", style="bold")
            )
            for j, hit in enumerate(group.hits, start=1):
                _print_hit(console, j, hit, indent="   ")
    else:
        for i, hit in enumerate(results.hits, start=1):
            _print_hit(console, i, hit)
    for name, values in (results.facets or {}).items():
        if values:
            shown = ", ".join(f"{f.value} ({f.count:,})" for f in values[:8])
            console.print(Text(f"{name}: {shown}", style="dim"))
    if results.next_cursor:
        console.print(Text(f"more: --cursor {results.next_cursor}", style="dim"), soft_wrap=True)


def register(app: typer.Typer) -> None:
    @app.command()
    def search(
        query: Annotated[str, typer.Argument(help="Query; see docs/search.md for the language.")],
        archive: ArchiveOption = None,
        as_json: JsonOption = False,
        limit: Annotated[
            int | None,
            typer.Option("--limit", "-n", help="Hits per page [20]; with --format, the most to export."),
        ] = None,
        sort: Annotated[
            str | None, typer.Option(help="relevance | date | date-desc [relevance; exports: date]")
        ] = None,
        group: Annotated[str, typer.Option(help="page | document")] = "page",
        cursor: Annotated[
            str | None, typer.Option(help="Resume after a previous page (shown as `more:`).")
        ] = None,
        fmt: Annotated[str | None, typer.Option("--format", help="Export every hit: csv | jsonl.")] = None,
    ) -> None:
        """Search pages; prints citations with highlighted snippets, or exports every hit."""
        with _archive(archive) as arch:
            searcher = Searcher(arch)
            if fmt is not None:
                _export(searcher, query, fmt, sort or "date", limit)
                return
            order = cast(Sort, sort or "relevance")  # the service checks the value
            if as_json:
                view = search_view(
                    searcher, query, limit=limit or 20, sort=order, group=cast(Group, group), cursor=cursor
                )
                sys.stdout.write(json.dumps(view.json_data(), ensure_ascii=False) + "\n")
                return
            results = searcher.search(
                query, limit=limit or 20, sort=order, group=cast(Group, group), cursor=cursor
            )
            _print_results(Console(), results)

    @app.command()
    def reindex(
        archive: ArchiveOption = None,
        pending: Annotated[
            bool, typer.Option("--pending", help="Only index what changed (no rebuild).")
        ] = False,
        as_json: JsonOption = False,
    ) -> None:
        """Rebuild the search index from the archive (or, with --pending, bring it in step)."""
        with _archive(archive) as arch:
            with arch.engine.connect() as conn:
                total_pages = conn.execute(
                    select(func.coalesce(func.sum(documents.c.page_count), 0))
                ).scalar_one()
            columns = (TextColumn("indexing pages"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
            with Progress(*columns, console=Console(stderr=True), disable=as_json) as progress:
                task = progress.add_task("index", total=None if pending else total_pages)
                advance = lambda n: progress.advance(task, n)  # noqa: E731
                report = (
                    indexer.sync(arch, progress=advance)
                    if pending
                    else indexer.rebuild(arch, progress=advance)
                )
            state = indexer.status(arch)
        summary = {
            "documents_indexed": report.documents_indexed,
            "pages_indexed": report.pages_indexed,
            "documents_removed": report.documents_removed,
            "seconds": round(report.seconds, 2),
            "index_pages": state.pages,
            "in_step": state.in_step,
        }
        if as_json:
            sys.stdout.write(json.dumps(summary) + "\n")
        else:
            Console().print(
                f"indexed {report.pages_indexed:,} pages of {report.documents_indexed:,} documents "
                f"in {report.seconds:.1f} s; the index holds {state.pages:,} pages"
            )


def _export(searcher: Searcher, query: str, fmt: str, sort: str, limit: int | None) -> None:
    if fmt not in ("csv", "jsonl"):
        raise QueryError(f"--format must be csv or jsonl, got {fmt!r}")
    export = searcher.export(query, sort=cast(Sort, sort))
    err = Console(stderr=True)
    for warning in export.warnings:
        err.print(Text(f"note: {warning}", style="dim"))
    out = sys.stdout
    writer = (
        csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, extrasaction="ignore", quoting=csv.QUOTE_ALL)
        if fmt == "csv"
        else None
    )
    if writer:
        writer.writeheader()
    for count, hit in enumerate(export, start=1):
        row = export_row(hit)
        if writer:
            writer.writerow({k: csv_cell(v) for k, v in row.items()})
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        if limit is not None and count >= limit:
            break
    err.print(Text(f"exported {min(export.total, limit or export.total):,} hits", style="dim"))
