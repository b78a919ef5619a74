"""Ingest spine throughput on text-layer PDFs, next to raw PDFium text extraction of the same files.

    python bench/ingest.py [--pages 2000] [--pages-per-file 10] [--workers 2] [--repeat 15]
    python bench/ingest.py --evidence [--pages 2000] [--repeat 9] [--result NAME]

All legs use the same worker count and alternate run by run. Raw extraction opens each file with
pypdfium2 and reads each page's text, nothing else, in two ways: through pypdfium2's helper classes
(`page.get_textpage().get_text_range()`, the documented way, the goal's yardstick) and through its
raw bindings to PDFium's C API, as the spine itself does (the helpers' bookkeeping costs ~15 %). The
spine adds reading the file once for hashing, sniffing and the stored copy, the page checks (text
quality, graphics, Bates numbers, language) and the database writes (post-ingest stages such as NER
are not part of the spine and are left out). Writes bench/results/ingest.json.

`--evidence` times ingest with load files and near-duplicates against ingest without them (issue
13's figure is at the default 2,000 pages, a run of ~0.6 s on 2 cores where the fixed costs of a run
weigh: `--pages 20000` measures a ten times larger release); it writes
bench/results/ingest_evidence.json, or `--result NAME` (NAME.json) so that a second size or a
helper's run does not replace the issue's figure.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing import Pool
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import write_result  # noqa: E402
from unsealed.config import Settings  # noqa: E402
from unsealed.ingest.formats.pdfium_page import text_of  # noqa: E402
from unsealed.pipeline.ingest import ingest  # noqa: E402
from unsealed.sample.layout import PageSpec, build_pdf, wrap  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402

WORDS = (
    "the of and to in a is that for it as was with be by on not he this are or his from at which but have "
    "an they you were her she there been one all we their has would when if so no will more about can up "
    "flight meeting foundation account schedule passenger records subpoena interview board payment invoice"
).split()


def make_release(folder: Path, pages: int, per_file: int, seed: int = 1) -> list[Path]:
    rng = random.Random(seed)
    files, bates = [], 1
    for _ in range(pages // per_file):
        specs = []
        for _ in range(per_file):
            words = rng.choices(WORDS, weights=[1 / (i + 1) for i in range(len(WORDS))], k=320)
            specs.append(PageSpec(wrap(" ".join(words), 90), f"BENCH{bates:08d}"))
            bates += 1
        path = folder / f"BENCH{bates - per_file:08d}.pdf"
        path.write_bytes(build_pdf(specs))
        files.append(path)
    return files


def write_load_files(folder: Path, files: list[Path], per_file: int) -> Path:
    """A Concordance DAT and OPT for the release (one OPT line per page, one DAT row per file), in
    a copy of the folder, so the two releases hold the same documents."""
    with_loads = folder.parent / "release-with-load-files"
    shutil.copytree(folder, with_loads)
    q, sep = "\u00fe", "\x14"
    dat = [sep.join(f"{q}{v}{q}" for v in ("BegBates", "EndBates", "Custodian", "DateSent"))]
    opt = []
    for path in files:
        first = int(path.stem[5:])
        last = first + per_file - 1
        dat.append(
            sep.join(f"{q}{v}{q}" for v in (f"BENCH{first:08d}", f"BENCH{last:08d}", "Bench", "2004-03-07"))
        )
        for i in range(per_file):
            flag = "Y" if i == 0 else ""
            opt.append(f"BENCH{first + i:08d},VOL001,{path.name},{flag},,,{per_file if i == 0 else ''}")
    (with_loads / "VOL001.DAT").write_bytes(b"\xef\xbb\xbf" + "\r\n".join(dat).encode() + b"\r\n")
    (with_loads / "VOL001.OPT").write_bytes("\r\n".join(opt).encode() + b"\r\n")
    return with_loads


def _cpu_seconds() -> float:
    """User + system CPU of this process and of its children that have ended (the worker pools)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def evidence_leg(tmp: Path, release: Path, files: list[Path], args: argparse.Namespace) -> dict[str, object]:
    """Ingest without load files or near-duplicate signatures, and with both plus the near-duplicate
    stage (signatures are computed in the workers; the stage compares, clusters and indexes bands).
    The legs alternate run by run; each run's wall time and CPU time (all processes) are kept."""
    from unsealed.pipeline import dedup_stage

    with_loads = write_load_files(release, files, args.pages_per_file)
    plain_times, evidence_times, stage_times, plain_cpu, evidence_cpu = [], [], [], [], []
    for run in range(args.repeat):
        settings = Settings(archive_dir=tmp / f"plain{run}", workers=args.workers, dedup=None)
        with Archive.open(settings.archive_dir) as archive:
            cpu, start = _cpu_seconds(), time.perf_counter()
            ingest(archive, [release], "bench", settings, stages=[])
            plain_times.append(time.perf_counter() - start)
            plain_cpu.append(_cpu_seconds() - cpu)
        settings = Settings(archive_dir=tmp / f"evidence{run}", workers=args.workers)
        with Archive.open(settings.archive_dir) as archive:
            cpu, start = _cpu_seconds(), time.perf_counter()
            report = ingest(archive, [with_loads], "bench", settings, stages=[])
            middle = time.perf_counter()
            dedup_stage.run_stage(archive, report.changed_ids)
            evidence_times.append(time.perf_counter() - start)
            evidence_cpu.append(_cpu_seconds() - cpu)
            stage_times.append(time.perf_counter() - middle)
        assert not report.failures, report.failures[:3]
    plain, evidence = min(plain_times), min(evidence_times)
    return {
        "without_s": round(plain, 3),
        "with_load_files_and_dedup_s": round(evidence, 3),
        "dedup_stage_s": round(min(stage_times), 3),
        "ratio": round(evidence / plain, 3),
        "median_ratio": round(statistics.median(evidence_times) / statistics.median(plain_times), 3),
        "paired_median_ratio": round(
            statistics.median(e / p for e, p in zip(evidence_times, plain_times, strict=True)), 3
        ),
        "cpu_without_s": round(min(plain_cpu), 3),
        "cpu_with_s": round(min(evidence_cpu), 3),
        "cpu_ratio": round(min(evidence_cpu) / min(plain_cpu), 3),
        "cpu_median_ratio": round(statistics.median(evidence_cpu) / statistics.median(plain_cpu), 3),
        "goal": "<= 1.15x",
        "all_runs_s": {
            "without": [round(t, 3) for t in plain_times],
            "with": [round(t, 3) for t in evidence_times],
            "cpu_without": [round(t, 3) for t in plain_cpu],
            "cpu_with": [round(t, 3) for t in evidence_cpu],
        },
    }


def extract_raw(path: Path) -> int:
    pdf = pdfium.PdfDocument(str(path))
    chars = 0
    for page in pdf:
        textpage = page.get_textpage()
        chars += len(textpage.get_text_range())
        textpage.close()
        page.close()
    pdf.close()
    return chars


def extract_raw_c_api(path: Path) -> int:
    pdf = pdfium.PdfDocument(str(path))
    chars = 0
    for index in range(len(pdf)):
        page = pdfium_c.FPDF_LoadPage(pdf.raw, index)
        textpage = pdfium_c.FPDFText_LoadPage(page)
        chars += len(text_of(textpage))
        pdfium_c.FPDFText_ClosePage(textpage)
        pdfium_c.FPDF_ClosePage(page)
    pdf.close()
    return chars


def _timed_pool(function: Callable[[Path], int], files: list[Path], workers: int) -> float:
    start = time.perf_counter()
    with Pool(workers) as pool:
        pool.map(function, files, chunksize=4)
    return time.perf_counter() - start


def _ratio(spine: list[float], raw: list[float]) -> dict[str, float]:
    """Best against best, median against median, and the median of each run's own ratio (the legs
    of a run are seconds apart, so this one is the least moved by a machine that drifts)."""
    return {
        "best": round(min(spine) / min(raw), 2),
        "median": round(statistics.median(spine) / statistics.median(raw), 2),
        "paired_median": round(statistics.median(s / r for s, r in zip(spine, raw, strict=True)), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--pages-per-file", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=15, help="runs of each leg; the best is reported")
    parser.add_argument(
        "--evidence",
        action="store_true",
        help="only: with load files + dedup vs without (ingest_evidence.json)",
    )
    parser.add_argument("--result", help="result file name (default: ingest or ingest_evidence)")
    args = parser.parse_args()
    if args.evidence:
        loads = [os.getloadavg()[0]]
        with tempfile.TemporaryDirectory(prefix="unsealed-bench-") as tmp:
            release = Path(tmp) / "release"
            release.mkdir()
            files = make_release(release, args.pages, args.pages_per_file)
            result = {"pages": len(files) * args.pages_per_file, "files": len(files), "workers": args.workers}
            result.update(evidence_leg(Path(tmp), release, files, args))
        result["load_before_after"] = [round(load, 2) for load in (*loads, os.getloadavg()[0])]
        print(write_result(args.result or "ingest_evidence", result).read_text())
        return

    with tempfile.TemporaryDirectory(prefix="unsealed-bench-") as tmp:
        release = Path(tmp) / "release"
        release.mkdir()
        files = make_release(release, args.pages, args.pages_per_file)
        pages = len(files) * args.pages_per_file

        # The legs alternate, so a machine that speeds up or slows down during the run (shared
        # virtual machines do) affects both alike.
        raw_times, c_api_times, spine_times = [], [], []
        for run in range(args.repeat):
            raw_times.append(_timed_pool(extract_raw, files, args.workers))
            c_api_times.append(_timed_pool(extract_raw_c_api, files, args.workers))

            settings = Settings(archive_dir=Path(tmp) / f"archive{run}", workers=args.workers, dedup=None)
            with Archive.open(settings.archive_dir) as archive:
                start = time.perf_counter()
                report = ingest(archive, [release], "bench", settings, stages=[])
                spine_times.append(time.perf_counter() - start)
            assert report.added == len(files) and not report.failures

    raw, c_api, spine = min(raw_times), min(c_api_times), min(spine_times)
    result = {
        "pages": pages,
        "files": len(files),
        "workers": args.workers,
        "raw_extraction": {"seconds": round(raw, 3), "pages_per_s": round(pages / raw, 1)},
        "raw_extraction_c_api": {"seconds": round(c_api, 3), "pages_per_s": round(pages / c_api, 1)},
        "spine": {"seconds": round(spine, 3), "pages_per_s": round(pages / spine, 1)},
        "spine_over_raw": round(spine / raw, 2),
        "spine_over_raw_c_api": round(spine / c_api, 2),
        "ratios": {"raw": _ratio(spine_times, raw_times), "raw_c_api": _ratio(spine_times, c_api_times)},
        "goal": "spine <= 1.5x raw extraction",
        "all_runs_s": {
            "raw": [round(t, 3) for t in raw_times],
            "raw_c_api": [round(t, 3) for t in c_api_times],
            "spine": [round(t, 3) for t in spine_times],
        },
    }
    path = write_result(args.result or "ingest", result)
    print(
        f"{pages} pages, {args.workers} workers, best of {args.repeat}: raw {pages / raw:,.0f} pages/s "
        f"(C API {pages / c_api:,.0f}), spine {pages / spine:,.0f} pages/s; spine/raw {spine / raw:.2f}x "
        f"(median {result['ratios']['raw']['median']:.2f}x, paired median "
        f"{result['ratios']['raw']['paired_median']:.2f}x; goal <= 1.5x), "
        f"spine/raw C API {spine / c_api:.2f}x -> {path}"
    )


if __name__ == "__main__":
    main()
