"""`unsealed serve`: the read-only web archive and JSON API over an archive folder."""

from __future__ import annotations

from typing import Annotated

import typer

from unsealed.cli.options import ArchiveOption
from unsealed.config import Settings


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        archive: ArchiveOption = None,
        host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    ) -> None:
        """Serve the archive in a browser and as JSON (/api/v1, OpenAPI at /openapi.json). Read-only."""
        import uvicorn

        from unsealed.store.archive import Archive
        from unsealed.web import create_app

        settings = Settings.from_env().with_overrides(archive_dir=archive)
        opened = Archive.open(settings.archive_dir, create=False)
        typer.echo(f"Serving {settings.archive_dir} on http://{host}:{port}/ (Ctrl-C to stop)")
        try:
            uvicorn.run(create_app(opened), host=host, port=port, log_level="warning")
        finally:
            opened.close()
