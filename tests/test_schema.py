"""The Alembic migrations build exactly the schema that `unsealed.store.schema` declares."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from unsealed.store.archive import Archive
from unsealed.store.schema import metadata


def test_migrations_match_the_declared_schema(tmp_path):
    with Archive.open(tmp_path) as archive, archive.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
