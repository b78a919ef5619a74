"""Two trees' servers on the same archive, both up at once, loads alternating: an A/B of the web
pages that a busy shared machine disturbs less than runs minutes apart.

    python bench/web_ab.py --base DIR [--rounds 6] [--kinds document,search,entity_top]
                           [--work DIR] [--documents 100000] [--result web_ab]

DIR is a checkout of the other tree (e.g. `git archive main | tar -x -C DIR`). Each tree's server
(`unsealed serve`, 2 processes by default) starts from its own folder, so each imports its own
`unsealed`; both serve bench/web.py's generated archive (--work, as cached by bench/web.py). Each
round sends every page kind's 200 requests (4 clients) to one server, then to the other, the order
swapped every round. Per tree and kind: the median over rounds of p50 and p95, the server CPU per
request, the spread of the connections over the server processes. Writes bench/results/web_ab.json.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import bench.web as web  # noqa: E402
from bench.common import write_result  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402


def start(tree: Path, archive: Archive, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    """bench/web.py's server, run from `tree` (its folder first on the path, so its `unsealed`)."""
    popen = subprocess.Popen
    web.ROOT = tree
    web.subprocess.Popen = lambda *a, **k: popen(*a, cwd=tree, **k)  # type: ignore[assignment,misc]
    try:
        return web.serve(archive.root, workers)
    finally:
        web.subprocess.Popen = popen  # type: ignore[misc]
        web.ROOT = ROOT


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--base", type=Path, required=True, help="the other tree")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--kinds", default="document,search,entity_top")
    parser.add_argument("--work", type=Path, default=web.WORK)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--result", default="web_ab")
    args = parser.parse_args()
    archive = web.generated_archive(args.work / f"web-real-{args.documents}", args.documents)
    work = web.workload(archive, 200, random.Random(11))
    kinds = args.kinds.split(",")
    trees = {"this": ROOT, "base": args.base.resolve()}
    servers = {name: start(tree, archive, args.server_workers) for name, tree in trees.items()}
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {name: {k: [] for k in kinds} for name in trees}
    load_before = [round(x, 2) for x in os.getloadavg()]
    try:
        for r in range(args.rounds):
            for name in list(trees) if r % 2 == 0 else list(reversed(trees)):
                proc, url = servers[name]
                pids = web.server_pids(proc.pid)
                for kind in kinds:
                    cpu = web.cpu_seconds(pids)
                    out = web.load(url, work[kind], 4, pids)
                    out.pop("latencies_ms")
                    out["server_cpu_ms_per_request"] = round(
                        (web.cpu_seconds(pids) - cpu) * 1000 / (len(work[kind]) + 4), 1
                    )
                    out["load"] = round(os.getloadavg()[0], 2)
                    runs[name][kind].append(out)
                    print(f"round {r} {name:>4} {kind:>10}: p50 {out['p50_ms']} p95 {out['p95_ms']} "
                          f"cpu {out['server_cpu_ms_per_request']} spread {out['connections_per_process']} "
                          f"load {out['load']}", file=sys.stderr)  # fmt: skip
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            proc.wait(timeout=20)
    summary = {
        name: {
            kind: {
                "p50_ms_median": statistics.median(x["p50_ms"] for x in done),
                "p95_ms_median": statistics.median(x["p95_ms"] for x in done),
                "p95_ms_each": [x["p95_ms"] for x in done],
                "server_cpu_ms_per_request_mean": round(
                    statistics.mean(x["server_cpu_ms_per_request"] for x in done), 1
                ),
                "spreads": [x["connections_per_process"] for x in done],
            }
            for kind, done in by_kind.items()
        }
        for name, by_kind in runs.items()
    }
    for name, by_kind in summary.items():
        for kind, s in by_kind.items():
            print(f"{kind:>10} {name:>4}: p95 median {s['p95_ms_median']} {s['p95_ms_each']}, "
                  f"p50 median {s['p50_ms_median']}, CPU {s['server_cpu_ms_per_request_mean']} ms, "
                  f"spreads {s['spreads']}", file=sys.stderr)  # fmt: skip
    result = {
        "base_tree": str(args.base),
        "rounds": args.rounds,
        "server_workers": args.server_workers,
        "load_before": load_before,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "summary": summary,
        "runs": runs,
    }
    print(write_result(args.result, result))


if __name__ == "__main__":
    main()
