"""`unsealed serve`: the read-only web archive and JSON API over an archive folder."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from unsealed.cli.options import ArchiveOption
from unsealed.config import Settings
from unsealed.errors import ConfigError


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        archive: ArchiveOption = None,
        host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
        workers: Annotated[
            int | None,
            typer.Option(
                help="Server processes sharing the port [env UNSEALED_WEB_WORKERS, default: one per "
                "CPU, at most 8]; 1 serves from this process.",
                min=1,
                max=64,
            ),
        ] = None,
    ) -> None:
        """Serve the archive in a browser and as JSON (/api/v1, OpenAPI at /openapi.json). Read-only."""
        import uvicorn

        from unsealed.store.archive import Archive
        from unsealed.web import create_app
        from unsealed.web.serving import run_workers, settle_heap

        settings = Settings.from_env().with_overrides(archive_dir=archive, web_workers=workers)
        if settings.web_workers < 1:
            raise ConfigError(f"UNSEALED_WEB_WORKERS must be at least 1, got {settings.web_workers}")
        # opened here whatever the worker count: a missing archive fails before anything listens,
        # and the schema is brought up to date once, not by each worker
        opened = Archive.open(settings.archive_dir, create=False)
        count = settings.web_workers
        plural = "es" if count > 1 else ""
        typer.echo(
            f"Serving {settings.archive_dir} on http://{host}:{port}/ with {count} process{plural} "
            "(Ctrl-C to stop)"
        )
        if count == 1:
            try:
                app = create_app(opened)
                settle_heap()
                uvicorn.run(app, host=host, port=port, log_level="warning")
            finally:
                opened.close()
            return
        opened.close()
        # the workers are fresh processes that read their settings from the environment: the
        # archive this command was given, and a share of the page renderers each
        os.environ["UNSEALED_ARCHIVE"] = str(settings.archive_dir.resolve())
        os.environ.setdefault("UNSEALED_RENDER_WORKERS", str(max(1, settings.render_workers // count)))
        run_workers(count, host, port)
