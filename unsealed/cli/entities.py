"""`unsealed entities`, `unsealed entity`, `unsealed enrich`, `unsealed export`: thin commands over
unsealed.enrich (queries, curation) and unsealed.export."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from unsealed.cli.options import ArchiveOption, JsonOption, QueueOption, queue_executor
from unsealed.cli.progress import ProgressObserver
from unsealed.cli.render import print_json
from unsealed.config import Settings
from unsealed.domain import ENTITY_TYPES
from unsealed.errors import ConfigError
from unsealed.store.archive import Archive
from unsealed.views.models import EntitySummary

entities_app = typer.Typer(
    help="List canonical entities; curate them (merge, split, hide).", invoke_without_command=True
)


def _open(archive: Path | None) -> Archive:
    return Archive.open(Settings.from_env().with_overrides(archive_dir=archive).archive_dir, create=False)


def _print_entities(rows: list[EntitySummary], console: Console) -> None:
    table = Table("type", "name", "mentions", "documents", "id")
    for r in rows:
        table.add_row(r.type, escape(r.name), str(r.mention_count), str(r.document_count), r.id)
    console.print(table)


@entities_app.callback()
def entities_command(
    ctx: typer.Context,
    entity_type: Annotated[
        str | None, typer.Option("--type", "-t", help=f"One of {', '.join(ENTITY_TYPES)}.")
    ] = None,
    top: Annotated[int, typer.Option("--top", "-n", help="How many, most mentioned first.")] = 50,
    hidden: Annotated[bool, typer.Option("--hidden", help="Include hidden entities.")] = False,
    archive: ArchiveOption = None,
    as_json: JsonOption = False,
) -> None:
    """Canonical entities with their mention and document counts."""
    if ctx.invoked_subcommand is not None:
        return
    if entity_type and entity_type.upper() not in ENTITY_TYPES:
        raise ConfigError(f"--type must be one of {', '.join(ENTITY_TYPES)}, got {entity_type!r}")
    from unsealed.views.entity import entities_view

    with _open(archive) as opened, opened.engine.connect() as conn:
        listing = entities_view(
            conn, entity_type and entity_type.upper(), per_page=top, include_hidden=hidden
        )
    if as_json:
        print_json(listing.json_data())
    else:
        _print_entities(listing.entities, Console(highlight=False))


def _curate(archive: Path | None, action: str, entity: str, other: str | None = None) -> None:
    from unsealed.pipeline.curate import apply

    with _open(archive) as opened:
        print_json(apply(opened, action, entity, other))


@entities_app.command("merge")
def merge_command(
    entity: Annotated[str, typer.Argument(help="The entity to keep (name or id).")],
    other: Annotated[str, typer.Argument(help="The entity merged into it (name or id).")],
    archive: ArchiveOption = None,
) -> None:
    """Merge OTHER into ENTITY; recorded, and replayed after every re-resolution."""
    _curate(archive, "merge", entity, other)


@entities_app.command("split")
def split_command(
    entity: Annotated[str, typer.Argument(help="Entity name or id.")],
    alias: Annotated[str, typer.Argument(help="A surface form of it that is someone/something else.")],
    archive: ArchiveOption = None,
) -> None:
    """Move the mentions printed as ALIAS out of ENTITY into an entity of their own."""
    _curate(archive, "split", entity, alias)


@entities_app.command("hide")
def hide_command(
    entity: Annotated[str, typer.Argument(help="Entity name or id.")],
    archive: ArchiveOption = None,
) -> None:
    """Hide ENTITY (noise) from lists and document views; `unhide` shows it again."""
    _curate(archive, "hide", entity)


@entities_app.command("unhide")
def unhide_command(
    entity: Annotated[str, typer.Argument(help="Entity name or id.")],
    archive: ArchiveOption = None,
) -> None:
    """Show a hidden entity again."""
    _curate(archive, "unhide", entity)


def entity_command(
    name_or_id: Annotated[str, typer.Argument(help="Entity id, name or any surface form.")],
    page: Annotated[int, typer.Option("--page", min=1, help="Page of mentions (50 a page).")] = 1,
    archive: ArchiveOption = None,
    as_json: JsonOption = False,
) -> None:
    """One entity: aliases, documents, co-mentioned entities, e-mail links."""
    from unsealed.enrich.lookup import find_entity
    from unsealed.views.entity import entity_view

    with _open(archive) as opened, opened.engine.connect() as conn:
        detail = entity_view(conn, find_entity(conn, name_or_id), page)
    if as_json:
        print_json(detail.json_data())
        return
    console = Console(highlight=False)
    console.print(
        f"[bold]{escape(detail.name)}[/] ({detail.type}) · {detail.mention_count} mentions "
        f"in {detail.document_count} documents · {detail.id}"
    )
    console.print("aliases: " + escape(", ".join(a.text for a in detail.aliases)), soft_wrap=True)
    for d in detail.documents[:20]:
        console.print(f"  {escape(d.filename)} ({escape(d.dataset)}): {d.mentions}")
    if detail.co_mentions:
        console.print(
            "with: " + escape(", ".join(f"{c.name} ({c.documents})" for c in detail.co_mentions)),
            soft_wrap=True,
        )


def enrich_command(
    archive: ArchiveOption = None,
    all_documents: Annotated[
        bool, typer.Option("--all", help="Redo every document, not just new ones.")
    ] = False,
    queue: QueueOption = False,
) -> None:
    """Run e-mail analysis, entity extraction and resolution over the archive's documents, then index them."""
    from unsealed.pipeline.enrich_stages import enrichable_documents
    from unsealed.pipeline.executor import LocalExecutor
    from unsealed.pipeline.ingest import run_stages

    settings = Settings.from_env()
    executor = queue_executor(settings) if queue else LocalExecutor(settings)
    with _open(archive) as opened, ProgressObserver(Console(stderr=True)) as observer:
        ids = enrichable_documents(opened, include_enriched=all_documents)
        run_stages(opened, ids, observer, executor=executor)


def export_command(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Export format: ftm (followthemoney JSON lines).")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write [default: stdout].")
    ] = None,
    archive: ArchiveOption = None,
) -> None:
    """Export the archive's documents, pages, e-mails and entities."""
    if fmt.lower() != "ftm":
        raise ConfigError(f"unknown export format {fmt!r} (supported: ftm)")
    from unsealed.export.ftm import write_ftm

    with _open(archive) as opened, opened.engine.connect() as conn:
        if output is None:
            count = write_ftm(conn, sys.stdout)
        else:
            with output.open("w", encoding="utf-8") as out:
                count = write_ftm(conn, out)
    Console(stderr=True).print(f"{count} entities written")


def register(app: typer.Typer) -> None:
    app.add_typer(entities_app, name="entities")
    app.command("entity")(entity_command)
    app.command("enrich")(enrich_command)
    app.command("export")(export_command)
