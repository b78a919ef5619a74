"""OCR benchmark: raw Tesseract vs our page pipeline vs the OCRmyPDF route, on a generated scan.

    python bench/ocr.py                      # 20 noisy pages (+ 20 clean for CER), ~7 min on 2 cores
    python bench/ocr.py --rss-pages 500      # also: peak RSS while reading a 500-page scanned PDF
    python bench/ocr.py --word-boxes         # only: what storing the OCR word boxes costs a page

Legs, on the same 300-dpi page images:
1. raw  - `tesseract IMAGE stdout` with OMP_THREAD_LIMIT=1, two processes at a time (one per core);
2. ours - unsealed's read_page with the Tesseract engine (render once, OCR, quality, redactions),
          two worker processes each reading half the pages from the PDF;
3. ocrmypdf - `ocrmypdf --skip-text -j 2` then `pdftotext` (skipped, with a message, if missing;
          install with `pip install -e .[bench]`).
Three rounds alternate the legs (ocrmypdf in two) and the best round of each counts, since other work
on shared cores disturbs single runs. CER = Levenshtein distance / reference length, whitespace
collapsed. Writes bench/results/ocr.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2 as pdfium
from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import write_result  # noqa: E402
from bench.scanned import DPI, ScannedDocument, make_scanned_document  # noqa: E402

ROOT = Path(__file__).resolve().parent
RESULTS_FILE = ROOT / "results" / "ocr.json"
WORK = ROOT / "work" / "ocr"


def normalise(text: str) -> str:
    return " ".join(text.split())


def cer(references: list[str], hypotheses: list[str]) -> float:
    refs = [normalise(t) for t in references]
    hyps = [normalise(t) for t in hypotheses]
    errors = sum(Levenshtein.distance(r, h) for r, h in zip(refs, hyps, strict=True))
    return errors / max(1, sum(len(r) for r in refs))


def load() -> str:
    """`uptime`'s line: other engineers share these cores, so timings come with the load."""
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def render_pages(pdf: Path, folder: Path) -> list[Path]:
    """The PDF's pages as the 300-dpi grayscale images our pipeline hands to the engine."""
    folder.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument(str(pdf))
    paths = []
    for index in range(len(document)):
        path = folder / f"page-{index + 1:03d}.png"
        document[index].render(scale=DPI / 72, grayscale=True).to_pil().save(path, compress_level=1)
        paths.append(path)
    document.close()
    return paths


def raw_tesseract(images: list[Path], processes: int) -> tuple[float, list[str]]:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(path: Path) -> str:
        done = subprocess.run(["tesseract", str(path), "stdout"], capture_output=True, env=env, check=True)
        return done.stdout.decode()

    started = time.perf_counter()
    with ThreadPoolExecutor(processes) as pool:
        texts = list(pool.map(one, images))
    return time.perf_counter() - started, texts


def _read_range(pdf: str, start: int, stop: int, engine: str) -> list[tuple[str, str, float | None]]:
    from unsealed.ingest.formats.pdf import PdfHandler
    from unsealed.ingest.pages import OcrBudget, PageOptions, read_page

    options = PageOptions(engine=engine, document_timeout_s=3600)
    budget = OcrBudget(options.document_timeout_s)
    document = PdfHandler().open(Path(pdf))
    try:
        pages = [read_page(document, i, options, budget) for i in range(start, stop)]
    finally:
        document.close()
    return [(p.text, p.text_source, p.ocr_confidence) for p in pages]


def ours(pdf: Path, pages: int, processes: int, engine: str = "tesseract") -> tuple[float, list[str], dict]:
    """Our page reader in `processes` worker processes, pages handed out one at a time (as the ingest
    pool hands out files), each worker opening the PDF from disk as an ingest worker does."""
    started = time.perf_counter()
    with ProcessPoolExecutor(processes) as pool:
        futures = [pool.submit(_read_range, str(pdf), i, i + 1, engine) for i in range(pages)]
        rows = [row for future in futures for row in future.result()]
    seconds = time.perf_counter() - started
    confidences = [c for _, _, c in rows if c is not None]
    info = {
        "text_sources": sorted({s for _, s, _ in rows}),
        "mean_confidence": round(sum(confidences) / len(confidences), 4) if confidences else None,
    }
    return seconds, [t for t, _, _ in rows], info


def ocrmypdf_route(pdf: Path, out: Path) -> tuple[float, list[str]] | str:
    binary = shutil.which("ocrmypdf") or str(Path(sys.executable).with_name("ocrmypdf"))
    if not Path(binary).exists():
        return "ocrmypdf is not installed: pip install -e '.[bench]' (leg skipped)"
    started = time.perf_counter()
    done = subprocess.run(
        [binary, "--skip-text", "-j", "2", "--quiet", str(pdf), str(out)],  # as a user would: PDF/A out
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        return f"ocrmypdf failed (exit {done.returncode}): {done.stderr.decode()[-400:]}"
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, check=True
    ).stdout.decode()
    seconds = time.perf_counter() - started
    return seconds, text.split("\f")[: len(pdfium.PdfDocument(str(out)))]


def leg(
    name: str, seconds: float, pages: int, references: list[str], texts: list[str], **extra: object
) -> dict:
    result = {
        "seconds": round(seconds, 2),
        "s_per_page": round(seconds / pages, 3),
        "cer": round(cer(references, texts), 5),
        **extra,
    }
    print(f"{name:>10}: {result['s_per_page']:.3f} s/page, CER {result['cer'] * 100:.2f} %", flush=True)
    return result


def _peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited from the forking parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def rss_child(pdf: Path, engine: str) -> None:
    """Runs in its own process: read every page, sampling RSS; prints JSON."""
    from unsealed.ingest.formats.pdf import PdfHandler
    from unsealed.ingest.pages import OcrBudget, PageOptions, read_page

    options = PageOptions(engine=engine, ocr_mode="always", document_timeout_s=10**6)
    budget = OcrBudget(options.document_timeout_s)
    document = PdfHandler().open(pdf)
    page_size = os.sysconf("SC_PAGE_SIZE")
    samples = {}
    started = time.perf_counter()
    for index in range(document.page_count):
        read_page(document, index, options, budget)
        rss = int(Path("/proc/self/statm").read_text().split()[1]) * page_size
        if index + 1 in (1, 10, 50, 100, 200, 300, 400, 500) or index + 1 == document.page_count:
            samples[index + 1] = round(rss / 2**20, 1)
    document.close()
    print(
        json.dumps(
            {
                "pages": document.page_count,
                "engine": engine,
                "seconds": round(time.perf_counter() - started, 1),
                "rss_mib_after_page": samples,
                "peak_rss_mib": _peak_rss_mib(),
                "peak_child_rss_mib": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
            }
        )
    )


def long_pdf(source: Path, pages: int, target: Path) -> Path:
    """`pages` pages copied from `source` again and again, each copy with its own image streams."""
    import pikepdf

    with pikepdf.new() as out:
        while len(out.pages) < pages:
            with pikepdf.open(source) as src:
                for page in src.pages[: pages - len(out.pages)]:
                    out.pages.append(page)
                out.save(target)
    return target


def measure_rss(clean: ScannedDocument, pages: int, engine: str) -> dict:
    """Read a long scanned PDF in a fresh process, sampling its RSS."""
    target = long_pdf(clean.pdf, pages, WORK / f"long-{pages}.pdf")
    print(f"reading {pages} pages in one process ({engine}) for RSS …", flush=True)
    child = subprocess.run(
        [sys.executable, __file__, "--rss-child", str(target), "--rss-engine", engine],
        capture_output=True,
        text=True,
        check=True,
    )
    target.unlink()
    rss = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"       rss: {rss}")
    return dict(rss, uptime=load())


def word_box_cost(images: list[Path], repeats: int) -> dict:
    """What keeping the OCR's word boxes costs a page, beside the OCR itself: placing each word in
    the text (in the engine's pass over the words) and encoding the blob (best of `repeats`), its
    size, and writing the pages rows with and without it to a SQLite archive (best of `repeats`)."""
    import tempfile

    from PIL import Image

    from unsealed.analysis import word_boxes
    from unsealed.ingest.ocr.tesseract import TesseractEngine, _place_words
    from unsealed.store.archive import Archive
    from unsealed.store.bulk import insert_many
    from unsealed.store.schema import documents, pages

    engine = TesseractEngine()
    ocr_s, results = [], []
    for path in images:
        started = time.perf_counter()
        results.append(engine.recognize(Image.open(path), dpi=DPI, timeout_s=120))
        ocr_s.append(time.perf_counter() - started)
    found = [[(r.text[a:b], box) for a, b, box in r.words] for r in results]
    scale = 72.0 / DPI

    def place_and_encode() -> list[bytes | None]:
        return [
            word_boxes.encode(
                (a, b, (x0 * scale, y0 * scale, x1 * scale, y1 * scale))
                for a, b, (x0, y0, x1, y1) in _place_words(r.text, words)
            )
            for r, words in zip(results, found, strict=True)
        ]

    encode_s = []
    for _ in range(repeats):
        started = time.perf_counter()
        blobs = place_and_encode()
        encode_s.append(time.perf_counter() - started)
    write_s: dict[str, list[float]] = {"without": [], "with": []}
    with tempfile.TemporaryDirectory() as tmp, Archive.open(Path(tmp)) as archive:
        for n in range(repeats):
            for kind in ("without", "with"):
                doc = f"{kind}-{n}"
                now = datetime.now(UTC)
                rows = [
                    {"document_id": doc, "number": i + 1, "text": r.text, "char_count": len(r.text),
                     "text_source": "ocr:tesseract", "width": 612.0, "height": 792.0,
                     "word_boxes": blobs[i] if kind == "with" else None}
                    for i, r in enumerate(results)
                ]  # fmt: skip
                with archive.engine.begin() as conn:
                    conn.execute(
                        documents.insert().values(
                            id=doc,
                            dataset="bench",
                            filename=doc,
                            storage_key=doc,
                            source_path=doc,
                            md5="0" * 32,
                            sha256=doc.ljust(64, "0"),
                            size_bytes=0,
                            mime_type="image/png",
                            page_count=len(rows),
                            status="ok",
                            pipeline_version="bench",
                            created_at=now,
                            updated_at=now,
                        )  # fmt: skip
                    )
                    started = time.perf_counter()
                    insert_many(conn, pages, rows)
                write_s[kind].append(time.perf_counter() - started)
    n_pages = len(images)
    words = sum(len(w) for w in found)
    sizes = [len(b or b"") for b in blobs]
    out = {
        "pages": n_pages,
        "words_per_page": round(words / n_pages, 1),
        "ocr_s_per_page": round(sum(ocr_s) / n_pages, 3),
        "place_and_encode_ms_per_page": round(min(encode_s) / n_pages * 1000, 3),
        "blob_bytes_per_page": round(sum(sizes) / n_pages),
        "text_bytes_per_page": round(sum(len(r.text.encode()) for r in results) / n_pages),
        "write_ms_per_page_without": round(min(write_s["without"]) / n_pages * 1000, 3),
        "write_ms_per_page_with": round(min(write_s["with"]) / n_pages * 1000, 3),
    }
    write_ms = out["write_ms_per_page_with"] - out["write_ms_per_page_without"]
    extra_ms = out["place_and_encode_ms_per_page"] + write_ms
    out["share_of_ocr"] = round(extra_ms / 1000 / out["ocr_s_per_page"], 5)
    print(f"word boxes: {out}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--skip-ocrmypdf", action="store_true")
    parser.add_argument("--repeats", type=int, default=3, help="rounds of raw and ours (ocrmypdf: 2 at most)")
    parser.add_argument("--rss-pages", type=int, default=0, help="also measure RSS over a PDF this long")
    parser.add_argument("--rss-engine", default="tesseract", choices=["tesseract", "null"])
    parser.add_argument(
        "--rss-only", action="store_true", help="only the RSS run (kept with earlier figures)"
    )
    parser.add_argument("--rss-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--word-boxes", action="store_true", help="only the cost of storing word boxes (other figures kept)"
    )
    args = parser.parse_args()
    if args.rss_child:
        rss_child(args.rss_child, args.rss_engine)
        return
    if args.word_boxes:
        noisy = make_scanned_document(WORK / "noisy", args.pages, noisy=True)
        previous = RESULTS_FILE.read_text() if RESULTS_FILE.exists() else "{}"
        result = {
            k: v for k, v in json.loads(previous).items() if k not in ("benchmark", "measured_at", "machine")
        }
        before = load()
        result["word_boxes"] = word_box_cost(render_pages(noisy.pdf, WORK / "noisy-rendered"), args.repeats)
        result["word_boxes"]["uptime"] = [before, load()]
        print(f"word boxes -> {write_result('ocr', result)}")
        return

    if args.rss_only:
        clean = make_scanned_document(WORK / "clean", args.pages, noisy=False, seed=8)
        previous = RESULTS_FILE.read_text() if RESULTS_FILE.exists() else "{}"
        result = {
            k: v for k, v in json.loads(previous).items() if k not in ("benchmark", "measured_at", "machine")
        }
        result["rss"] = measure_rss(clean, args.rss_pages or 500, args.rss_engine)
        print(f"rss -> {write_result('ocr', result)}")
        return

    result: dict = {
        "uptime_before": load(),
        "pages": args.pages,
        "dpi": DPI,
        "processes": args.processes,
    }
    tesseract = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.split("\n")[
        0
    ]
    result["tesseract"] = tesseract
    print(f"generating {args.pages} noisy and {args.pages} clean scanned pages …", flush=True)
    noisy: ScannedDocument = make_scanned_document(WORK / "noisy", args.pages, noisy=True)
    clean: ScannedDocument = make_scanned_document(WORK / "clean", args.pages, noisy=False, seed=8)
    images = render_pages(noisy.pdf, WORK / "noisy-rendered")

    # Rounds alternate the legs, so a burst of load from someone else hits all of them; best of N.
    runs: dict[str, list[tuple[float, list[str], dict]]] = {"raw": [], "ours": [], "ocrmypdf": []}
    skipped = "--skip-ocrmypdf" if args.skip_ocrmypdf else None
    for round_ in range(args.repeats):
        print(f"round {round_ + 1}/{args.repeats}", flush=True)
        seconds, texts = raw_tesseract(images, args.processes)
        runs["raw"].append((seconds, texts, {}))
        runs["ours"].append(ours(noisy.pdf, args.pages, args.processes))
        if skipped is None and round_ < 2:
            outcome = ocrmypdf_route(noisy.pdf, WORK / "ocrmypdf-out.pdf")
            if isinstance(outcome, str):
                print(f"  ocrmypdf: {outcome}")
                skipped = outcome
            else:
                runs["ocrmypdf"].append((*outcome, {}))
    for name, key in (("raw", "raw_tesseract"), ("ours", "ours"), ("ocrmypdf", "ocrmypdf")):
        if not runs[name]:
            result[key] = {"skipped": skipped}
            continue
        seconds, texts, info = min(runs[name], key=lambda run: run[0])
        all_runs = [round(run[0] / args.pages, 3) for run in runs[name]]
        result[key] = leg(name, seconds, args.pages, noisy.texts, texts, s_per_page_runs=all_runs, **info)
    seconds, texts, info = ours(clean.pdf, args.pages, args.processes)
    result["ours_clean"] = leg("ours/clean", seconds, args.pages, clean.texts, texts, **info)

    raw, mine = result["raw_tesseract"]["s_per_page"], result["ours"]["s_per_page"]
    result["ours_vs_raw"] = round(mine / raw, 3)
    if "s_per_page" in result["ocrmypdf"]:
        result["ocrmypdf_vs_ours"] = round(result["ocrmypdf"]["s_per_page"] / mine, 2)

    if args.rss_pages:
        result["rss"] = measure_rss(clean, args.rss_pages, args.rss_engine)
    elif RESULTS_FILE.exists() and "rss" in json.loads(RESULTS_FILE.read_text()):
        result["rss"] = json.loads(RESULTS_FILE.read_text())["rss"]  # from an earlier --rss-pages run
    result["uptime_after"] = load()
    path = write_result("ocr", result)
    print(f"ours/raw {result['ours_vs_raw']}×, ocrmypdf/ours {result.get('ocrmypdf_vs_ours')}× -> {path}")


if __name__ == "__main__":
    main()
