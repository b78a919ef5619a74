"""`unsealed serve`: the real command in a subprocess, on a free loopback port."""

from __future__ import annotations

import asyncio
import gc
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import select
from web_support import free_port

from unsealed.errors import ExitCode
from unsealed.store.archive import Archive
from unsealed.store.schema import curations
from unsealed.web.serving import FACTORY, GC_YOUNG_THRESHOLD, TcpConfig, settle_heap

REPO = Path(__file__).resolve().parents[2]


def unsealed(*args: str) -> list[str]:
    return [sys.executable, "-c", "from unsealed.cli import main; main()", *args]


def descendants(pid: int) -> set[int]:
    """The processes started by `pid` and by them (/proc), still alive."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


@contextmanager
def serving(
    archive_root: Path, *options: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, int]]:
    """`unsealed serve` on a free port until it answers; (its URL, its pid). Stopped with SIGTERM
    at the end, which must leave no process of it behind."""
    port = free_port()
    proc = subprocess.Popen(
        unsealed("serve", "--archive", str(archive_root), "--port", str(port), *options),
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(f"{url}/api/v1/status", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "serve did not start listening"
                time.sleep(0.2)
        started = descendants(proc.pid)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # uvicorn shuts down, then ends by the signal it was stopped with
    assert proc.returncode in (0, -signal.SIGTERM), proc.stderr.read().decode() if proc.stderr else ""
    deadline = time.monotonic() + 10
    while (left := {p for p in started if Path(f"/proc/{p}").exists()}) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, f"processes left behind: {left}"


def test_serve_answers_until_stopped(sample_archive: Archive) -> None:
    with serving(sample_archive.root, "--workers", "1") as (url, pid):
        response = httpx.get(f"{url}/api/v1/status", timeout=10)
        assert response.status_code == 200
        assert response.json()["totals"]["documents"] > 0
        assert "access-control-allow-origin" not in response.headers
        assert not descendants(pid)  # one process: no workers
        # the server's own time, for the benchmark and the browser's network panel
        assert re.fullmatch(r"app;dur=\d+\.\d", response.headers["server-timing"])


def test_settle_heap_freezes_what_the_imports_left() -> None:
    before = gc.get_threshold()
    try:
        settle_heap()
        # the imports' objects (FastAPI, SQLAlchemy, pydantic, ...) are no longer walked by the collector
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *before[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_serve_with_two_workers_answers_pages_and_the_api(sample_archive: Archive) -> None:
    with serving(sample_archive.root, "--workers", "2") as (url, pid):
        assert len(descendants(pid)) >= 2  # the two server processes (uvicorn's supervisor is `pid`)
        with httpx.Client(base_url=url, timeout=30) as client:
            people = client.get("/api/v1/entities", params={"type": "PERSON"}).json()["entities"]
            assert people
            entity = client.get(f"/api/v1/entities/{people[0]['id']}").json()
            assert entity["name"] == people[0]["name"] and entity["mentions"]
            for _ in range(2):  # several requests, so both workers are likely to answer one
                page = client.get(f"/entities/{people[0]['id']}")
                assert page.status_code == 200 and people[0]["name"] in page.text
            with ThreadPoolExecutor(4) as pool:
                statuses = list(pool.map(lambda _: client.get("/api/v1/status").status_code, range(8)))
            assert statuses == [200] * 8


def _server_side_owner(client_port: int, server_port: int, pids: set[int]) -> int | None:
    """The process (of `pids`) holding the server end of the connection from `client_port`."""
    inode = next(
        (
            f[9]
            for f in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
            if int(f[1].split(":")[1], 16) == server_port and int(f[2].split(":")[1], 16) == client_port
        ),
        None,
    )
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


def _spread(url: str, workers: set[int], connections: int) -> list[int]:
    """Open `connections` keep-alive connections one after another, each answered before the next
    opens, and count those each worker holds (most first)."""
    clients = [httpx.Client(base_url=url, timeout=30) for _ in range(connections)]
    try:
        held = dict.fromkeys(workers, 0)
        for client in clients:
            stream = client.get("/api/v1/status").extensions["network_stream"]
            port = stream.get_extra_info("socket").getsockname()[1]
            owner = _server_side_owner(port, int(url.rsplit(":", 1)[1]), workers)
            if owner in held:
                held[owner] += 1
        return sorted(held.values(), reverse=True)
    finally:
        for client in clients:
            client.close()


def test_keep_alive_connections_are_spread_over_the_workers(sample_archive: Archive) -> None:
    """Connections opened one after another go to the worker holding the fewest (without it, the
    worker that answered last tended to take them all: [4, 0] or [3, 1] for four clients)."""
    with serving(sample_archive.root, "--workers", "2") as (url, pid):
        workers = descendants(pid) - {p for p in descendants(pid) if not _listens(p, url)}
        assert len(workers) == 2
        deadline = time.monotonic() + 60
        while 0 in _spread(url, workers, 4):  # until both have started serving
            assert time.monotonic() < deadline, "a worker never took a connection"
            time.sleep(0.2)
        for _ in range(2):
            assert _spread(url, workers, 6) == [3, 3]


def _listens(pid: int, url: str) -> bool:
    """Whether the process holds the server's listening socket (the workers do, uvicorn's
    resource tracker does not)."""
    port = int(url.rsplit(":", 1)[1])
    listening = {
        f[9]
        for f in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
        if f[3] == "0A" and int(f[1].split(":")[1], 16) == port
    }
    try:
        fds = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return False
    return any(fd[8:-1] in listening for fd in fds if fd.startswith("socket:["))


def test_curator_decisions_from_several_workers_at_once(sample_archive: Archive, tmp_path: Path) -> None:
    """Decisions sent at once to a two-process server are all recorded (they take turns on the
    archive's curation lock: one SQLite writer, one search index writer)."""
    root = tmp_path / "archive"
    shutil.copytree(sample_archive.root, root)  # decisions change it; the session's archive stays
    before = _decisions(root)
    env = {"UNSEALED_ADMIN_TOKEN": "s3cret"}
    with serving(root, "--workers", "2", env=env) as (url, _):
        with httpx.Client(base_url=url, timeout=120, headers={"Authorization": "Bearer s3cret"}) as client:
            found = client.get("/api/v1/entities", params={"type": "LOCATION", "per_page": 500}).json()
            chosen = [e["id"] for e in found["entities"][:6]]
            assert len(chosen) == 6

            def hide(entity: str) -> int:
                return client.post(f"/api/v1/entities/{entity}/curate", json={"action": "hide"}).status_code

            with ThreadPoolExecutor(6) as pool:
                assert list(pool.map(hide, chosen)) == [200] * 6
            for entity in chosen:
                assert client.get(f"/api/v1/entities/{entity}").json()["hidden"] is True
    assert _decisions(root)[len(before) :] == ["hide"] * 6  # each recorded once


def _decisions(root: Path) -> list[str]:
    with Archive.open(root, create=False) as archive, archive.engine.connect() as conn:
        return list(conn.execute(select(curations.c.action).order_by(curations.c.id)).scalars())


def test_serve_refuses_a_missing_archive(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here"
    result = subprocess.run(
        unsealed("serve", "--archive", str(missing), "--port", str(free_port())),
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == ExitCode.NOT_FOUND
    assert "no archive at" in result.stderr
    assert not missing.exists()  # serve never creates an archive


def test_worker_connections_keep_tcp_nodelay() -> None:
    """The listener handed to the workers says IPPROTO_TCP, so asyncio turns Nagle off on each
    connection (without it, every keep-alive response waited ~40 ms for a delayed ACK)."""
    config = TcpConfig(FACTORY, factory=True, workers=2, host="127.0.0.1", port=free_port())
    listener = config.bind_socket()
    nodelay: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            nodelay.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def accept_one() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        _, writer = await asyncio.open_connection("127.0.0.1", config.port)
        for _ in range(100):
            if nodelay:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()

    try:
        assert listener.proto == socket.IPPROTO_TCP
        # in a thread of its own: a browser test before this one may leave a loop running here
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, accept_one()).result(timeout=30)
    finally:
        listener.close()
    assert nodelay == [1]
