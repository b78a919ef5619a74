"""Where the wall time of bench/ingest.py's evidence leg goes beyond its CPU: a timeline per run.

    python bench/ingest_timeline.py [--pages 2000] [--repeat 5] [--step 0.005] [--result NAME]

Builds the release of `bench/ingest.py --evidence` and runs both legs, alternating, while a
sampler process (bench/e2e_timeline.py's) reads /proc for this process and its children every
`--step` seconds. The parent's phases are marked in place (the ingest's functions wrapped, nothing
changed): sources walked, load plan, pool started, first and last result, the pool closed, the
writer's last flush and commit, the near-duplicate stage. Per phase: wall, the parent's CPU
(`time.process_time`, exact) and all processes' CPU (the sampler, in clock ticks), and the seconds
with fewer than 1.5 cores busy. Writes bench/results/ingest_timeline.json (or NAME.json).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import write_result  # noqa: E402
from bench.e2e_timeline import SAMPLER  # noqa: E402
from bench.ingest import make_release, write_load_files  # noqa: E402
from unsealed.config import Settings  # noqa: E402
from unsealed.pipeline import dedup_stage, executor, process_pool  # noqa: E402
from unsealed.pipeline import ingest as ingest_module  # noqa: E402
from unsealed.store import writer as writer_module  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402

MARKS: list[tuple[float, float, str]] = []  # (wall, parent CPU, name)


def mark(name: str) -> None:
    MARKS.append((time.time(), time.process_time(), name))


def _after(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        out = function(*args, **kwargs)
        mark(name)
        return out

    return wrapped


def instrument() -> None:
    walk = ingest_module.walk_sources
    ingest_module.walk_sources = lambda *a, **k: _after(lambda: list(walk(*a, **k)), "walked")()  # type: ignore[assignment]
    ingest_module.plan_load_files = _after(ingest_module.plan_load_files, "load plan")  # type: ignore[assignment]
    pool_init, pool_close = process_pool.WorkerPool.__init__, process_pool.WorkerPool.close
    process_pool.WorkerPool.__init__ = _after(pool_init, "pool started")  # type: ignore[method-assign]

    def close(self: Any) -> None:
        mark("last result, pool closing")
        pool_close(self)
        mark("pool closed")

    process_pool.WorkerPool.close = close  # type: ignore[method-assign]
    run_tasks = executor.run_tasks

    def tasks(*args: Any) -> Iterator[Any]:
        first = True
        for result in run_tasks(*args):
            if first:
                mark("first result")
                first = False
            yield result

    executor.run_tasks = tasks  # type: ignore[assignment]
    write_results = executor.write_results

    def write(*args: Any) -> Iterator[Any]:
        yield from write_results(*args)
        mark("last flush and commit")

    executor.write_results = write  # type: ignore[assignment]
    assert writer_module  # the writer's flushes are inside write_results


def read_samples(path: Path) -> list[tuple[float, dict[int, float]]]:
    samples = []
    for line in path.read_text().splitlines():
        t, *parts = line.split()
        samples.append((float(t), {int(p.split(":")[0]): float(p.split(":")[1]) for p in parts}))
    return samples


def phases(
    samples: list[tuple[float, dict[int, float]]], marks: list[tuple[float, float, str]], parent: int
) -> list[dict[str, Any]]:
    out = []
    for (t0, c0, _), (t1, c1, name) in zip(marks, marks[1:], strict=False):
        cpu, low = 0.0, 0.0
        for (s0, a), (s1, b) in zip(samples, samples[1:], strict=False):
            overlap = min(s1, t1) - max(s0, t0)
            if overlap <= 0:
                continue
            busy = sum(max(0.0, b[p] - a.get(p, 0.0 if p != parent else b[p])) for p in b) / (s1 - s0)
            cpu += busy * overlap
            if busy < 1.5:
                low += overlap
        out.append(
            {
                "phase": name,
                "wall_s": round(t1 - t0, 4),
                "parent_cpu_s": round(c1 - c0, 4),
                "all_cpu_s": round(cpu, 3),
                "under_1_5_cores_s": round(low, 3),
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--pages-per-file", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--step", type=float, default=0.005)
    parser.add_argument("--result", default="ingest_timeline", help="result file name")
    args = parser.parse_args()
    instrument()
    runs: dict[str, list[list[dict[str, Any]]]] = {"without": [], "with": []}
    with tempfile.TemporaryDirectory(prefix="unsealed-bench-") as tmp_name:
        tmp = Path(tmp_name)
        release = tmp / "release"
        release.mkdir()
        files = make_release(release, args.pages, args.pages_per_file)
        with_loads = write_load_files(release, files, args.pages_per_file)
        samples_file = tmp / "samples.txt"
        sampler = subprocess.Popen(
            [sys.executable, "-c", SAMPLER, str(os.getpid()), str(samples_file), str(args.step)]
        )
        try:
            for run in range(args.repeat):
                for leg in ("without", "with"):
                    dedup = {} if leg == "with" else {"dedup": None}
                    settings = Settings(archive_dir=tmp / f"{leg}{run}", workers=args.workers, **dedup)  # type: ignore[arg-type]
                    with Archive.open(settings.archive_dir) as archive:
                        time.sleep(0.1)
                        MARKS.clear()
                        mark("start")
                        source = with_loads if leg == "with" else release
                        report = ingest_module.ingest(archive, [source], "bench", settings, stages=[])
                        mark("ingest returned")
                        if leg == "with":
                            dedup_stage.run_stage(archive, report.changed_ids)
                            mark("near-duplicate stage")
                        marks = list(MARKS)
                    time.sleep(0.05)
                    runs[leg].append(phases(read_samples(samples_file), marks, os.getpid()))
        finally:
            sampler.terminate()
            sampler.wait()
    summary: dict[str, Any] = {"pages": args.pages, "repeat": args.repeat, "load": os.getloadavg()}
    for leg, leg_runs in runs.items():
        names = [p["phase"] for p in leg_runs[0]]
        summary[leg] = {
            name: {
                key: round(statistics.median(r[i][key] for r in leg_runs), 4)
                for key in ("wall_s", "parent_cpu_s", "all_cpu_s", "under_1_5_cores_s")
            }
            for i, name in enumerate(names)
        }
        summary[leg]["total_wall_s"] = round(
            statistics.median(sum(p["wall_s"] for p in r) for r in leg_runs), 3
        )
    summary["runs"] = runs
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=1))
    print(f"wrote {write_result(args.result, summary)}")


if __name__ == "__main__":
    main()
