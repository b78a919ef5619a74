"""The whole default `unsealed ingest` on real corpus text, next to raw PDFium + spaCy on every page.

    python bench/e2e.py [--docs 150] [--workers 2] [--repeat 3]

Renders a subset of the real corpus (`unsealed.sample.real`, text layer) and times, in the same
run, legs alternating:

* raw: pypdfium2 text of every page, then spaCy's NER (`nlp.pipe`, the model and components the
  pipeline loads) over every page, in a process pool of `--workers` processes;
* ingest: `unsealed ingest` with everything it does by default (spine, e-mail headers, entity
  mentions, resolution, search index) into a fresh archive, with the same number of workers, its
  OCR mode `never` unless `--ocr auto` (the corpus is real OCR'd text, and in `auto` ingest
  re-OCRs the pages whose layer scores poorly: about one in eight here, work raw PDFium skips).

Two shapes: (a) each document once; (b) the release's shape: data set `one` holds the documents
plus replies that carry an earlier message of the subset quoted below their own text (e-mails
repeat across chains), and data set `two` holds copies of the first two thirds of `one`'s files,
so that 40 % of all files are copies of files in another data set; ingest runs `one`, then `two`.
For (b) the result gives the share of pages whose mentions were copied from an exact copy and the
share of paragraphs the content-hash cache skipped. Goals: (a) ≤ 1.1× raw, (b) ≤ 0.7× raw.
Writes bench/results/e2e.json (best and median of `--repeat` runs of each leg, wall and CPU).
bench/e2e_phases.py splits shape (a)'s CPU into phases for both legs.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import write_result  # noqa: E402
from unsealed.config import OCR_MODES, OcrMode, PageOptions, Settings  # noqa: E402
from unsealed.enrich import ner  # noqa: E402
from unsealed.pipeline.ingest import IngestReport, ingest  # noqa: E402
from unsealed.sample.real import RealDocument, load_corpus, write_corpus  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402

QUOTE = "-----Original Message-----"


def raw_page_texts(path: Path | str) -> list[str]:
    """PDFium's text of each page, as the raw leg reads it."""
    pdf = pdfium.PdfDocument(str(path))
    texts = []
    for page in pdf:
        textpage = page.get_textpage()
        texts.append(textpage.get_text_range())
        textpage.close()
        page.close()
    pdf.close()
    return texts


def _raw_file(path: Path) -> int:
    """PDFium's text of each page, then spaCy over every page; the number of entities."""
    texts = raw_page_texts(path)
    return sum(len(doc.ents) for doc in ner.load_nlp().pipe(texts, batch_size=ner.BATCH_SIZE))


def _load_model() -> None:
    ner.load_nlp()


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def raw(files: list[Path], workers: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of the raw leg."""
    start, cpu = time.perf_counter(), _cpu()
    with Pool(workers, initializer=_load_model) as pool:
        pool.map(_raw_file, files, chunksize=2)
    return time.perf_counter() - start, _cpu() - cpu


def run_ingest(
    folders: list[tuple[Path, str]], archive_dir: Path, workers: int, ocr: OcrMode
) -> tuple[float, float, list[IngestReport]]:
    """(wall seconds, CPU seconds, reports) of the ingest leg; the archive's schema is created
    before the clock starts (once per archive, not per page)."""
    shutil.rmtree(archive_dir, ignore_errors=True)
    settings = Settings(archive_dir=archive_dir, workers=workers, pages=PageOptions(ocr_mode=ocr))
    reports = []
    with Archive.open(archive_dir) as archive:
        start, cpu = time.perf_counter(), _cpu()
        for folder, dataset in folders:
            report = ingest(archive, [folder], dataset, settings)
            assert not report.failures, report.failures[:3]
            reports.append(report)
        return time.perf_counter() - start, _cpu() - cpu, reports


def chain_replies(docs: list[RealDocument]) -> list[RealDocument]:
    """For each e-mail after the first, a reply that quotes the previous e-mail below its own text."""
    emails = [doc for doc in docs if doc.looks_like_email]
    replies = []
    for earlier, later in zip(emails, emails[1:], strict=False):
        quoted = [f"{QUOTE}\n{earlier.pages[0]}", *earlier.pages[1:]]
        replies.append(
            replace(
                later,
                id=f"{later.id}_REPLY",
                pages=(*later.pages, *quoted),
                stamps=(*later.stamps, *([None] * len(quoted))),
            )
        )
    return replies


def write_shapes(docs: list[RealDocument], tmp: Path) -> tuple[list[Path], list[Path], list[Path]]:
    """The corpus as PDFs in the two shapes: `once` (each document once), and the release's shape:
    `one` (the documents and the replies that quote them) and `two` (copies of its first two
    thirds, so 40 % of all files are copies in another data set)."""
    once = write_corpus(docs, tmp / "once")
    (tmp / "one").mkdir()
    (tmp / "two").mkdir()
    for path in [*once, *write_corpus(chain_replies(docs), tmp / "replies")]:
        shutil.copy(path, tmp / "one" / path.name)
    one = sorted((tmp / "one").iterdir())
    for path in one[: len(one) * 2 // 3]:
        shutil.copy(path, tmp / "two" / path.name)
    return list(once), one, sorted((tmp / "two").iterdir())


def _summary(
    times: list[float], raw_times: list[float], cpu: list[float], raw_cpu: list[float], pages: int
) -> dict[str, Any]:
    return {
        # CPU seconds (all processes of the leg): what a busy shared machine moves least
        "ingest_cpu_median_s": round(statistics.median(cpu), 3),
        "raw_cpu_median_s": round(statistics.median(raw_cpu), 3),
        "cpu_ratio_median": round(statistics.median(cpu) / statistics.median(raw_cpu), 3),
        "cpu_ratio_best": round(min(cpu) / min(raw_cpu), 3),
        "ingest_best_s": round(min(times), 3),
        "ingest_median_s": round(statistics.median(times), 3),
        "raw_best_s": round(min(raw_times), 3),
        "raw_median_s": round(statistics.median(raw_times), 3),
        "ingest_pages_per_s": round(pages / min(times), 1),
        "raw_pages_per_s": round(pages / min(raw_times), 1),
        "ratio_best": round(min(times) / min(raw_times), 3),
        "ratio_median": round(statistics.median(times) / statistics.median(raw_times), 3),
        "ratio_paired_median": round(
            statistics.median(t / r for t, r in zip(times, raw_times, strict=True)), 3
        ),
        "all_runs_s": {"ingest": [round(t, 3) for t in times], "raw": [round(t, 3) for t in raw_times]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=150, help="documents of the corpus (an even spread)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each leg")
    parser.add_argument("--shape", choices=["a", "b", "both"], default="both")
    parser.add_argument(
        "--ocr",
        choices=OCR_MODES,
        default="never",
        help="ingest's OCR mode: never (default) reads the text layer as the raw leg does; auto also "
        "OCRs the pages whose layer scores poorly (real OCR'd text does), which raw PDFium does not",
    )
    args = parser.parse_args()

    corpus = load_corpus()
    step = max(1, len(corpus) // args.docs)
    docs = corpus[::step][: args.docs]
    result: dict[str, Any] = {
        "documents": len(docs),
        "workers": args.workers,
        "repeat": args.repeat,
        "ocr_mode": args.ocr,
    }
    with tempfile.TemporaryDirectory(prefix="unsealed-e2e-") as tmp_name:
        tmp = Path(tmp_name)
        once, one, two = write_shapes(docs, tmp)
        shapes = {
            "a": ([(tmp / "once", "once")], list(once)),
            "b": ([(tmp / "one", "one"), (tmp / "two", "two")], [*one, *two]),
        }
        for shape in ["a", "b"] if args.shape == "both" else [args.shape]:
            folders, files = shapes[shape]
            raw_times, times, raw_cpu, cpu = [], [], [], []
            reports: list[IngestReport] = []
            for _ in range(args.repeat):
                elapsed, used = raw(files, args.workers)
                raw_times.append(elapsed)
                raw_cpu.append(used)
                elapsed, used, reports = run_ingest(folders, tmp / "archive", args.workers, args.ocr)
                times.append(elapsed)
                cpu.append(used)
            pages = sum(r.pages for r in reports)
            summary = _summary(times, raw_times, cpu, raw_cpu, pages)
            entry = {
                "files": len(files),
                "pages": pages,
                "load_after": [round(x, 2) for x in os.getloadavg()],
                **summary,
            }
            paragraphs = sum(r.paragraphs for r in reports)
            reused = sum(r.reused_paragraphs for r in reports)
            copied = sum(r.copied_pages for r in reports)
            entry["copied_pages"] = copied
            entry["copied_page_share"] = round(copied / pages, 3) if pages else 0.0
            entry["paragraphs_analysed"] = paragraphs
            entry["paragraphs_from_cache"] = reused
            entry["paragraph_cache_share"] = round(reused / paragraphs, 3) if paragraphs else 0.0
            entry["goal"] = "<= 1.1x raw" if shape == "a" else "<= 0.7x raw"
            result[shape] = entry
            print(
                f"({shape}) {len(files)} files, {pages} pages: ingest {min(times):.2f} s best "
                f"(median {statistics.median(times):.2f}), raw {min(raw_times):.2f} s best "
                f"(median {statistics.median(raw_times):.2f}): {entry['ratio_best']}x best, "
                f"{entry['ratio_median']}x median; CPU {entry['cpu_ratio_best']}x best, "
                f"{entry['cpu_ratio_median']}x median; "
                f"pages copied {entry['copied_page_share']:.1%}, "
                f"paragraphs from cache {entry['paragraph_cache_share']:.1%}",
                flush=True,
            )
    path = write_result("e2e", result)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
