"""Figures on the real release text (`../shared/corpus`) against the hand-read keys.

E-mails (tests/fixtures/real/email_headers_key.json): subject, sent (to the minute), sender,
recipients F1 and e-mail classification, on the top message of each document and over every
message; read from the text layer of our rendered PDFs (our PDF reading), and from 200-dpi scans
of every page through OCR (`--scans N|all` documents; OCR takes ~1–3 CPU-s a page, run `--jobs`
processes at once and cached in bench/work/ocr_cache, so a second run costs seconds).

Bates (every rendered corpus document, and `--bates-scans N|all|cached` of them scanned): the page
number we assign equals the canonical form of the stamp printed on the page; control numbers never
taken.

Entities (tests/fixtures/real/entities_key.json and the seed): see bench/real_entities.py.

Run: `python bench/real.py [--scans 0|N|all] [--bates-scans 0|N|all|cached] [--jobs N]
[--skip-entities]`; writes bench/results/real.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.real_emails import archive_senders, corpus_document, load_key, raw_pages, score  # noqa: E402
from unsealed.analysis.bates import assign_bates  # noqa: E402
from unsealed.config import PageOptions  # noqa: E402
from unsealed.domain import parse_bates  # noqa: E402
from unsealed.ingest.formats.pdf import PdfDocument  # noqa: E402
from unsealed.ingest.pages import read_page  # noqa: E402
from unsealed.model import ExtractedPage  # noqa: E402
from unsealed.sample.real import RealDocument, load_corpus, render  # noqa: E402

Pages = list[tuple[int, str]]
Read = list[tuple[int, str, str]]
LAYER = PageOptions(ocr_mode="never", detect_redactions=False)
SCAN = PageOptions(ocr_mode="always", ocr_dpi=200, detect_redactions=False)
OCR_CACHE = ROOT / "bench" / "work" / "ocr_cache"  # scans' OCR text, kept between runs (git-ignored)


def read_rendered(document: RealDocument, *, scanned: bool = False) -> list[ExtractedPage]:
    """A corpus document rendered as the release ships it, read back through our PDF reading."""
    pdf = PdfDocument(Path(f"{document.id}.pdf"), render(document, scanned=scanned, dpi=200))
    try:
        return [read_page(pdf, i, SCAN if scanned else LAYER) for i in range(pdf.page_count)]
    finally:
        pdf.close()


def read_pages(document: RealDocument, *, scanned: bool = False) -> Read:
    """(number, text, bottom text) of every page; a scan's OCR is kept in OCR_CACHE so that
    scoring again costs nothing (delete the folder after changing the OCR or the renderer)."""
    cached = OCR_CACHE / f"{document.id}.json" if scanned else None
    if cached and cached.exists():
        rows = json.loads(cached.read_text(encoding="utf-8"))
        if rows and len(rows[0]) == 3:
            return [(n, t, b) for n, t, b in rows]
    pages = [(p.number, p.text, p.bottom_text) for p in read_rendered(document, scanned=scanned)]
    if cached:
        cached.parent.mkdir(parents=True, exist_ok=True)
        part = cached.with_suffix(f".{os.getpid()}.part")  # renamed whole: a reader never sees half
        part.write_text(json.dumps(pages), encoding="utf-8")
        part.replace(cached)
    return pages


def pdf_pages(file: str, *, scanned: bool = False) -> Pages:
    """Page texts of a rendered corpus document, every page (scans OCR'd once, then cached)."""
    return [(n, t) for n, t, _ in read_pages(corpus_document(file), scanned=scanned)]


def _ocr_one(document: RealDocument) -> float:
    started = time.process_time()
    read_pages(document, scanned=True)
    return time.process_time() - started


def prefill_scans(documents: list[RealDocument], jobs: int) -> dict[str, Any]:
    """OCR every page of the documents' 200-dpi scans not cached yet, `jobs` processes at once;
    the wall and CPU seconds it took (0 when all were cached)."""
    todo = [d for d in documents if not (OCR_CACHE / f"{d.id}.json").exists()]
    started = time.monotonic()
    cpu = 0.0
    if todo:
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one tesseract thread a process
        with multiprocessing.get_context("fork").Pool(max(1, jobs)) as pool:
            cpu = sum(pool.imap_unordered(_ocr_one, todo))
    return {
        "documents_ocrd": len(todo),
        "pages_ocrd": sum(len(d.pages) for d in todo),
        "wall_seconds": round(time.monotonic() - started, 1),
        "cpu_seconds": round(cpu, 1),
        "jobs": jobs,
    }


def bates_figures(documents: list[RealDocument], *, scanned: bool) -> dict[str, Any]:
    """Pages whose number we assign equals the canonical form of the stamp printed on them."""
    right = printed = control_taken = 0
    wrong: list[str] = []
    for document in documents:
        pages = read_pages(document, scanned=scanned)
        assigned = assign_bates(f"{document.id}.pdf", [(text, bottom) for _, text, bottom in pages])
        for (number, _, _), got, stamp in zip(pages, assigned, document.stamps, strict=True):
            want = parse_bates(stamp or "")
            if not want:
                continue
            printed += 1
            if got.value == str(want[0]):
                right += 1
            elif len(wrong) < 20:
                wrong.append(f"{document.id} p{number}: {got.value} ({got.source}) != {want[0]}")
            control_taken += bool(got.value and parse_bates(got.value)[0].is_control)
    return {
        "documents": len(documents),
        "pages_with_a_printed_number": printed,
        "exact": round(right / printed, 4) if printed else None,
        "control_numbers_taken_as_bates": control_taken,
        "wrong": wrong,
    }


def email_figures(scans: int | None, jobs: int) -> dict[str, Any]:
    entries = load_key()
    known = archive_senders()
    out: dict[str, Any] = {}
    for name, get in (("raw_text", raw_pages), ("text_layer", lambda e: pdf_pages(e["file"]))):
        started = time.monotonic()
        out[name] = score(get, entries, known=known)
        out[name]["seconds"] = round(time.monotonic() - started, 1)
    if scans != 0:
        # Scans: every page of each document, OCR'd once (`jobs` processes) and cached.
        chosen = entries if scans is None else entries[:scans]
        ocr = prefill_scans([corpus_document(e["file"]) for e in chosen], jobs)
        started = time.monotonic()
        out["scan_200dpi"] = score(lambda e: pdf_pages(e["file"], scanned=True), chosen, known=known)
        out["scan_200dpi"]["seconds"] = round(time.monotonic() - started, 1)
        out["scan_200dpi"]["ocr"] = ocr
        if scans is not None:
            out["text_layer_same_documents"] = score(lambda e: pdf_pages(e["file"]), chosen, known=known)
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


def _spread(corpus: list[RealDocument], n: int) -> list[RealDocument]:
    """`n` documents from both sources, multi-page ones first (where the numbering can go wrong)."""
    ranked = sorted(corpus, key=lambda d: (abs(len(d.pages) - 3), d.id))  # 3 pages: short, yet numbered
    efta = [d for d in ranked if d.id.startswith("EFTA")][: (n + 1) // 2]
    house = [d for d in ranked if not d.id.startswith("EFTA") and any(d.stamps)][: n // 2]
    return efta + house


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scans", default="all", help="key documents scanned and OCR'd (every page): N or all")
    ap.add_argument(
        "--bates-scans",
        default="6",
        help="corpus documents scanned for the Bates figure: N, all, or cached (those whose OCR is cached)",
    )
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="OCR processes at once")
    ap.add_argument("--skip-entities", action="store_true")
    args = ap.parse_args()
    scans = None if args.scans == "all" else int(args.scans)
    result: dict[str, Any] = {
        "machine": f"{platform.node()} {platform.processor() or platform.machine()}, {os.cpu_count()} cpus",
        "load": os.getloadavg()[0],
    }
    result["emails"] = email_figures(scans, args.jobs)
    _print_emails(result["emails"])
    corpus = load_corpus()
    started = time.monotonic()
    result["bates"] = {"text_layer": bates_figures(corpus, scanned=False)}
    result["bates"]["text_layer"]["seconds"] = round(time.monotonic() - started, 1)
    if args.bates_scans != "0":
        if args.bates_scans in ("all", "cached"):
            chosen = [d for d in corpus if args.bates_scans == "all" or (OCR_CACHE / f"{d.id}.json").exists()]
        else:
            chosen = _spread(corpus, int(args.bates_scans))
        ocr = prefill_scans(chosen, args.jobs)
        started = time.monotonic()
        result["bates"]["scan_200dpi"] = bates_figures(chosen, scanned=True)
        result["bates"]["scan_200dpi"]["seconds"] = round(time.monotonic() - started, 1)
        result["bates"]["scan_200dpi"]["ocr"] = ocr
    for name, f in result["bates"].items():
        print(
            f"bates   {name:28} docs {f['documents']:3}  "
            f"pages with a stamp {f['pages_with_a_printed_number']}"
            f"  exact {f['exact']}  control numbers taken {f['control_numbers_taken_as_bates']}"
        )
        for line in f["wrong"][:5]:
            print("        ", line)
    if not args.skip_entities:
        from bench.real_entities import key_figures, seed_figures

        result["entities"] = {"key": key_figures(), "seed": seed_figures()}
        key, seed = result["entities"]["key"], result["entities"]["seed"]
        for kind in ("PERSON", "ORG", "LOCATION", "all"):
            print(f"entities key {kind:8} precision {key[kind]['precision']} recall {key[kind]['recall']}")
        print(f"entities seed          precision {seed['precision']} recall {seed['recall']}")
    out = ROOT / "bench" / "results" / "real.json"
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
