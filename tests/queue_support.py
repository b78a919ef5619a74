"""The real services the queue tests use: a PostgreSQL database, an S3 bucket on the local S3
server (scripts/services.sh starts moto's), a Celery queue of its own on the real broker, and
`unsealed worker` processes, each with an archive folder and a temporary folder of its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from unsealed.pipeline.celery_executor import WARM_UP_FAILED, WARMED_UP
from unsealed.store.database import create_archive_engine, upgrade_schema

ADMIN_URL = os.environ.get(
    "UNSEALED_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
S3_ENDPOINT = os.environ.get("UNSEALED_TEST_S3_URL", "http://127.0.0.1:5055")
BROKER_URL = os.environ.get("UNSEALED_TEST_BROKER_URL", "redis://127.0.0.1:6379/0")
READY_S = 60.0


@contextmanager
def postgres_database(admin_url: str = ADMIN_URL) -> Iterator[str]:
    name = f"unsealed_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))  # name is generated above, not user input
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def s3_env(bucket: str, endpoint: str = S3_ENDPOINT) -> dict[str, str]:
    return {
        "UNSEALED_STORAGE": f"s3://{bucket}/archive",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def _ready(log: bytes, processes: int) -> bool:
    """The worker says it is ready, and each of its pool processes has warmed up (started its
    reader, connected): what a process does once is then off the clock of what comes next."""
    warmed = log.count(WARMED_UP.encode()) + log.count(WARM_UP_FAILED.encode())
    return b" ready." in log and warmed >= processes


@dataclass
class Cluster:
    """The shared services of one test, and the workers started on them."""

    root: Path
    env: dict[str, str]
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # a command prefix per worker name (bench/scale.py: `ip netns exec NAME`, a network of its own)
    wrap: dict[str, list[str]] = field(default_factory=dict)

    def run_env(self, name: str) -> dict[str, str]:
        """A process's environment: the shared settings, and folders of its own."""
        own = self.root / name
        (own / "tmp").mkdir(parents=True, exist_ok=True)
        return {
            **os.environ,
            **self.env,
            "UNSEALED_ARCHIVE": str(own / "archive"),
            "TMPDIR": str(own / "tmp"),
            "COLUMNS": "200",
        }

    def start_worker(self, name: str, concurrency: int = 1) -> subprocess.Popen[bytes]:
        return self.start_workers([name], concurrency)[0]

    def start_workers(self, names: list[str], concurrency: int = 1) -> list[subprocess.Popen[bytes]]:
        """Start the workers together, then wait until each one is ready."""
        for name in names:
            self.workers[name] = subprocess.Popen(
                [
                    *self.wrap.get(name, []),
                    sys.executable,
                    "-m",
                    "unsealed",
                    "worker",
                    "-c",
                    str(concurrency),
                    "-n",
                    f"{name}@test",
                ],
                env=self.run_env(name),
                stdout=(self.root / f"{name}.log").open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill -9 takes the pool with it
            )
        deadline = time.monotonic() + READY_S
        for name in names:
            log, process = self.root / f"{name}.log", self.workers[name]
            while not _ready(log.read_bytes(), concurrency):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"worker {name} did not start:\n{log.read_text(errors='replace')}")
                time.sleep(0.2)
        return [self.workers[name] for name in names]

    def kill_worker(self, name: str) -> None:
        """kill -9, the worker and its pool processes at once (a machine that stops)."""
        process = self.workers.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")

    def cli(
        self, *args: str | Path, name: str = "front", timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "unsealed", *map(str, args)],
            env=self.run_env(name),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def popen(self, *args: str | Path, name: str = "front") -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "unsealed", *map(str, args)],
            env=self.run_env(name),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    @staticmethod
    def communicate(process: subprocess.Popen[str], timeout: float) -> tuple[str, str]:
        """The process's output once it ends; one still running after `timeout` is made to print
        its threads' stacks (`unsealed` dumps them on SIGUSR1) and killed, and the test fails."""
        try:
            return process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGUSR1)
            time.sleep(2)
            process.kill()
            out, err = process.communicate()
            raise AssertionError(f"still running after {timeout} s; its stacks:\n{err}") from None

    def stop(self) -> None:
        for process in self.workers.values():
            os.killpg(process.pid, signal.SIGTERM)
        for process in self.workers.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.workers.clear()


@contextmanager
def cluster(
    root: Path,
    broker_url: str = BROKER_URL,
    *,
    admin_url: str = ADMIN_URL,
    s3_endpoint: str = S3_ENDPOINT,
    **settings: str,
) -> Iterator[Cluster]:
    """PostgreSQL + S3 + a queue of this test's own on the broker; workers stopped at the end."""
    with postgres_database(admin_url) as database_url:
        engine = create_archive_engine(database_url)
        upgrade_schema(engine)  # before anything polls its tables
        engine.dispose()
        env = {
            "UNSEALED_DATABASE_URL": database_url,
            **s3_env(f"unsealed-test-{uuid.uuid4().hex[:12]}", s3_endpoint),
            "UNSEALED_BROKER_URL": broker_url,
            "UNSEALED_QUEUE": f"test-{uuid.uuid4().hex[:12]}",
            "UNSEALED_RESTORE_INTERVAL": "1",
            "UNSEALED_TASK_RETRY_DELAY": "0.2",
            "UNSEALED_WORKERS": "1",
            **settings,
        }
        running = Cluster(root, env)
        try:
            yield running
        finally:
            running.stop()
