"""`Server-Timing: app;dur=…` on every response: the milliseconds from the request reaching the app to
its response starting (page built, compressed), so a client can tell the server's time from the
waiting around it (connection queues, the client's own work). The benchmark reads it
(bench/web.py); browsers show it in their network panel."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ServerTimingMiddleware:
    """Pure ASGI middleware; add it last, so that it wraps the others (gzip included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def send_timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                message["headers"] = [*message.get("headers", []), (b"server-timing", b"app;dur=%.1f" % took)]
            await send(message)

        await self.app(scope, receive, send_timed)
