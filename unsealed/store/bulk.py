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
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.engine import Dialect


@dataclass(frozen=True)
class _Plan:
    sql: str
    keys: tuple[str, ...]  # in the statement's parameter order
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, processor), where one is needed
    positional: bool  # the driver takes tuples (qmark, format) rather than dicts (named, pyformat)

    def values(self, row: dict[str, Any]) -> tuple[Any, ...]:
        values: tuple[Any, ...] = itemgetter(*self.keys)(row) if len(self.keys) > 1 else (row[self.keys[0]],)
        if not self.processors:
            return values
        processed = list(values)
        for position, process in self.processors:
            processed[position] = process(processed[position])
        return tuple(processed)


@lru_cache(maxsize=64)  # per table, columns and engine dialect
def _plan(table: Table, keys: tuple[str, ...], dialect: Dialect) -> _Plan:
    missing = [c.name for c in table.c if c.name not in keys and c.default is not None]
    if missing:
        raise ValueError(f"insert_many into {table.name} needs values for {missing} (they have defaults)")
    compiled = insert(table).compile(dialect=dialect, column_keys=list(keys))
    order = tuple(compiled.positiontup or keys)
    processors = [
        (i, table.c[key].type.dialect_impl(dialect).bind_processor(dialect)) for i, key in enumerate(order)
    ]
    needed = tuple((i, process) for i, process in processors if process is not None)
    return _Plan(compiled.string, order, needed, compiled.positiontup is not None)


def insert_many(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into `table`, inside the caller's transaction."""
    if not rows:
        return
    plan = _plan(table, tuple(rows[0]), conn.dialect)
    values = [plan.values(row) for row in rows]
    params = values if plan.positional else [dict(zip(plan.keys, v, strict=True)) for v in values]
    conn.exec_driver_sql(plan.sql, params)


def insert_tuples(
    conn: Connection, table: Table, keys: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert `rows`, tuples of the `keys` columns' values (no dict per row: for the many small rows
    of an index such as near_duplicate_bands)."""
    if not rows:
        return
    plan = _plan(table, keys, conn.dialect)
    if plan.processors or not plan.positional or plan.keys != keys:
        insert_many(conn, table, [dict(zip(keys, row, strict=True)) for row in rows])
        return
    conn.exec_driver_sql(plan.sql, list(rows))


ROWS_PER_VALUES = 500  # rows of one multi-row INSERT (2 columns: 1,000 parameters, well under limits)


def insert_flat(conn: Connection, table: Table, keys: tuple[str, ...], flat: Sequence[Any]) -> None:
    """Insert rows given as one flat list of values (row after row of the `keys` columns, which need
    no bind processing: integers), by multi-row `INSERT … VALUES (…), (…)` statements of
    ROWS_PER_VALUES rows: SQLite's executemany costs ~1.1 µs a row in its per-row round trip, about
    three times this (35,200 two-integer rows: ~50 against ~15-20 ms)."""
    width = len(keys)
    count = len(flat) // width
    if not count:
        return
    row = "(" + ",".join([_mark(conn.dialect)] * width) + ")"
    head = f"INSERT INTO {table.name} ({', '.join(keys)}) VALUES "
    full = count - count % ROWS_PER_VALUES
    if full:
        sql = head + ",".join([row] * ROWS_PER_VALUES)
        step = ROWS_PER_VALUES * width
        conn.exec_driver_sql(sql, [tuple(flat[i : i + step]) for i in range(0, full * width, step)])
    if count > full:
        conn.exec_driver_sql(head + ",".join([row] * (count - full)), tuple(flat[full * width :]))


def marks(conn: Connection, count: int) -> str:
    """`count` positional parameter marks in the driver's style, comma-separated."""
    return ",".join([_mark(conn.dialect)] * count)


def execute_many(conn: Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Run `sql`, written with `?` marks, once per row of positional values, in one driver call."""
    if rows:
        conn.exec_driver_sql(sql.replace("?", _mark(conn.dialect)), list(rows))


def _mark(dialect: Dialect) -> str:
    return "?" if dialect.paramstyle == "qmark" else "%s"
