"""INSERT many rows at once through the database driver's own executemany.

SQLAlchemy's executemany prepares every row's parameters in Python, which cost the single ingest
writer twice as much CPU as SQLite's inserts themselves (2,000 page rows: ~25 ms against ~11). Here
the statement is compiled once per table and set of columns, and each row only passes through the
columns' bind processors (date-times to text on SQLite, for example), as SQLAlchemy would do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Plan:
    sql: str
    columns: tuple[tuple[str, Processor], ...]  # in the statement's parameter order
    positional: bool  # the driver takes tuples (qmark, format) rather than dicts (named, pyformat)


@lru_cache(maxsize=64)  # per table, columns and engine dialect
def _plan(table: Table, keys: tuple[str, ...], dialect: Dialect) -> _Plan:
    missing = [c.name for c in table.c if c.name not in keys and c.default is not None]
    if missing:
        raise ValueError(f"insert_many into {table.name} needs values for {missing} (they have defaults)")
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    order = compiled.positiontup or list(keys)
    processors = tuple(
        (key, table.c[key].type.dialect_impl(dialect).bind_processor(dialect)) for key in order
    )
    return _Plan(compiled.string, processors, compiled.positiontup is not None)


def insert_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into `table`, inside the caller's transaction."""
    if not rows:
        return
    plan = _plan(table, tuple(rows[0]), conn.dialect)
    if plan.positional:
        params: list[Any] = [
            tuple(row[key] if process is None else process(row[key]) for key, process in plan.columns)
            for row in rows
        ]
    else:
        params = [
            {key: row[key] if process is None else process(row[key]) for key, process in plan.columns}
            for row in rows
        ]
    conn.exec_driver_sql(plan.sql, params)
