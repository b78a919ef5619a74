"""The scaling benchmark's own services and network namespaces.

`bench/scale.py` starts a PostgreSQL, a Redis and an S3 server (moto's) of its own, so that their
CPU time is this run's alone (the machine's shared services also serve other people's tests) and
so that they can listen on an address that workers in other network namespaces reach. As root,
`namespaces(n)` makes n network namespaces, each joined to this host by a veth pair on one bridge:
a worker started with `ip netns exec NAME` shares nothing with the others but the services'
address (and the disk, which it does not use: each worker has its own temporary folder). Everything
is removed when the `with` block ends, however it ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

LOOPBACK = "127.0.0.1"
READY_S = 60.0


def can_use_namespaces() -> str | None:
    """None when this process can make network namespaces; otherwise why not."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "`ip` (iproute2) is not installed: run scripts/setup.sh"
    return None


def _ip(*args: str, namespace: str | None = None) -> None:
    command = ["ip", *(["-n", namespace] if namespace else []), *args]
    subprocess.run(command, check=True, capture_output=True)


@dataclass(frozen=True)
class Network:
    """The host's address on the bridge, and the namespaces behind it."""

    host: str
    namespaces: tuple[str, ...]

    def wrap(self, index: int) -> list[str]:
        """The command prefix that runs a program in namespace `index`."""
        return ["ip", "netns", "exec", self.namespaces[index]]


@contextmanager
def namespaces(count: int) -> Iterator[Network]:
    """`count` network namespaces joined to this host by veth pairs on one bridge."""
    reason = can_use_namespaces()
    if reason:
        raise RuntimeError(reason)
    tag = os.getpid() % 100_000
    subnet = f"10.77.{tag % 250}"
    bridge = f"usbr{tag}"
    names = tuple(f"unsealed-scale-{tag}-{i}" for i in range(1, count + 1))
    made: list[str] = []  # what to remove: namespaces and the bridge
    try:
        _ip("link", "add", bridge, "type", "bridge")
        made.append(bridge)
        _ip("addr", "add", f"{subnet}.1/24", "dev", bridge)
        _ip("link", "set", bridge, "up")
        for number, name in enumerate(names, start=1):
            _ip("netns", "add", name)
            made.append(name)
            host_end, inner_end = f"usv{tag}h{number}", f"usv{tag}n{number}"
            _ip("link", "add", host_end, "type", "veth", "peer", "name", inner_end)
            _ip("link", "set", inner_end, "netns", name)
            _ip("link", "set", host_end, "master", bridge)
            _ip("link", "set", host_end, "up")
            _ip("addr", "add", f"{subnet}.{10 + number}/24", "dev", inner_end, namespace=name)
            _ip("link", "set", inner_end, "up", namespace=name)
            _ip("link", "set", "lo", "up", namespace=name)
        yield Network(f"{subnet}.1", names)
    finally:
        for thing in reversed(made):  # a namespace takes its veth end (and so the pair) with it
            with contextlib.suppress(subprocess.CalledProcessError):
                _ip("link" if thing == bridge else "netns", "del", thing)


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _wait_port(host: str, port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_S
    while True:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
            return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{process.args!r} did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.2)


def _postgres_bin() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise RuntimeError("PostgreSQL's initdb is not installed (apt-get install postgresql)")
    return versions[-1].parent


@dataclass
class Services:
    """Where the benchmark's own services listen, and their processes (CPU accounting)."""

    host: str
    admin_url: str = ""
    s3_endpoint: str = ""
    broker_url: str = ""
    pids: dict[str, int] = field(default_factory=dict)


@contextmanager
def bench_services(host: str = LOOPBACK) -> Iterator[Services]:
    """A PostgreSQL, a Redis and an S3 server of this run's own, listening on `host`."""
    folder = Path(tempfile.mkdtemp(prefix="unsealed-scale-services-"))
    os.chmod(folder, 0o755)  # PostgreSQL runs as its own user when this is root
    processes: list[subprocess.Popen[bytes]] = []
    services = Services(host)
    as_user = {"user": "postgres"} if os.geteuid() == 0 else {}
    try:
        data = folder / "pg"
        data.mkdir()
        if as_user:
            shutil.chown(data, "postgres", "postgres")
        pg = _postgres_bin()
        subprocess.run(
            [str(pg / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            check=True,
            capture_output=True,
            **as_user,  # type: ignore[call-overload]
        )
        with (data / "pg_hba.conf").open("a") as fh:
            fh.write(f"host all all {host.rsplit('.', 1)[0]}.0/24 trust\n")
        port = _free_port(host)
        log = folder / "postgres.log"
        postgres = subprocess.Popen(
            [
                str(pg / "postgres"),
                "-D",
                str(data),
                "-c",
                f"listen_addresses={host}",
                "-p",
                str(port),
                "-c",
                f"unix_socket_directories={data}",
                "-c",
                "max_connections=200",
            ],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **as_user,  # type: ignore[call-overload]
        )
        processes.append(postgres)
        _wait_port(host, port, postgres, log)
        services.admin_url = f"postgresql+psycopg://postgres@{host}:{port}/postgres"
        services.pids["postgres"] = postgres.pid

        port = _free_port(host)
        log = folder / "redis.log"
        redis = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                host,
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "no",
            ],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(redis)
        _wait_port(host, port, redis, log)
        services.broker_url = f"redis://{host}:{port}/0"
        services.pids["redis"] = redis.pid

        port = _free_port(host)
        log = folder / "moto.log"
        moto = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", host, "-p", str(port)],
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(moto)
        _wait_port(host, port, moto, log)
        services.s3_endpoint = f"http://{host}:{port}"
        services.pids["s3"] = moto.pid
        yield services
    finally:
        for process in reversed(processes):
            with contextlib.suppress(ProcessLookupError):
                # PostgreSQL: SIGINT is its fast shutdown; the others stop on SIGTERM
                process.send_signal(signal.SIGINT if process is processes[0] else signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(folder, ignore_errors=True)
