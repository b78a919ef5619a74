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
from unsealed.search.cursor import skipped as cursor_skip
from unsealed.search.errors import QueryError
from unsealed.search.serialize import csv_cell
from unsealed.search.service import Copies, Group, Searcher, Sort
from unsealed.store.archive import Archive
from unsealed.store.schema import documents
from unsealed.views.models import Hit, SearchResults
from unsealed.views.search import EXPORT_COLUMNS, export_row, search_view


def _archive(archive_dir: object) -> Archive:
    settings = Settings.from_env().with_overrides(archive_dir=archive_dir)
    return Archive.open(settings.archive_dir, create=False)


def _print_hit(console: Console, number: int, hit: Hit, indent: str = "") -> None:
    line = Text(f"{indent}{number}. ", style="bold")
    line.append(hit.citation, style="cyan")
    if hit.copy_count > 1:
        line.append(f"  ({hit.copy_count:,} copies)", style="dim")
    console.print(line)
    if hit.snippet and hit.snippet.text:
        snippet = hit.snippet
        text = Text(indent + "   " + ("… " if snippet.html.startswith("… ") else ""))
        offset = len(text.plain)
        text.append(snippet.text + (" …" if snippet.html.endswith(" …") else ""))
        for start, end in snippet.highlights:
            text.stylize("bold yellow", offset + start, offset + end)
        console.print(text)


def result_range(first: int, shown: int, count: int, exact: bool, unit: str) -> str:
    """`21–40 of 94 documents` (`of more than 10,000` when the count is a lower bound)."""
    if not shown:
        return f"no {unit}"
    of = f"{count:,}" if exact else f"more than {count:,}"
    return f"{unit.capitalize()} {first:,}–{first + shown - 1:,} of {of}"


def _print_results(console: Console, results: SearchResults, skip: int) -> None:
    for warning in results.warnings:
        console.print(Text(f"note: {warning}", style="dim"))
    unit = "documents" if results.groups is not None else "pages"
    shown = len(results.groups) if results.groups is not None else len(results.hits)
    head = result_range(skip + 1, shown, results.result_count, results.result_count_exact, unit)
    collapsed = " (copies collapsed)" if results.copies == "collapse" else ""
    console.print(
        Text(f"{head}{collapsed} · {results.total:,} matching pages ({results.took_ms:.0f} ms)", style="bold")
    )
    if results.groups is not None:
        for i, group in enumerate(results.groups, start=skip + 1):
            copies = f", {group.copy_count:,} copies" if group.copy_count > 1 else ""
            title = f"{group.dataset} · {group.filename}"
            console.print(Text(f"{i}. {title} — {group.matching_pages} matching pages{copies}", style="bold"))
            for j, page_hit in enumerate(group.hits, start=1):
                _print_hit(console, j, page_hit, indent="   ")
    else:
        for i, hit in enumerate(results.hits, start=skip + 1):
            _print_hit(console, i, hit)
    for name, values in (results.facets or {}).items():
        if values:
            listed = ", ".join(f"{f.value} ({f.count:,})" for f in values[:8])
            console.print(Text(f"{name}: {listed}", style="dim"))
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
        copies: Annotated[
            str, typer.Option(help="collapse (near-identical pages or documents once) | all")
        ] = "collapse",
    ) -> None:
        """Search pages; prints citations with highlighted snippets, or exports every hit."""
        with _archive(archive) as arch:
            searcher = Searcher(arch)
            if fmt is not None:
                _export(searcher, query, fmt, sort or "date", limit)
                return
            order = cast(Sort, sort or "relevance")  # the service checks the value
            view = search_view(
                searcher,
                query,
                limit=limit or 20,
                sort=order,
                group=cast(Group, group),
                cursor=cursor,
                copies=cast(Copies, copies),
            )
            if as_json:
                sys.stdout.write(json.dumps(view.json_data(), ensure_ascii=False) + "\n")
                return
            _print_results(Console(), view, cursor_skip(cursor))

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
