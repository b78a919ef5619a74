"""Shared pieces of the web tests: archives built by the real ingest, a live server, a real browser."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas
from sqlalchemy import select

from unsealed.config import Settings
from unsealed.pipeline.enrich_stages import enrichment_stages
from unsealed.pipeline.ingest import IngestReport, SilentObserver, ingest, run_stages
from unsealed.pipeline.stages import post_ingest_stages
from unsealed.sample.corpus import write_sample_corpus
from unsealed.sample.real import load_corpus, write_corpus
from unsealed.store.archive import Archive
from unsealed.store.schema import documents
from unsealed.web import create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Real release documents (../shared/corpus) beside the sample: printed e-mails and other pages.
REAL_IDS = [
    "HOUSE_OVERSIGHT_013482",
    "HOUSE_OVERSIGHT_022258",
    "HOUSE_OVERSIGHT_022464",
    "HOUSE_OVERSIGHT_010754",
    "EFTA01280146",
    "EFTA01295161",
    "EFTA01343936",
]
HOSTILE_TEXT = "Note <script>alert(1)</script> and <img src=x onerror=alert(2)> end"


def write_pdf(path: Path, pages: list[list[str]], bates_first: int | None = None) -> Path:
    """A small real PDF with a text layer; each page stamped EFTA<n> at the bottom when asked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(path), pagesize=letter)
    for i, lines in enumerate(pages):
        y = 720
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 16
        if bates_first is not None:
            pdf.drawString(450, 30, f"EFTA{bates_first + i:08d}")
        pdf.showPage()
    pdf.save()
    return path


def ingest_folder(archive: Archive, folder: Path, dataset: str) -> IngestReport:
    settings = Settings.from_env().with_overrides(workers=1)
    return ingest(archive, [folder], dataset, settings)


def build_sample_archive(root: Path) -> Archive:
    """The bundled sample release, plus a fixture data set with hostile text, ingested for real."""
    corpus = root / "corpus"
    files = write_sample_corpus(corpus)
    archive = Archive.open(root / "archive")
    for dataset in sorted({f.dataset for f in files}):
        ingest_folder(archive, corpus / dataset, dataset)
    hostile = root / "fixtures"
    write_pdf(hostile / "EFTA09000001.pdf", [[HOSTILE_TEXT, "Second line of the hostile note."]], 9000001)
    ingest_folder(archive, hostile, "fixtures")
    real = root / "real"
    write_corpus(load_corpus(ids=REAL_IDS), real)
    ingest_folder(archive, real, "real")
    enrich_all(archive)
    return archive


def enrich_all(archive: Archive) -> None:
    """Run the entity stages over every document (unless ingest runs them), then re-index for search."""
    stages = post_ingest_stages()
    if any(stage.name == "entity mentions" for stage in stages):
        return
    with archive.engine.connect() as conn:
        ids = [row.id for row in conn.execute(select(documents.c.id).where(documents.c.status == "ok"))]
    run_stages(archive, ids, SilentObserver(), [*enrichment_stages(), *stages])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    server: uvicorn.Server
    thread: threading.Thread


@contextmanager
def live_server(archive: Archive) -> Iterator[LiveServer]:
    """The real app under uvicorn on a free loopback port, in a thread."""
    port = free_port()
    config = uvicorn.Config(create_app(archive), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", server, thread)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
