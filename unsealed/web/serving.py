"""Several server processes on one port: uvicorn's supervisor with a listener that keeps TCP_NODELAY.

uvicorn binds the socket for its workers with `proto` 0; the connections accepted on it inherit that,
and asyncio sets TCP_NODELAY only on sockets that say IPPROTO_TCP, so every keep-alive response
waited for the client's delayed ACK, ~40 ms on Linux (uvicorn issue #3149; `--workers 1` is not
affected: asyncio builds that listener itself). `TcpConfig` hands the workers the same listener
with its protocol said.
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

FACTORY = "unsealed.web.app:app_from_env"  # what each worker calls for its app
HEALTHCHECK_S = 60  # uvicorn kills a worker that does not answer its ping for this long (default 5)


class TcpConfig(uvicorn.Config):
    def bind_socket(self) -> socket.socket:
        sock = super().bind_socket()
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return sock
        return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())


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
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    except KeyboardInterrupt:
        pass
