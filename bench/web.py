"""Web latency: p50/p95 of the document, search and entity pages under a loopback load, beside
the raw queries behind them in the same run.

    python bench/web.py [--documents 100000] [--requests 200] [--concurrency 4] [--skip-sample]
                        [--work DIR] [--server-workers N] [--result NAME]
    python bench/web.py --cpu-only    # CPU time per search request, in-process (web_search_cpu.json)

Two archives: the sample release (ingested and enriched for real) and a generated one of
--documents documents: real release pages (../shared/corpus) with generated entity names put in,
rows inserted in bulk through the schema tables (with the summaries resolution keeps for entity
pages), then indexed by the real search indexer. Each is served by `unsealed serve` in its own
process (the load starts once every server process has taken a connection); a thread pool of
--concurrency clients sends --requests requests per page kind over loopback, then one client a
quarter of them; the server processes' CPU time per request (user + system, /proc) is the figure
other work on the machine does not inflate. Beside the latency: the server's own time per response
(its Server-Timing header) and the rest (waiting for a process, the client), the client's CPU per
request, how the clients' keep-alive connections are spread over the server processes, and the
document page's latency by page count. bench/web_ab.py compares two trees' servers side by side.
Page kinds: document, search, entity (random), and entity_top (the most-mentioned entity, the
goal's case). Raw: the bare query behind each page, in this process, one client. The generated
archive is cached in --work (default bench/work/; delete it to regenerate). Writes
bench/results/web.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
from sqlalchemy import insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import write_result  # noqa: E402
from unsealed import PIPELINE_VERSION  # noqa: E402
from unsealed.config import Settings, default_web_workers  # noqa: E402
from unsealed.enrich.email_people import people_rows  # noqa: E402
from unsealed.enrich.resolve import entity_id  # noqa: E402
from unsealed.pipeline.enrich_stages import enrichment_stages  # noqa: E402
from unsealed.pipeline.ingest import SilentObserver, ingest, run_stages  # noqa: E402
from unsealed.pipeline.stages import post_ingest_stages  # noqa: E402
from unsealed.sample.corpus import write_sample_corpus  # noqa: E402
from unsealed.sample.real import load_corpus  # noqa: E402
from unsealed.search import indexer  # noqa: E402
from unsealed.store import entity_links  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402
from unsealed.store.bulk import insert_many  # noqa: E402
from unsealed.store.documents import document_id  # noqa: E402
from unsealed.store.schema import documents, email_people, emails, entities, mentions, pages  # noqa: E402

WORK = ROOT / "bench" / "work"
FIRST = ["Martin", "Dana", "Oliver", "Helena", "Rafael", "Priya", "Samuel", "Claire", "Ilham", "Avigdor"]
LAST = ["Kessler", "Whitfield", "Brandt", "Voss", "Ortega", "Raman", "Okafor", "Dubois", "Harpaz", "Idan"]
ORGS = [
    "Northgate Capital",
    "Harbor Point Foundation",
    "Meridian Aviation",
    "Voss & Partners",
    "Okafor Institute",
]
PLACES = ["Palm Beach", "New York", "Santa Fe", "Teterboro", "St. Thomas", "Paris", "London", "Baku"]
WORDS = (
    "the of and to in a is that for it as was with be by on not this are or from at which but have an they "
    "flight meeting foundation account schedule passenger records subpoena interview board payment invoice "
    "transfer island contract agreement counsel statement deposition travel manifest dinner office trust"
).split()


# -- archives -------------------------------------------------------------------------------------


def sample_archive(folder: Path) -> Archive:
    """The bundled sample release, ingested and enriched by the real pipeline."""
    archive = Archive.open(folder / "archive")
    files = write_sample_corpus(folder / "corpus")
    settings = Settings.from_env()
    for dataset in sorted({f.dataset for f in files}):
        ingest(archive, [folder / "corpus" / dataset], dataset, settings)
    with archive.engine.connect() as conn:
        ids = [r.id for r in conn.execute(select(documents.c.id).where(documents.c.status == "ok"))]
    stages = post_ingest_stages()
    if not any(s.name == "entity mentions" for s in stages):
        run_stages(archive, ids, SilentObserver(), [*enrichment_stages(), *stages])
    return archive


def _entities() -> list[tuple[str, str, str]]:
    people = [(f"{f} {last}", "PERSON") for f in FIRST for last in LAST]
    named = people + [(o, "ORG") for o in ORGS] + [(p, "LOCATION") for p in PLACES]
    return [(entity_id(t, n.lower()), n, t) for n, t in named]


def _real_pages() -> list[str]:
    """Page texts of the real corpus (../shared/corpus), at most 3,000 characters each."""
    texts = [page[:3000] for doc in load_corpus() for page in doc.pages if len(page.split()) >= 20]
    if not texts:
        raise SystemExit("no real corpus pages: ../shared/corpus is missing")
    return texts


def _page_text(
    rng: random.Random, chosen: list[tuple[str, str, str]], base: str
) -> tuple[str, list[tuple[int, int, int]]]:
    """A real page's text with the chosen entities' names put in at word gaps; (entity index, span)."""
    gaps = [m.start() for m in re.finditer(r"\s+", base)] or [len(base)]
    cuts = sorted(rng.sample(gaps, min(len(chosen), len(gaps))))
    parts: list[str] = []
    spans: list[tuple[int, int, int]] = []
    length, previous = 0, 0
    for k, cut in enumerate(cuts):
        parts.append(base[previous:cut] + " ")
        length += cut - previous + 1
        name = chosen[k][1]
        spans.append((k, length, length + len(name)))
        parts.append(name)
        length += len(name)
        previous = cut
    parts.append(base[previous:])
    return "".join(parts), spans


def generated_archive(folder: Path, count: int, seed: int = 7) -> Archive:
    """`count` documents of 1-3 pages with entities, mentions and e-mail headers, then a search index."""
    marker = folder / f"done-{count}"
    archive = Archive.open(folder)
    if marker.exists():
        return archive
    rng = random.Random(seed)
    ents = _entities()
    real = _real_pages()
    now = datetime.now(UTC)
    mention_count = {e[0]: 0 for e in ents}
    doc_count = {e[0]: 0 for e in ents}
    with archive.engine.begin() as conn:
        conn.execute(
            insert(entities),
            [{"id": i, "type": t, "name": n, "key": n.lower(), "hidden": False} for i, n, t in ents],
        )
    bates = 1
    batch = 2000
    for start in range(0, count, batch):
        doc_rows, page_rows, mention_rows, email_rows = [], [], [], []
        for n in range(start, min(start + batch, count)):
            dataset = f"dataset_{8 + n % 3}"
            sha = f"{n:064x}"
            doc = document_id(dataset, sha)
            n_pages = rng.randint(1, 3)
            is_email = rng.random() < 0.4
            date = datetime(2005, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 5000))
            seen: set[str] = set()
            for p in range(1, n_pages + 1):
                chosen = rng.sample(ents, rng.randint(2, 5))
                text, spans = _page_text(rng, chosen, rng.choice(real))
                page_rows.append(
                    {
                        "document_id": doc,
                        "number": p,
                        "text": text,
                        "char_count": len(text),
                        "text_source": "layer",
                        "bates": f"EFTA{bates:08d}",
                        "bates_source": "stamped",
                        "width": 612.0,
                        "height": 792.0,
                        "redaction_count": 0,
                    }
                )
                bates += 1
                for k, a, b in spans:
                    ent = chosen[k]
                    mention_rows.append(
                        {
                            "document_id": doc,
                            "page_number": p,
                            "start": a,
                            "end": b,
                            "text": ent[1],
                            "type": ent[2],
                            "extractor": "bench",
                            "entity_id": ent[0],
                            "rule": "exact",
                        }
                    )
                    mention_count[ent[0]] += 1
                    seen.add(ent[0])
            for eid in seen:
                doc_count[eid] += 1
            first = bates - n_pages
            doc_rows.append(
                {
                    "id": doc,
                    "dataset": dataset,
                    "filename": f"EFTA{first:08d}.pdf",
                    "storage_key": f"{dataset}/EFTA{first:08d}.pdf",
                    "source_path": f"/bench/EFTA{first:08d}.pdf",
                    "md5": sha[:32],
                    "sha256": sha,
                    "size_bytes": 20_000 * n_pages,
                    "mime_type": "application/pdf",
                    "page_count": n_pages,
                    "status": "ok",
                    "pipeline_version": PIPELINE_VERSION,
                    "created_at": now,
                    "updated_at": now,
                    "bates_first": f"EFTA{first:08d}",
                    "bates_last": f"EFTA{bates - 1:08d}",
                    "doc_type": "email" if is_email else "memo",
                    "doc_date": date,
                    "enriched_at": now,
                    "emails_at": now,
                }
            )
            if is_email:
                sender, to = rng.sample(ents[:100], 2)
                email_rows.append(
                    {
                        "document_id": doc,
                        "seq": 0,
                        "page_number": 1,
                        "sender_name": sender[1],
                        "sender_address": None,
                        "subject": " ".join(rng.choices(WORDS, k=5)),
                        "sent_at": date,
                        "recipients": json.dumps(
                            {"to": [{"name": to[1], "address": None}], "cc": [], "bcc": []}
                        ),
                    }
                )
        with archive.engine.begin() as conn:
            conn.execute(insert(documents), doc_rows)
            conn.execute(insert(pages), page_rows)
            conn.execute(insert(mentions), mention_rows)
            if email_rows:
                conn.execute(insert(emails), email_rows)
                insert_many(conn, email_people, people_rows(email_rows))
        print(f"  generated {min(start + batch, count):,} documents", file=sys.stderr)
    with archive.engine.begin() as conn:
        for eid in mention_count:
            conn.execute(
                entities.update()
                .where(entities.c.id == eid)
                .values(mention_count=mention_count[eid], document_count=doc_count[eid])
            )
    with archive.engine.begin() as conn:  # what resolution keeps for an entity's page
        entity_links.rebuild(conn)
    print("  indexing for search", file=sys.stderr)
    indexer.rebuild(archive)
    marker.touch()
    return archive


# -- load -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(archive_dir: Path, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cmd = [
        sys.executable,
        "-c",
        "from unsealed.cli import main; main()",
        "serve",
        "--archive",
        str(archive_dir),
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    proc = subprocess.Popen(cmd, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/api/v1/datasets", timeout=2).status_code == 200:
                if workers == 1 or every_worker_answers(proc.pid, url, workers, deadline):
                    return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def _local_port(response: httpx.Response) -> int | None:
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    return int(sock.getsockname()[1]) if sock is not None else None


def every_worker_answers(pid: int, url: str, workers: int, deadline: float) -> bool:
    """Wait until each of the `workers` server processes has taken a connection: the first answer
    comes from whichever finished starting first, and connections opened while the others still
    start all go to it (and stay there, kept alive), so the load would begin lopsided."""
    server_port = int(url.rsplit(":", 1)[1])
    while time.monotonic() < deadline:
        clients: list[httpx.Client] = []
        ports: list[int] = []
        try:
            for _ in range(4 * workers):  # held open, so a balanced server gives each to another
                clients.append(httpx.Client(timeout=5))
                port = _local_port(clients[-1].get(url + "/api/v1/datasets"))
                ports += [port] if port else []
                held = connection_owners(ports, server_port, server_pids(pid))
                if len(held) >= workers and all(held.values()):
                    return True
        finally:
            for client in clients:
                client.close()
        time.sleep(0.3)
    return False


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def server_pids(pid: int) -> list[int]:
    """The server process and those it started (the workers of `serve --workers N`), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            parents[int(entry.name)] = int(_stat(int(entry.name))[1])
        except (OSError, IndexError):
            continue  # ended while we looked
    found, todo = [pid], [pid]
    while todo:
        parent = todo.pop()
        children = [p for p, pp in parents.items() if pp == parent]
        found += children
        todo += children
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of the server's processes so far (/proc): its cost, whatever else runs."""
    total = 0
    for pid in pids:
        try:
            fields = _stat(pid)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _socket_inodes(pid: int) -> set[str]:
    out = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return out
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def connection_spread(local_ports: list[int], server_port: int, pids: list[int]) -> list[int]:
    """How many of the clients' keep-alive connections each server process holds, most first:
    [4, 0] means one process serves them all."""
    return sorted(connection_owners(local_ports, server_port, pids).values(), reverse=True)


def connection_owners(local_ports: list[int], server_port: int, pids: list[int]) -> dict[int, int]:
    """Each serving process (of `pids`) and how many of the connections from these client ports it
    holds (from /proc/net/tcp and the processes' sockets)."""
    inodes = {pid: _socket_inodes(pid) for pid in pids}
    try:
        rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    except OSError:
        return {}
    # the serving processes hold the listening socket (state 0A); with workers, not the supervisor
    listening = {f[9] for f in rows if f[3] == "0A" and int(f[1].split(":")[1], 16) == server_port}
    serving = [pid for pid in pids if inodes[pid] & listening]
    held = dict.fromkeys(serving[1:] if len(serving) > 1 else serving, 0)
    owner_of = {inode: pid for pid in held for inode in inodes[pid]}
    for f in rows:
        local, remote = int(f[1].split(":")[1], 16), int(f[2].split(":")[1], 16)
        if local == server_port and remote in local_ports and f[9] in owner_of:
            held[owner_of[f[9]]] += 1
    return held


def _server_ms(response: httpx.Response) -> float | None:
    """The server's own time for a response (its Server-Timing header, `app;dur=`)."""
    match = re.search(r"app;dur=([0-9.]+)", response.headers.get("server-timing", ""))
    return float(match[1]) if match else None


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[int(q * (len(ordered) - 1))], 1)


def load(url: str, paths: list[str], concurrency: int, pids: list[int] | None = None) -> dict[str, Any]:
    """Send every path once with `concurrency` clients; latency percentiles in milliseconds. Beside
    them: the server's own time per response (Server-Timing), the rest of each request's time
    (waiting for a server process, the client's own work), the client's CPU per request, and how
    the clients' connections are spread over the server's processes."""

    def one(client: httpx.Client, path: str) -> tuple[float, int, float | None, int]:
        started = time.perf_counter()
        response = client.get(url + path)
        took = (time.perf_counter() - started) * 1000
        return took, response.status_code, _server_ms(response), response.num_bytes_downloaded

    clients = [httpx.Client(timeout=60) for _ in range(concurrency)]
    ports = []
    for c in clients:  # warm-up: connections, templates, index
        port = _local_port(c.get(url + paths[0]))
        ports += [port] if port else []
    spread = connection_spread(ports, int(url.rsplit(":", 1)[1]), pids) if pids else []
    cpu = time.process_time()
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda ip: one(clients[ip[0] % concurrency], ip[1]), enumerate(paths)))
    wall = time.perf_counter() - started
    client_cpu = time.process_time() - cpu
    for c in clients:
        c.close()
    times = sorted(t for t, _, _, _ in results)
    server = [s for _, _, s, _ in results if s is not None]
    rest = [t - s for t, _, s, _ in results if s is not None]
    out: dict[str, Any] = {
        "requests": len(paths),
        "errors": sum(1 for _, s, _, _ in results if s != 200),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
        "max_ms": round(times[-1], 1),
        "throughput_rps": round(len(paths) / wall, 1),
        "client_cpu_ms_per_request": round(client_cpu * 1000 / len(paths), 1),
        "response_kb_p50": round(statistics.median(b for _, _, _, b in results) / 1024, 1),
        "connections_per_process": spread,
        "latencies_ms": [round(t, 1) for t, _, _, _ in results],  # in the order of `paths`
    }
    if server:
        out |= {
            "server_p50_ms": _pct(server, 0.5),
            "server_p95_ms": _pct(server, 0.95),
            "server_max_ms": _pct(server, 1.0),
            "rest_p50_ms": _pct(rest, 0.5),
            "rest_p95_ms": _pct(rest, 0.95),
        }
    return out


def workload(archive: Archive, requests: int, rng: random.Random) -> dict[str, list[str]]:
    with archive.engine.connect() as conn:
        doc_ids = [r.id for r in conn.execute(select(documents.c.id).where(documents.c.status == "ok"))]
        ent_rows = conn.execute(
            select(entities.c.id, entities.c.name).where(entities.c.hidden.is_(False))
        ).all()
        top = conn.execute(
            select(entities.c.id)
            .where(entities.c.hidden.is_(False))
            .order_by(entities.c.mention_count.desc())
        ).scalar()
    names = [n for _, n in ent_rows]
    queries = [rng.choice(names).split()[-1] for _ in range(requests // 2)]
    queries += [f'"{rng.choice(names)}" {rng.choice(WORDS[30:])}' for _ in range(requests - len(queries))]
    return {
        "document": [f"/documents/{rng.choice(doc_ids)}" for _ in range(requests)],
        "search": [f"/search?q={quote(q)}" for q in queries],
        "entity": [f"/entities/{rng.choice(ent_rows).id}" for _ in range(requests)],
        "entity_top": [f"/entities/{top}"] * requests,  # the most-mentioned entity (the goal's case)
    }


# -- the raw queries, in this process: what each page needs at the least, hand-written ------------

RAW_ENTITY = (
    "SELECT document_id, count(*) AS n FROM mentions WHERE entity_id = :e "
    "GROUP BY document_id ORDER BY n DESC LIMIT 200"
)


def raw_timings(archive: Archive, paths: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """Per page kind, p50/p95 (ms) of the bare query behind it, one client in this process: the
    document's row and its pages' text; a Tantivy query of the words (top 20 with stored fields);
    the entity's documents by mention count straight from the mentions table."""
    index = indexer.open_index(archive).index
    out: dict[str, dict[str, float]] = {}
    with archive.engine.connect() as conn:

        def document(path: str) -> None:
            doc = path.rsplit("/", 1)[-1]
            conn.execute(select(documents).where(documents.c.id == doc)).all()
            conn.execute(select(pages.c.number, pages.c.text).where(pages.c.document_id == doc)).all()

        def search(path: str) -> None:
            query = index.parse_query(parse_qs(urlsplit(path).query)["q"][0], ["text"])
            found = index.searcher().search(query, 20)
            for _, address in found.hits:
                index.searcher().doc(address)

        def entity(path: str) -> None:
            conn.execute(text(RAW_ENTITY), {"e": path.rsplit("/", 1)[-1]}).all()

        run = {"document": document, "search": search, "entity": entity, "entity_top": entity}
        for kind, kind_paths in paths.items():
            run[kind](kind_paths[0])  # warm-up
            times = []
            for path in kind_paths:
                started = time.perf_counter()
                run[kind](path)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            out[kind] = {
                "raw_p50_ms": round(statistics.median(times), 2),
                "raw_p95_ms": round(times[int(0.95 * (len(times) - 1))], 2),
            }
    return out


def by_page_count(archive: Archive, paths: list[str], latencies: list[float]) -> dict[str, Any]:
    """The document page's latency by the document's page count: is a slow subset the tail?"""
    ids = [p.rsplit("/", 1)[-1] for p in paths]
    with archive.engine.connect() as conn:
        query = select(documents.c.id, documents.c.page_count).where(documents.c.id.in_(set(ids)))
        counts = {doc: n for doc, n in conn.execute(query)}
    groups: dict[int, list[float]] = {}
    for doc, took in zip(ids, latencies, strict=True):
        groups.setdefault(int(counts.get(doc) or 0), []).append(took)
    return {
        str(n): {"requests": len(v), "p50_ms": _pct(v, 0.5), "p95_ms": _pct(v, 0.95)}
        for n, v in sorted(groups.items())
    }


def measure(name: str, archive: Archive, requests: int, concurrency: int, workers: int) -> dict[str, Any]:
    rng = random.Random(11)
    with archive.engine.connect() as conn:
        n_docs = len(conn.execute(select(documents.c.id)).all())
    proc, url = serve(archive.root, workers)
    try:
        pids = server_pids(proc.pid)
        out: dict[str, Any] = {"documents": n_docs, "server_processes": len(pids)}
        work = workload(archive, requests, rng)
        for kind, paths in work.items():
            cpu = cpu_seconds(pids)
            out[kind] = load(url, paths, concurrency, pids)
            spent = cpu_seconds(pids) - cpu  # the warm-up requests (one per client) included
            out[kind]["server_cpu_ms_per_request"] = round(spent * 1000 / (len(paths) + concurrency), 1)
            latencies = out[kind].pop("latencies_ms")
            if kind == "document":
                out[kind]["by_page_count"] = by_page_count(archive, paths, latencies)
            single = load(url, paths[: max(20, requests // 4)], 1)
            out[kind]["single_client_p50_ms"] = single["p50_ms"]
            out[kind]["single_client_p95_ms"] = single["p95_ms"]
            print(f"{name:>10} {kind:>10}: {out[kind]}", file=sys.stderr)
        for kind, raw in raw_timings(archive, work).items():
            out[kind].update(raw)
            print(f"{name:>10} {kind:>10} raw: {raw}", file=sys.stderr)
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def search_cpu(archive: Archive, requests: int) -> dict[str, Any]:
    """CPU time (all threads of this process) per search request, in-process and serial: a figure
    that a busy shared machine disturbs far less than wall time under concurrent load."""
    from fastapi.testclient import TestClient

    from unsealed.web import create_app

    client = TestClient(create_app(archive))
    paths = workload(archive, requests, random.Random(11))["search"]
    for path in paths[:10]:
        client.get(path)
    variants = {
        "search_page": "{}",  # grouped by document, copies collapsed, facets: the HTML page
        "search_page_all_copies": "{}&copies=all",
        "api_page_hits": "{}&copies=all",
    }
    out: dict[str, Any] = {}
    for name, pattern in variants.items():
        cpu = []
        for path in paths:
            url = pattern.format(
                path.replace("/search?", "/api/v1/search?") if name.startswith("api") else path
            )
            started = time.process_time()
            assert client.get(url).status_code == 200
            cpu.append((time.process_time() - started) * 1000)
        cpu.sort()
        out[name] = {
            "cpu_p50_ms": round(statistics.median(cpu), 1),
            "cpu_p95_ms": round(cpu[int(0.95 * (len(cpu) - 1))], 1),
        }
        print(f"{name:>24}: {out[name]}", file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--skip-sample", action="store_true")
    parser.add_argument("--work", type=Path, default=WORK, help="where the generated archive is cached")
    parser.add_argument("--cpu-only", action="store_true", help="only the in-process CPU time of search")
    parser.add_argument(
        "--server-workers",
        type=int,
        default=default_web_workers(),
        help="`serve --workers` (default: serve's own, one per CPU up to 8)",
    )
    parser.add_argument("--result", default="web", help="name of the result file in bench/results/")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "requests_per_page": args.requests,
        "concurrency": args.concurrency,
        "server_workers": args.server_workers,
        "cpus": os.cpu_count(),
        "load_before": [round(x, 2) for x in os.getloadavg()],
    }
    if args.cpu_only:
        archive = generated_archive(args.work / f"web-real-{args.documents}", args.documents)
        results["search_cpu"] = search_cpu(archive, args.requests)
        print(write_result("web_search_cpu", results))
        return
    if not args.skip_sample:
        sample_dir = args.work / f"web-sample-{os.getpid()}"
        results["sample"] = measure(
            "sample", sample_archive(sample_dir), args.requests, args.concurrency, args.server_workers
        )
        subprocess.run(["rm", "-rf", str(sample_dir)], check=False)
    started = time.perf_counter()
    generated = generated_archive(args.work / f"web-real-{args.documents}", args.documents)
    results["generation_s"] = round(time.perf_counter() - started, 1)
    results["generated"] = measure(
        "generated", generated, args.requests, args.concurrency, args.server_workers
    )
    results["generated"]["search_cpu"] = search_cpu(generated, args.requests)
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(write_result(args.result, results))


if __name__ == "__main__":
    main()
