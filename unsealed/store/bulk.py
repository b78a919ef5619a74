"""INSERT many rows at once through the database driver's own executemany.

SQLAlchemy's executemany prepares every row's parameters in Python, which cost the single ingest
writer twice as much CPU as SQLite's inserts themselves (2,000 page rows: ~25 ms against ~11). Here
the statement is compiled once per table and set of columns, and each row only passes through the
columns' bind processors (date-times to text on SQLite, for example), as SQLAlchemy would do.

On PostgreSQL a batch of more than COPY_FROM rows goes in with one COPY instead: psycopg's
executemany sends one INSERT per row (pipelined), ~40 µs of client CPU and as much of the server's
per row; resolution's 400,000 entity pairs of 160 documents took 17 s that way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.engine import Dialect

COPY_FROM = 64  # rows; below this, one pipelined INSERT per row costs less than starting a COPY


@dataclass(frozen=True)
class _Plan:
    sql: str
    keys: tuple[str, ...]  # in the statement's parameter order
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, processor), where one is needed
    positional: bool  # the driver takes tuples (qmark, format) rather than dicts (named, pyformat)

    def values(self, row: dict[str, Any]) -> tuple[Any, ...]:
        values: tuple[Any, ...] = itemgetter(*self.keys)(row) if len(self.keys) > 1 else (row[self.keys[0]],)
        return self.processed(values) if self.processors else values

    def processed(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """`values` (in the statement's order) through the columns' bind processors."""
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
    if _copy(conn, table, plan.keys, values):
        return
    params = values if plan.positional else [dict(zip(plan.keys, v, strict=True)) for v in values]
    conn.exec_driver_sql(plan.sql, params)


def insert_tuples(
    conn: Connection, table: Table, keys: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert `rows`, tuples of the `keys` columns' values (no dict per row: for the many small rows
    of an index such as near_duplicate_bands, or the writer's signature rows); the columns' bind
    processors, where there are any, are applied to the tuples' values."""
    if not rows:
        return
    plan = _plan(table, keys, conn.dialect)
    if not plan.positional or plan.keys != keys:
        insert_many(conn, table, [dict(zip(keys, row, strict=True)) for row in rows])
        return
    if plan.processors:
        rows = [plan.processed(row) for row in rows]
    if _copy(conn, table, keys, rows):
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


def _copy(conn: Connection, table: Table, keys: Sequence[str], rows: Sequence[Sequence[Any]]) -> bool:
    """`rows` (values in the order of `keys`, processed) put into `table` with one COPY, on
    PostgreSQL and for more than COPY_FROM rows; False when not (the caller inserts them)."""
    if not _copies(conn) or len(rows) <= COPY_FROM:
        return False
    columns = ", ".join(conn.dialect.identifier_preparer.quote(key) for key in keys)
    name = conn.dialect.identifier_preparer.format_table(table)
    if not conn.in_transaction():
        conn.begin()  # as SQLAlchemy's own statements would (autobegin): the caller commits it
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f"COPY {name} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return True


def _copies(conn: Connection) -> bool:
    """PostgreSQL through psycopg 3 (the driver whose cursors have `copy`)."""
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def add_counts(
    conn: Connection, table: Table, keys: tuple[str, ...], column: str, rows: Sequence[tuple[Any, ...]]
) -> None:
    """Add each row's last value to `column` of the stored row with the same `keys` values, or insert
    the row where there is none (`INSERT … ON CONFLICT (keys) DO UPDATE`; `keys` must be unique and
    each appear once in `rows`). On PostgreSQL, more than COPY_FROM rows are copied into a temporary
    table and applied with one statement (not one upsert per row: a first resolution writes
    hundreds of thousands of entity pairs)."""
    if not rows:
        return
    quote = conn.dialect.identifier_preparer.quote
    target = quote(table.name)
    names = [quote(name) for name in (*keys, column)]
    conflict = ", ".join(names[:-1])
    upsert = (
        f"ON CONFLICT ({conflict}) DO UPDATE SET {names[-1]} = {target}.{names[-1]} + excluded.{names[-1]}"
    )
    if not _copies(conn) or len(rows) <= COPY_FROM:
        execute_many(
            conn,
            f"INSERT INTO {target} ({', '.join(names)}) VALUES ({marks(conn, len(names))}) {upsert}",
            rows,
        )
        return
    _copy_to_temp(conn, "unsealed_bulk_add", target, names, rows)
    conn.exec_driver_sql(
        f"INSERT INTO {target} ({', '.join(names)}) SELECT {', '.join(names)} FROM unsealed_bulk_add {upsert}"
    )
    conn.exec_driver_sql("DROP TABLE unsealed_bulk_add")


def marks(conn: Connection, count: int) -> str:
    """`count` positional parameter marks in the driver's style, comma-separated."""
    return ",".join([_mark(conn.dialect)] * count)


def execute_many(conn: Connection, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Run `sql`, written with `?` marks, once per row of positional values, in one driver call."""
    if rows:
        conn.exec_driver_sql(sql.replace("?", _mark(conn.dialect)), list(rows))


def _mark(dialect: Dialect) -> str:
    return "?" if dialect.paramstyle == "qmark" else "%s"


def update_rows(
    conn: Connection, table: Table, key: str, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    """`UPDATE table SET columns WHERE key = …` for each row (the key's value, then the columns'):
    on PostgreSQL, more than COPY_FROM rows are copied into a temporary table and applied with one
    UPDATE … FROM (not one statement per row)."""
    if not rows:
        return
    if not _copies(conn) or len(rows) <= COPY_FROM:
        sets = ", ".join(f"{column} = ?" for column in columns)
        execute_many(
            conn, f"UPDATE {table.name} SET {sets} WHERE {key} = ?", [(*row[1:], row[0]) for row in rows]
        )
        return
    quote = conn.dialect.identifier_preparer.quote
    names = [quote(name) for name in (key, *columns)]
    _copy_to_temp(conn, "unsealed_bulk_update", quote(table.name), names, rows)
    sets = ", ".join(f"{name} = u.{name}" for name in names[1:])
    conn.exec_driver_sql(
        f"UPDATE {quote(table.name)} AS t SET {sets} FROM unsealed_bulk_update AS u "
        f"WHERE t.{names[0]} = u.{names[0]}"
    )
    conn.exec_driver_sql("DROP TABLE unsealed_bulk_update")


def _copy_to_temp(
    conn: Connection, temp: str, target: str, names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """`rows` copied into a new temporary table `temp` of `target`'s `names` columns (quoted),
    dropped at commit at the latest (PostgreSQL through psycopg 3)."""
    columns = ", ".join(names)
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {columns} FROM {target} WITH NO DATA"
    )
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f"COPY {temp} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
