"""Readable summaries of library records for the terminal (JSON output prints records as they are)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from unsealed.views.models import Document, Queue, Status


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.1f} {unit}" if unit != "B" else f"{int(value)} B"
        value /= 1024
    return f"{value:.1f} GB"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def human_date(iso: str | None) -> str:
    if not iso:
        return "—"
    return datetime.fromisoformat(iso).strftime("%b %-d, %Y")


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def print_document(doc: Document, console: Console) -> None:
    """The seed archive's header and metadata block, with the page list between them."""
    kind = doc.mime_type.split("/")[-1]
    bates = f" · {doc.bates_first}–{doc.bates_last}" if doc.bates_first else ""
    console.print(f"[bold]{escape(doc.filename)}[/]")
    console.print(
        f"{escape(doc.dataset)} · {escape(kind)} · {human_size(doc.size_bytes)} · "
        f"{human_date(doc.created_at)} · {plural(doc.page_count, 'page')}{escape(bates)}"
    )
    if doc.status != "ok":
        console.print(f"[red]failed:[/] {escape(doc.error or '')}", soft_wrap=True)
    if doc.notes:
        console.print(f"[yellow]note:[/] {escape(doc.notes)}", soft_wrap=True)
    if doc.page is not None:
        console.print(f"→ page {doc.page} of {doc.page_count}")
    if doc.pages:
        table = Table("page", "Bates", "text", "chars", box=None, pad_edge=False)
        for p in doc.pages:
            stamp = f"{p.bates} ({p.bates_source})" if p.bates else "—"
            mark = " ◀" if p.number == doc.page else ""
            table.add_row(f"{p.number}{mark}", escape(stamp), escape(p.text_source), str(p.char_count))
        console.print(table)
    console.print("[bold]Document Metadata[/]")
    rows = [
        ("Document ID", doc.id),
        ("Storage Key", doc.storage_key),
        ("MD5", doc.md5),
        ("SHA-256", doc.sha256),
        ("Created", doc.created_at),
        ("Pipeline version", doc.pipeline_version),
    ]
    rows += [("Also in", f"{o.dataset} ({o.storage_key})") for o in doc.also_in]
    for label, value in rows:
        console.print(f"  {label:<17} {escape(str(value))}", soft_wrap=True)


def print_status(summary: Status, console: Console) -> None:
    totals = summary.totals
    console.print(
        f"{totals.documents} documents ({totals.ok} ok, {totals.failed} failed), {totals.pages} pages"
    )
    table = Table("data set", "ok", "failed", "pages", box=None, pad_edge=False)
    for d in summary.datasets:
        table.add_row(escape(d.name), str(d.ok), str(d.failed), str(d.pages))
    console.print(table)
    if summary.failed:
        console.print("[bold red]Failed files[/]")
        for failure in summary.failed:
            console.print(f"  {escape(failure.storage_key)}: {escape(failure.error or '')}", soft_wrap=True)


def print_queue(queue: Queue, console: Console) -> None:
    """The queue's files per data set and per worker (nothing when nothing was ever queued)."""
    if not queue.datasets:
        return
    table = Table("queued files", "queued", "running", "done", "failed", box=None, pad_edge=False)
    for name, counts in queue.datasets.items():
        table.add_row(
            escape(name), *(str(counts[state]) for state in ("queued", "running", "done", "failed"))
        )
    console.print(table)
    if queue.workers:
        workers = Table("worker", "running", "done", "failed", box=None, pad_edge=False)
        for name, counts in queue.workers.items():
            workers.add_row(escape(name), *(str(counts[state]) for state in ("running", "done", "failed")))
        console.print(workers)
