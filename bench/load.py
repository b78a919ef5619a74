"""Load while ingesting: requests/s and p50/p95/p99 of search, document and page-image requests at
8 and 16 clients over loopback, while an `unsealed ingest` writes to the same archive.

    python bench/load.py [--documents 60] [--seconds 8]

Real corpus documents (../shared/corpus) are rendered to text-layer PDFs by the project's own
generator; the first half is ingested before the load; the second half is ingested again and
again (a new data set each time) for as long as the load runs, so every phase meets a writer.
`unsealed serve` answers on 127.0.0.1 only; every phase is bounded by --seconds.
Writes bench/results/load.json (figures, errors, machine, load average).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import write_result  # noqa: E402
from bench.web import serve  # noqa: E402
from unsealed.sample.real import load_corpus, write_corpus  # noqa: E402

QUERIES = ["flight", "epstein", "meeting", "house oversight", "court OR judge", '"new york"', "email -re"]
CLIENTS = (8, 16)


def _ingest(archive: Path, folder: Path, dataset: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "UNSEALED_ARCHIVE": str(archive), "UNSEALED_OCR": "never"}
    cmd = [sys.executable, "-m", "unsealed", "ingest", str(folder), "--dataset", dataset]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _paths(url: str, kind: str, rng: random.Random, ids: list[str]) -> str:
    if kind == "search":
        return f"/api/v1/search?q={rng.choice(QUERIES)}"
    doc = rng.choice(ids)
    if kind == "document":
        return f"/api/v1/documents/{doc}"
    return f"/documents/{doc}/pages/1.png?width={rng.choice((300, 600, 900))}"


def _phase(url: str, kind: str, clients: int, seconds: float, ids: list[str]) -> dict[str, Any]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=url, timeout=30) as http:
            while time.monotonic() < stop:
                path = _paths(url, kind, rng, ids)
                started = time.perf_counter()
                status = http.get(path).status_code
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    latencies.append(elapsed)
                    errors[0] += status >= 500

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - began
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "kind": kind,
        "clients": clients,
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / took, 1),
        "p50_ms": round(q[49], 1),
        "p95_ms": round(q[94], 1),
        "p99_ms": round(q[98], 1),
        "server_errors": errors[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    corpus = load_corpus()[: args.documents]
    with tempfile.TemporaryDirectory(prefix="unsealed-load-") as tmp:
        work = Path(tmp)
        half = len(corpus) // 2
        write_corpus(corpus[:half], work / "first")
        write_corpus(corpus[half:], work / "second")
        archive = work / "archive"
        if _ingest(archive, work / "first", "first").wait() != 0:
            raise SystemExit("the first ingest failed")
        proc, url = serve(archive)
        try:
            ids = [d["document_id"] for d in httpx.get(url + "/api/v1/search?q=the&limit=100").json()["hits"]]
            ids = sorted(set(ids)) or ["missing"]
            httpx.get(f"{url}/documents/{ids[0]}/pages/1.png", timeout=120)  # starts the render processes
            stop, ingests = threading.Event(), [0]

            def keep_ingesting() -> None:  # a writer for the whole measurement: one ingest after another
                while not stop.is_set():
                    ingests[0] += 1
                    _ingest(archive, work / "second", f"live{ingests[0]}").wait()

            writer = threading.Thread(target=keep_ingesting)
            writer.start()
            rows = []
            for clients in CLIENTS:
                for kind in ("search", "document", "page-image"):
                    rows.append(_phase(url, kind, clients, args.seconds, ids))
                    print(rows[-1], flush=True)
            stop.set()
            writer.join()
        finally:
            proc.terminate()
            proc.wait()
    write_result(
        "load",
        {
            "documents": len(corpus),
            "seconds_per_phase": args.seconds,
            "ingests_during_load": ingests[0],
            "load_average": os.getloadavg(),
            "phases": rows,
        },
    )


if __name__ == "__main__":
    main()
