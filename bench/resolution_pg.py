"""Entity resolution's writes on PostgreSQL, A/B in one run: one INSERT/UPDATE per row (`rows`,
what main did) against COPY for batches over store/bulk.py's COPY_FROM (`copy`).

    python bench/resolution_pg.py [--docs 160] [--repeat 3]

Ingests `--docs` documents of the real corpus (text layer, mentions found by the workers) into a
fresh PostgreSQL database (the benchmark's own server, bench/services.py), then resolves the whole
archive from scratch `--repeat` times per variant, the variants taking turns: each time every link,
entity and summary is removed first, so each run writes everything (the first resolution of a
release). Wall seconds, this process's CPU seconds and the PostgreSQL backend's (from /proc), and a
hash of the links, which must be equal for both variants. Writes bench/results/resolution_pg.json.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, select, text, update  # noqa: E402

from bench.common import write_result  # noqa: E402
from bench.cputime import snapshot  # noqa: E402
from bench.services import LOOPBACK, bench_services  # noqa: E402
from tests.queue_support import postgres_database  # noqa: E402
from unsealed.config import Settings  # noqa: E402
from unsealed.enrich.resolve import resolve_archive  # noqa: E402
from unsealed.pipeline.ingest import ingest  # noqa: E402
from unsealed.pipeline.stages import post_ingest_stages  # noqa: E402
from unsealed.sample.real import load_corpus, write_corpus  # noqa: E402
from unsealed.store import bulk  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402
from unsealed.store.database import create_archive_engine, upgrade_schema  # noqa: E402
from unsealed.store.schema import document_entities, entities, entity_forms, entity_pairs, mentions  # noqa: E402

VARIANTS = {"rows": 10**12, "copy": bulk.COPY_FROM}


def _unresolve(archive: Archive) -> None:
    with archive.engine.begin() as conn:
        conn.execute(update(mentions).values(entity_id=None, rule=None))
        for table in (entity_pairs, document_entities, entity_forms, entities):
            conn.execute(delete(table))
    with archive.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")


def _links(archive: Archive) -> str:
    with archive.engine.connect() as conn:
        rows = conn.execute(
            select(mentions.c.id, mentions.c.entity_id, mentions.c.rule).order_by(mentions.c.id)
        )
        pairs = conn.execute(select(entity_pairs).order_by(entity_pairs.c.entity_id, entity_pairs.c.other_id))
        return hashlib.sha256(repr([*map(tuple, rows), *map(tuple, pairs)]).encode()).hexdigest()[:16]


def resolve_once(archive: Archive, copy_from: int) -> dict[str, Any]:
    bulk.COPY_FROM = copy_from
    with archive.engine.begin() as conn:
        backend = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
        before, cpu, wall = snapshot()[backend].own, time.process_time(), time.perf_counter()
        resolved = resolve_archive(conn)
        server = snapshot()[backend].own - before
    return {
        "seconds": round(time.perf_counter() - wall, 2),
        "front_cpu_s": round(time.process_time() - cpu, 2),
        "postgres_cpu_s": round(server, 2),
        "mentions": len(resolved.assignments),
        "links": _links(archive),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=160)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--variants", default=",".join(VARIANTS), help="which of rows,copy to run")
    parser.add_argument("--out", default="resolution_pg", help="bench/results/OUT.json")
    args = parser.parse_args()
    variants = {name: VARIANTS[name] for name in args.variants.split(",")}
    corpus = load_corpus()
    docs = corpus[:: max(1, len(corpus) // args.docs)][: args.docs]
    result: dict[str, Any] = {"documents": len(docs), "load_before": os.getloadavg()}
    with (
        bench_services(LOOPBACK) as services,
        tempfile.TemporaryDirectory(prefix="unsealed-resolution-") as tmp,
        postgres_database(services.admin_url) as url,
    ):
        engine = create_archive_engine(url)
        upgrade_schema(engine)
        engine.dispose()
        os.environ["UNSEALED_DATABASE_URL"] = url
        write_corpus(docs, Path(tmp) / "in")
        with Archive.open(Path(tmp) / "archive") as archive:
            names = {s.name for s in post_ingest_stages()} - {"entity resolution"}
            stages = [s for s in post_ingest_stages() if s.name in names]
            report = ingest(archive, [Path(tmp) / "in"], "bench", Settings.from_env(), stages=stages)
            result["pages"] = report.pages
            for run in range(args.repeat):
                for name, copy_from in variants.items():
                    _unresolve(archive)
                    figures = resolve_once(archive, copy_from)
                    figures["load"] = os.getloadavg()
                    print(name, run, figures, flush=True)
                    result.setdefault(name, []).append(figures)
    for name in variants:
        runs = result[name]
        result[f"{name}_median"] = {
            key: statistics.median(run[key] for run in runs)
            for key in ("seconds", "front_cpu_s", "postgres_cpu_s")
        }
    result["links_identical"] = len({run["links"] for name in variants for run in result[name]}) == 1
    result["load_after"] = os.getloadavg()
    print({k: v for k, v in result.items() if k.endswith("_median") or k == "links_identical"})
    write_result(args.out, result)


if __name__ == "__main__":
    main()
