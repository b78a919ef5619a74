"""Several server processes on one port: uvicorn's supervisor with a listener that keeps TCP_NODELAY.

uvicorn binds the socket for its workers with `proto` 0; the connections accepted on it inherit that,
and asyncio sets TCP_NODELAY only on sockets that say IPPROTO_TCP, so every keep-alive response
waited for the client's delayed ACK, ~40 ms on Linux (uvicorn issue #3149; `--workers 1` is not
affected: asyncio builds that listener itself). `TcpConfig` hands the workers the same listener
with its protocol said.

The workers share that listener, and a connection goes to whichever worker's `accept` comes first:
often the one that answered last, so four keep-alive clients ended on one of two workers ([4, 0]) or
three on one ([3, 1]) in about two runs of three, and that worker's clients waited on one core while
the other core idled (`bench/web.py` reports the spread). `BalancedListener` makes a worker leave a
new connection to the others while it holds more connections than the least busy live worker.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import socket
import time
from multiprocessing.reduction import DupFd, ForkingPickler
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

FACTORY = "unsealed.web.app:app_from_env"  # what each worker calls for its app
HEALTHCHECK_S = 60  # uvicorn kills a worker that does not answer its ping for this long (default 5)
# Young-generation threshold of a server process's collector (CPython's default: 700 allocations).
# A search page allocates enough for two or three collections at 700; at 7,000 most pages need none.
GC_YOUNG_THRESHOLD = 7_000


def settle_heap() -> None:
    """Once the app is built: move what the imports and the app left on the heap into the
    collector's permanent generation (`gc.freeze`), and collect the young generation less often.

    A server process holds ~135,000 objects from its imports (FastAPI, SQLAlchemy, pydantic, Jinja,
    Tantivy, ...); a full collection walked them all, 120-250 ms on the bench machine, every few
    hundred requests, stalling every request that process had in hand (the 4-client benchmark's
    slowest pages). Frozen, a full collection walks only what requests left behind (~1 ms)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


class TcpConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return sock
        return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())


LEAVE_AT_MOST_S = 0.1  # a worker leaves a waiting connection to the others this long at most
DECLINES_APART_S = 0.02  # declines further apart than this are for different connections


class BalancedListener(socket.socket):
    """The workers' shared listening socket, with a table (shared memory) of how many connections
    each live worker holds: a worker whose count is above the least one's declines a new connection
    (`accept` says "nothing waiting", so asyncio waits for the next one) and a less busy worker,
    woken by the same connection, takes it. A connection waits LEAVE_AT_MOST_S at most: then the
    busy worker takes it after all (the others may be stuck in a long request)."""

    table: Any = None  # multiprocessing Array: pid, connections, for each slot
    slot: int | None = None
    supervisor = 0  # the process that made the table (it does not serve)
    declined_since: float | None = None  # when the current wait for another worker began
    declined_last: float | None = None

    @classmethod
    def shared(cls, sock: socket.socket, slots: int) -> BalancedListener:
        listener = cls(sock.family, sock.type, sock.proto, fileno=sock.detach())
        listener.table = multiprocessing.get_context("spawn").Array("q", [0] * (2 * slots))
        listener.supervisor = os.getpid()
        return listener

    def _claim(self) -> int | None:
        """This process's slot in the table: a free one, or one whose process has ended."""
        with self.table.get_lock():
            for slot in range(len(self.table) // 2):
                pid = self.table[2 * slot]
                if pid == os.getpid():
                    return slot
                if pid == 0 or not _alive(pid):
                    self.table[2 * slot], self.table[2 * slot + 1] = os.getpid(), 0
                    return slot
        return None

    def _least(self) -> int:
        held = [
            self.table[2 * s + 1]
            for s in range(len(self.table) // 2)
            if self.table[2 * s] and (s == self.slot or _alive(self.table[2 * s]))
        ]
        return min(held)

    def _count(self, delta: int) -> None:
        if self.table is not None and self.slot is not None:
            with self.table.get_lock():
                self.table[2 * self.slot + 1] += delta

    def listen(self, backlog: int = socket.SOMAXCONN) -> None:
        """asyncio calls this as the worker starts serving: from now on the others count it."""
        super().listen(backlog)
        if self.table is not None and self.slot is None and os.getpid() != self.supervisor:
            self.slot = self._claim()

    def accept(self) -> tuple[socket.socket, Any]:
        if self.table is None:
            return super().accept()
        if self.slot is not None and self.table[2 * self.slot + 1] > self._least():
            # declined again and again while a connection waits (asyncio asks as long as one does);
            # a pause between two asks starts a new wait (asyncio also asks once more after each
            # connection it accepts, when nothing may be waiting)
            now = time.monotonic()
            if self.declined_last is None or now - self.declined_last > DECLINES_APART_S:
                self.declined_since = now
            self.declined_last = now
            if now - (self.declined_since or now) < LEAVE_AT_MOST_S:
                raise BlockingIOError  # what a listener with nothing waiting raises
        fd, address = self._accept()  # type: ignore[attr-defined]
        conn = CountedConnection(self.family, self.type, self.proto, fileno=fd)
        conn.listener = self
        self._count(+1)
        return conn, address


class CountedConnection(socket.socket):
    """An accepted connection that takes itself off its worker's count when it closes."""

    listener: BalancedListener | None = None

    def close(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            listener._count(-1)
        super().close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reduce_listener(sock: BalancedListener) -> tuple[Any, tuple[Any, ...]]:
    return _rebuild_listener, (DupFd(sock.fileno()), sock.family, sock.type, sock.proto, sock.table)


def _rebuild_listener(df: Any, family: int, kind: int, proto: int, table: Any) -> BalancedListener:
    listener = BalancedListener(family, kind, proto, fileno=df.detach())
    listener.table = table
    return listener


ForkingPickler.register(BalancedListener, _reduce_listener)  # as multiprocessing sends sockets


def run_workers(count: int, host: str, port: int) -> None:
    """Serve `FACTORY`'s app from `count` processes until SIGINT or SIGTERM stops them all."""
    config = TcpConfig(
        FACTORY,
        factory=True,
        workers=count,
        host=host,
        port=port,
        log_level="warning",
        timeout_worker_healthcheck=HEALTHCHECK_S,
    )
    try:
        # slots for replacements too (uvicorn restarts a worker that stops answering)
        listener = BalancedListener.shared(config.bind_socket(), slots=2 * count + 2)
        Multiprocess(config, sockets=[listener]).run()
    except KeyboardInterrupt:
        pass
