"""Ingest spine throughput on text-layer PDFs, next to raw PDFium text extraction of the same files.

    python bench/ingest.py [--pages 2000] [--pages-per-file 10] [--workers 2]

Both legs use the same worker count. Raw extraction opens each file with pypdfium2 and reads each
page's text, nothing else; the spine adds hashing, the blob copy, sniffing, Bates detection and the
database writes (post-ingest stages such as NER are not part of the spine and are left out).
Writes bench/results/ingest.json.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

import pypdfium2 as pdfium

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import write_result  # noqa: E402
from unsealed.config import Settings  # noqa: E402
from unsealed.ingest.pipeline import ingest  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--pages-per-file", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each leg; the best is reported")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="unsealed-bench-") as tmp:
        release = Path(tmp) / "release"
        release.mkdir()
        files = make_release(release, args.pages, args.pages_per_file)
        pages = len(files) * args.pages_per_file

        raw_times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            with Pool(args.workers) as pool:
                pool.map(extract_raw, files, chunksize=4)
            raw_times.append(time.perf_counter() - start)

        spine_times = []
        for run in range(args.repeat):
            settings = Settings(archive_dir=Path(tmp) / f"archive{run}", workers=args.workers)
            with Archive.open(settings.archive_dir) as archive:
                start = time.perf_counter()
                report = ingest(archive, [release], "bench", settings, stages=[])
                spine_times.append(time.perf_counter() - start)
            assert report.added == len(files) and not report.failures

    raw, spine = min(raw_times), min(spine_times)
    result = {
        "pages": pages,
        "files": len(files),
        "workers": args.workers,
        "raw_extraction": {"seconds": round(raw, 3), "pages_per_s": round(pages / raw, 1)},
        "spine": {"seconds": round(spine, 3), "pages_per_s": round(pages / spine, 1)},
        "spine_over_raw": round(spine / raw, 2),
        "goal": "spine <= 1.5x raw extraction",
        "all_runs_s": {"raw": [round(t, 3) for t in raw_times], "spine": [round(t, 3) for t in spine_times]},
    }
    path = write_result("ingest", result)
    print(
        f"{pages} pages, {args.workers} workers: raw {pages / raw:,.0f} pages/s, "
        f"spine {pages / spine:,.0f} pages/s, ratio {spine / raw:.2f}x (goal <= 1.5x) -> {path}"
    )


if __name__ == "__main__":
    main()
