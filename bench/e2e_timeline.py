"""When each process of bench/e2e.py's ingest leg is busy: a timeline of CPU use, per process.

    python bench/e2e_timeline.py [--docs 100] [--workers 2] [--shape a|b] [--runs 2]

Builds the same shapes as bench/e2e.py, then runs the ingest leg `--runs` times (the first in a
fresh parent pays the preload, as a one-off `unsealed ingest` does; later ones reuse it, as e2e.py's
repeats do) while a sampler process reads /proc every 50 ms for the ingest process and its
children. Prints, per run, the stage boundaries (wall seconds from the start) and the seconds
spent with fewer than 1.5 cores busy, split by what the parent was doing then. Writes
bench/results/e2e_timeline_<shape>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import write_result  # noqa: E402
from bench.e2e import write_shapes  # noqa: E402
from unsealed.config import PageOptions, Settings  # noqa: E402
from unsealed.model import FileDone  # noqa: E402
from unsealed.pipeline.ingest import SilentObserver, ingest  # noqa: E402
from unsealed.sample.real import load_corpus  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402
from unsealed.store.writer import WriteOutcome  # noqa: E402

SAMPLER = r"""
import os, sys, time
root, out, step = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
tick = os.sysconf("SC_CLK_TCK")
def tree():
    pids = [root]
    for pid in pids:
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    pids.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return pids
with open(out, "w") as f:
    while os.path.exists(f"/proc/{root}"):
        now = time.time()
        parts = []
        for pid in tree():
            try:
                with open(f"/proc/{pid}/stat") as s:
                    fields = s.read().rsplit(")", 1)[1].split()
                parts.append(f"{pid}:{(int(fields[11]) + int(fields[12])) / tick}")
            except OSError:
                pass
        f.write(f"{now} {' '.join(parts)}\n")
        f.flush()
        time.sleep(step)
"""


class Marks(SilentObserver):
    """Wall time of each stage boundary and of the first and last file written."""

    def __init__(self) -> None:
        self.marks: list[tuple[float, str]] = []
        self.files = 0
        self.dataset = ""

    def ingest(self, dataset: str) -> None:
        self.marks.append((time.time(), f"ingest {dataset}"))
        self.dataset, self.files = dataset, 0

    def files_found(self, count: int) -> None:
        self.marks.append((time.time(), f"{self.dataset}: files found"))

    def file_done(self, done: FileDone, outcome: WriteOutcome) -> None:
        self.files += 1
        if self.files == 1:
            self.marks.append((time.time(), f"{self.dataset}: first file written"))

    def stage_started(self, stage: str, documents: int) -> None:
        self.marks.append((time.time(), f"{self.dataset}: start {stage} ({documents})"))

    def stage_done(self, stage: str) -> None:
        self.marks.append((time.time(), f"{self.dataset}: done {stage}"))


def analyse(
    samples: list[tuple[float, dict[int, float]]],
    marks: list[tuple[float, str]],
    start: float,
    end: float,
    parent: int,
) -> dict[str, Any]:
    """Seconds with < 1.5 cores busy, by the phase (last mark) they fall in; busy cores per phase."""
    phases: dict[str, dict[str, float]] = {}
    for (t0, a), (t1, b) in zip(samples, samples[1:], strict=False):
        if t1 <= start or t0 >= end:
            continue
        dt = t1 - t0
        busy = sum(max(0.0, b[p] - a.get(p, b[p])) for p in b) / dt
        parent_busy = (b.get(parent, 0) - a.get(parent, 0)) / dt
        phase = "before files found"
        for t, name in marks:
            if t <= t0:
                phase = name
        entry = phases.setdefault(
            phase, {"wall_s": 0.0, "cpu_s": 0.0, "parent_cpu_s": 0.0, "one_core_s": 0.0}
        )
        entry["wall_s"] += dt
        entry["cpu_s"] += busy * dt
        entry["parent_cpu_s"] += parent_busy * dt
        if busy < 1.5:
            entry["one_core_s"] += dt
    return {k: {n: round(v, 3) for n, v in e.items()} for k, e in phases.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shape", choices=["a", "b"], default="a")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    corpus = load_corpus()
    docs = corpus[:: max(1, len(corpus) // args.docs)][: args.docs]
    result: dict[str, Any] = {"shape": args.shape, "documents": len(docs), "runs": []}
    with tempfile.TemporaryDirectory(prefix="unsealed-timeline-") as tmp_name:
        tmp = Path(tmp_name)
        write_shapes(docs, tmp)
        folders = (
            [(tmp / "once", "once")] if args.shape == "a" else [(tmp / "one", "one"), (tmp / "two", "two")]
        )
        samples_file = tmp / "samples.txt"
        sampler = subprocess.Popen(
            [sys.executable, "-c", SAMPLER, str(os.getpid()), str(samples_file), "0.05"]
        )
        try:
            for _ in range(args.runs):
                archive_dir = tmp / "archive"
                shutil.rmtree(archive_dir, ignore_errors=True)
                settings = Settings(
                    archive_dir=archive_dir, workers=args.workers, pages=PageOptions(ocr_mode="never")
                )
                observer = Marks()
                with Archive.open(archive_dir) as archive:
                    time.sleep(0.3)
                    start = time.time()
                    for folder, dataset in folders:
                        observer.ingest(dataset)
                        ingest(archive, [folder], dataset, settings, observer)
                    end = time.time()
                time.sleep(0.2)
                samples = []
                for line in samples_file.read_text().splitlines():
                    t, *parts = line.split()
                    samples.append((float(t), {int(p.split(":")[0]): float(p.split(":")[1]) for p in parts}))
                phases = analyse(samples, observer.marks, start, end, os.getpid())
                entry = {
                    "wall_s": round(end - start, 3),
                    "marks": [(round(t - start, 3), name) for t, name in observer.marks],
                    "phases": phases,
                    "one_core_s": round(sum(p["one_core_s"] for p in phases.values()), 3),
                    "load": [round(x, 2) for x in os.getloadavg()],
                }
                result["runs"].append(entry)
                print(json.dumps(entry, indent=1), flush=True)
        finally:
            sampler.terminate()
            sampler.wait()
    print(f"wrote {write_result(f'e2e_timeline_{args.shape}', result)}")


if __name__ == "__main__":
    main()
