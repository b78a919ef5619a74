"""An archive: a database and a blob store, opened together from one folder (or URLs)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from unsealed.config import database_url, storage_url
from unsealed.store.blobs import BlobStore
from unsealed.store.database import create_archive_engine, upgrade_schema

DB_FILENAME = "archive.db"
BLOBS_DIRNAME = "blobs"


@dataclass
class Archive:
    root: Path
    engine: Engine
    blobs: BlobStore

    @classmethod
    def open(cls, root: Path, *, create: bool = True) -> Archive:
        """Open (and by default create) the archive in `root`.

        UNSEALED_DATABASE_URL (a PostgreSQL URL) and UNSEALED_STORAGE (an fsspec URL such as
        s3://bucket/prefix) move the records and the blobs out of the folder.
        """
        from unsealed.errors import NotFoundError

        root = Path(root)
        db_url = database_url()
        if not create and db_url is None and not (root / DB_FILENAME).exists():
            raise NotFoundError(f"no archive at {root} (run `unsealed ingest` first, or pass --archive)")
        root.mkdir(parents=True, exist_ok=True)
        engine = create_archive_engine(db_url or f"sqlite:///{(root / DB_FILENAME).resolve()}")
        upgrade_schema(engine)
        blobs = BlobStore(storage_url() or (root / BLOBS_DIRNAME).resolve())
        return cls(root=root, engine=engine, blobs=blobs)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
