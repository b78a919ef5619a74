"""Figures on the real release text (`../shared/corpus`) against the hand-read keys.

E-mails (tests/fixtures/real/email_headers_key.json): subject, sent (to the minute), sender,
recipients F1 and e-mail classification, on the top message of each document and over every
message; read from the text layer of our rendered PDFs (our PDF reading), and from 200-dpi scans
through OCR (`--scans N` documents; OCR takes ~1–3 s a page).

Run: `python bench/real.py [--scans 0|N|all] [--skip-entities]`; writes bench/results/real.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.real_emails import corpus_document, load_key, raw_pages, score  # noqa: E402
from unsealed.config import PageOptions  # noqa: E402
from unsealed.ingest.formats.pdf import PdfDocument  # noqa: E402
from unsealed.ingest.pages import read_page  # noqa: E402
from unsealed.sample.real import render  # noqa: E402

Pages = list[tuple[int, str]]
LAYER = PageOptions(ocr_mode="never", detect_redactions=False)
SCAN = PageOptions(ocr_mode="always", ocr_dpi=200, detect_redactions=False)


def pdf_pages(file: str, *, scanned: bool = False) -> Pages:
    """A corpus document rendered as the release ships it, read back through our PDF reading."""
    content = render(corpus_document(file), scanned=scanned, dpi=200)
    document = PdfDocument(Path(f"{Path(file).stem}.pdf"), content)
    try:
        count = document.page_count
        return [(i + 1, read_page(document, i, SCAN if scanned else LAYER).text) for i in range(count)]
    finally:
        document.close()


def email_figures(scans: int | None) -> dict[str, Any]:
    entries = load_key()
    out: dict[str, Any] = {}
    for name, get in (("raw_text", raw_pages), ("text_layer", lambda e: pdf_pages(e["file"]))):
        started = time.monotonic()
        out[name] = score(get, entries)
        out[name]["seconds"] = round(time.monotonic() - started, 1)
    if scans != 0:
        chosen = entries if scans is None else entries[:scans]
        started = time.monotonic()
        out["scan_200dpi"] = score(lambda e: pdf_pages(e["file"], scanned=True), chosen)
        out["scan_200dpi"]["seconds"] = round(time.monotonic() - started, 1)
        layer_same = score(lambda e: pdf_pages(e["file"]), chosen)
        out["text_layer_same_documents"] = {k: v for k, v in layer_same.items() if k != "misses"}
    return out


def _print_emails(figures: dict[str, Any]) -> None:
    for name, f in figures.items():
        top, every = f["top"], f["all_messages"]
        print(
            f"e-mails {name:28} docs {f['documents']:3}  class P {f['classification_precision']} "
            f"R {f['classification_recall']} | top: subject {top.get('subject')} sent {top.get('sent')} "
            f"sender {top.get('sender')} recipients F1 {top['recipients_f1']}"
            f" | all {every['messages']} msgs: "
            f"subject {every.get('subject')} sent {every.get('sent')} sender {every.get('sender')} "
            f"recipients F1 {every['recipients_f1']}"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scans", default="6", help="documents scanned and OCR'd: a number or 'all'")
    args = ap.parse_args()
    scans = None if args.scans == "all" else int(args.scans)
    result: dict[str, Any] = {
        "machine": f"{platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cpus",
        "load": os.getloadavg()[0],
    }
    result["emails"] = email_figures(scans)
    _print_emails(result["emails"])
    out = ROOT / "bench" / "results" / "real.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
