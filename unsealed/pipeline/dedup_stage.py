"""Post-ingest stage: near-duplicate clusters of documents and pages, updated incrementally.

Each new document has a MinHash signature of its whole text (page_number 0) and one per page, with
their LSH band keys, computed by the ingest workers and written with the document (cluster "" until
this stage runs; documents without them are signed here). Per batch, one look-up of all the
batch's band keys in the band index finds the stored texts that share one (only those are compared,
so adding 1 % more documents costs about 1 % of a full build); texts of the batch are compared with
each other in memory. A text joins the cluster of every copy whose estimated Jaccard similarity
reaches the threshold (clusters it bridges are merged), and each cluster it touched gets its
canonical member again: the most complete copy (fewest redaction boxes, then most text, then the
earliest Bates). Then the batch's clusters are written and its bands indexed, in bulk: the index
holds only clustered texts, so the look-up never meets the batch itself. The index has two levels
(LSM-style, `_Level`): a run small against the index writes `near_duplicate_recent_bands`, where
its rows fill a few pages of their own rather than landing on most pages of the large index
(random keys), and the recent level is merged into the main one, in key order, once it passes
RECENT_SHARE of it; look-ups read both. Every document and every page has a row, so each belongs
to a cluster (a singleton one when it has no copy). A text of fewer
than MIN_WORDS words gets no signature; it is a copy only of texts with exactly the same words.
Documents whose clusters this sets or changes become pending in the search index (it groups
results by cluster), so the next index stage re-reads them.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, func, select, update

from unsealed.analysis.neardup import Banding, from_bytes, signed_document, similarity
from unsealed.analysis.union_find import UnionFind
from unsealed.config import DedupOptions
from unsealed.pipeline.heap import frozen_heap
from unsealed.pipeline.stage import Stage
from unsealed.search import indexer
from unsealed.store.archive import Archive
from unsealed.store.bulk import execute_many, insert_flat, insert_many, marks
from unsealed.store.schema import (
    documents,
    near_duplicate_bands,
    near_duplicate_recent_bands,
    near_duplicates,
    pages,
)

BATCH = 500
KEYS_PER_QUERY = 4000  # band keys per look-up (SQLite allows 32,766 parameters)
RECENT_SHARE = 0.05  # the recent band level is merged into the main one past this share of it
_LEVELS = ("near_duplicate_bands", "near_duplicate_recent_bands")

Text = tuple[str, int]  # (document id, page number; 0: the whole document)


def cluster_key(document_id: str, page_number: int) -> str:
    """A text's own cluster key (its cluster while it joined no copy); `_SET_OWN_CLUSTER` is this
    in SQL: change both together."""
    return document_id if page_number == 0 else f"{document_id}:{page_number}"


def pending_ids(archive: Archive) -> list[str]:
    """Documents read ok that are not clustered yet (no row, or rows the writer left unclustered)."""
    signed = select(near_duplicates.c.document_id).where(near_duplicates.c.page_number == 0)
    unsigned = select(documents.c.id).where(documents.c.status == "ok", documents.c.id.not_in(signed))
    waiting = select(near_duplicates.c.document_id).where(
        near_duplicates.c.page_number == 0, near_duplicates.c.cluster == ""
    )
    with archive.engine.connect() as conn:
        return [*conn.execute(unsigned).scalars(), *conn.execute(waiting).scalars()]


def run_stage(archive: Archive, document_ids: Sequence[str], options: DedupOptions | None = None) -> None:
    options = options or DedupOptions.from_env()
    banding = Banding.for_options(options)
    ids = list(document_ids)
    if not ids:
        return
    with frozen_heap():  # a full collection during the stage walks only its own objects
        _run(archive, ids, options, banding)


def _run(archive: Archive, ids: list[str], options: DedupOptions, banding: Banding) -> None:
    level: _Level | None = None
    for start in range(0, len(ids), BATCH):
        with archive.engine.begin() as conn:
            held: tuple[bool, int] | None = None  # the band levels' state, known in the first batch
            if level is None:  # the run's sizes, in the first batch's transaction
                level, held = _Level.for_run(conn, banding)
            batch = ids[start : start + BATCH]
            rows = _batch_rows(conn, batch)
            have = {row[1] for row in rows if row[2] == 0}
            if _sign_missing(conn, [i for i in batch if i not in have], options, banding):
                rows, held = _batch_rows(conn, batch), None  # read again after signing's writes
            _cluster(conn, [row for row in rows if row[5] == ""], options, level, held)


def forget(conn: Connection, document_ids: Sequence[str]) -> None:
    """Drop the documents' signatures, bands and cluster rows (their text changed: `unsealed
    reprocess`), so that the next run signs and clusters them again; a cluster that loses its
    canonical member gets another."""
    nd = near_duplicates.c
    ids = list(document_ids)
    rows = conn.execute(
        select(nd.id, nd.cluster, nd.bands).where(nd.document_id.in_(ids), nd.cluster != "")
    ).all()
    clusters = {cluster for _, cluster, _ in rows}
    indexed = [  # the band index's rows of these texts, deleted by their key
        (band, text_id)
        for text_id, _, packed in rows
        for band in np.unique(np.frombuffer(packed or b"", dtype="<i8")).tolist()
    ]
    for level in _LEVELS:
        execute_many(conn, f"DELETE FROM {level} WHERE band = ? AND text_id = ?", indexed)
    conn.execute(delete(near_duplicates).where(nd.document_id.in_(ids)))
    if clusters:
        _choose_canonical(conn, clusters)


def _texts(conn: Connection, ids: Sequence[str]) -> dict[str, list[tuple[int, str]]]:
    rows = conn.execute(
        select(pages.c.document_id, pages.c.number, pages.c.text)
        .join(documents, documents.c.id == pages.c.document_id)
        .where(pages.c.document_id.in_(ids), documents.c.status == "ok")
        .order_by(pages.c.document_id, pages.c.number)
    )
    out: dict[str, list[tuple[int, str]]] = {}
    for doc_id, number, text in rows:
        out.setdefault(doc_id, []).append((number, text or ""))
    return out


_BATCH_ROWS = (
    "SELECT id, document_id, page_number, signature, bands, cluster FROM near_duplicates "
    "WHERE document_id IN ({ids}) AND (cluster = '' OR page_number = 0)"
)


def _batch_rows(conn: Connection, ids: Sequence[str]) -> list[Any]:
    """(id, document_id, page_number, signature, bands, cluster) of the documents' unclustered
    texts, and their whole-document rows (which say a document is signed): one raw statement, as
    the stage's per-run statements are (a small run pays no compiling of a long `IN` list)."""
    return _fetch(conn, _BATCH_ROWS.format(ids=marks(conn, len(ids))), tuple(ids))


def _fetch(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[Any]:
    """The rows of one statement run on the connection's DB-API cursor, in its transaction: the
    stage's hot statements skip SQLAlchemy's per-statement and per-row machinery (~0.1 ms a
    statement; a run of one document makes ~8)."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _sign_missing(conn: Connection, missing: Sequence[str], options: DedupOptions, banding: Banding) -> bool:
    """Signatures for documents the workers did not sign (older archives, `unsealed reprocess`);
    whether any row was written."""
    if not missing:
        return False
    rows: list[dict[str, Any]] = []
    for doc_id, page_texts in _texts(conn, missing).items():
        whole, signed_pages = signed_document([t for _, t in page_texts], options, banding)
        numbers = [0] + [n for n, _ in page_texts]
        for number, (sig, keys) in zip(numbers, [whole, *signed_pages], strict=True):
            rows.append(
                {"document_id": doc_id, "page_number": number, "cluster": "", "canonical": True,
                 "signature": sig, "similarity": None, "bands": keys}
            )  # fmt: skip
    insert_many(conn, near_duplicates, rows)
    return bool(rows)


_CANDIDATES = (
    "SELECT b.band, n.id, n.document_id, n.page_number, n.signature, n.cluster "
    "FROM {level} b JOIN near_duplicates n ON n.id = b.text_id WHERE b.band IN ({keys})"
)
# SQLite: the keys (sorted) as one JSON array parameter, joined to the index in their order. The
# statement's text is the same whatever the key count, so preparing it costs nothing, where SQLite
# parses `IN (?, ?, …)` anew for each count (3,520 keys: ~1.4 ms of the look-up's ~5.7 ms of CPU,
# and `IN` first copies its list into a temporary B-tree); json_each and `json.dumps` cost ~0.4 ms.
# PostgreSQL keeps `IN`.
_CANDIDATES_SQLITE = (
    "SELECT b.band, n.id, n.document_id, n.page_number, n.signature, n.cluster "
    "FROM json_each(?) k CROSS JOIN {level} b ON b.band = k.value JOIN near_duplicates n ON n.id = b.text_id"
)
_JSON_EACH = sqlite3.sqlite_version_info >= (3, 38, 0)  # JSON functions built in
_SET_CLUSTER = "UPDATE near_duplicates SET cluster = ?, similarity = ? WHERE id = ?"
_SET_OWN_CLUSTER = (  # `cluster_key` in SQL
    "UPDATE near_duplicates SET similarity = NULL, cluster = CASE page_number WHEN 0 THEN document_id "
    "ELSE document_id || ':' || page_number END WHERE id IN ({ids})"
)


def _stored(conn: Connection, keys: list[int], levels: Sequence[str]) -> Iterator[Any]:
    """(band, id, document_id, page_number, signature, cluster) of the indexed texts with these bands
    (`keys` sorted)."""
    if _JSON_EACH and conn.dialect.name == "sqlite":
        array = json.dumps(keys)
        for level in levels:
            yield from _fetch(conn, _CANDIDATES_SQLITE.format(level=level), (array,))
        return
    for level in levels:
        for start in range(0, len(keys), KEYS_PER_QUERY):
            chunk = keys[start : start + KEYS_PER_QUERY]
            sql = _CANDIDATES.format(level=level, keys=marks(conn, len(chunk)))
            yield from _fetch(conn, sql, chunk)  # one fetch, not one a row


# The band levels' state: whether the main level holds anything, and the recent level's row count.
_HELD = "EXISTS (SELECT 1 FROM near_duplicate_bands), (SELECT count(*) FROM near_duplicate_recent_bands)"


def _level_rows(conn: Connection) -> tuple[bool, int]:
    """Whether the main band level holds anything (a first batch has nothing to look up), and the
    recent level's row count, in one statement."""
    ((main, recent),) = _fetch(conn, f"SELECT {_HELD}")
    return bool(main), int(recent)


@dataclass(frozen=True)
class _Level:
    """Where a run indexes its bands. A run that adds at most RECENT_SHARE of the texts clustered
    before it is small: its batches go to the recent level, merged into the main one once that
    passes RECENT_SHARE of it (`limit` rows). A larger run (a full build) writes the main level
    directly, so its rows are not written twice. Sizes are estimated once per run, from the texts'
    highest id and the count of unclustered texts (each text has at most `bands` rows), with no count
    of a large table; in the same statement, the band levels' state (`_level_rows`) for the first
    batch."""

    small: bool
    limit: float  # rows

    @classmethod
    def for_run(cls, conn: Connection, banding: Banding) -> tuple[_Level, tuple[bool, int]]:
        ((highest, waiting, main, recent),) = _fetch(
            conn,
            "SELECT (SELECT max(id) FROM near_duplicates), "
            f"(SELECT count(*) FROM near_duplicates WHERE cluster = ''), {_HELD}",
        )
        highest, waiting = int(highest or 0), int(waiting)
        clustered = max(0, highest - waiting)
        level = cls(0 < waiting <= RECENT_SHARE * clustered, RECENT_SHARE * clustered * banding.bands)
        return level, (bool(main), int(recent))


def _index_bands(conn: Connection, rows: np.ndarray, recent: int, level: _Level) -> None:
    """Index a batch's (band, text id) rows in the level the run writes (see `_Level`)."""
    if not level.small:
        insert_flat(conn, near_duplicate_bands, ("band", "text_id"), rows.ravel().tolist())
        if recent:
            _merge_recent(conn)
        return
    insert_flat(conn, near_duplicate_recent_bands, ("band", "text_id"), rows.ravel().tolist())
    if recent + len(rows) > level.limit:
        _merge_recent(conn)


def _merge_recent(conn: Connection) -> None:
    """The recent band level moved into the main one (read in key order: each page written once)."""
    conn.exec_driver_sql(
        "INSERT INTO near_duplicate_bands (band, text_id) "
        "SELECT band, text_id FROM near_duplicate_recent_bands"
    )
    conn.execute(delete(near_duplicate_recent_bands))


def _score(a: bytes | None, b: bytes | None) -> float:
    if a is None or b is None:  # short texts share a key only with the same words
        return 1.0 if a is None and b is None else 0.0
    return similarity(from_bytes(a), from_bytes(b))


class _BatchBands:
    """The batch's texts' band keys, sorted (numpy): which texts share one, which hold one."""

    def __init__(self, packed: list[bytes | None]):
        blobs = [p or b"" for p in packed]
        keys = np.frombuffer(b"".join(blobs), dtype="<i8")
        owners = np.repeat(np.arange(len(blobs)), [len(blob) // 8 for blob in blobs])
        order = np.lexsort((owners, keys))
        keys, owners = keys[order], owners[order]
        distinct = np.ones(len(keys), dtype=bool)  # each (key, text) once
        distinct[1:] = (keys[1:] != keys[:-1]) | (owners[1:] != owners[:-1])
        self.keys, self.owners = keys[distinct], owners[distinct]
        first = np.ones(len(self.keys), dtype=bool)  # where each key's run starts
        first[1:] = self.keys[1:] != self.keys[:-1]
        self.starts = np.flatnonzero(first)
        self.distinct = self.keys[self.starts]

    def shared(self) -> Iterator[np.ndarray]:
        """The texts (indexes) of each key held by more than one text of the batch."""
        ends = np.append(self.starts[1:], len(self.keys))
        several = ends - self.starts > 1
        for start, end in zip(self.starts[several].tolist(), ends[several].tolist(), strict=True):
            yield self.owners[start:end]


def _matrix(signatures: Sequence[bytes | None], width: int) -> tuple[np.ndarray, np.ndarray]:
    """The signatures as rows of one uint32 matrix (zeros where none) and which rows have none."""
    blank = bytes(4 * width)
    rows = np.frombuffer(b"".join(s or blank for s in signatures), dtype="<u4").reshape(-1, width)
    return rows, np.array([s is None for s in signatures], dtype=bool)


def _stored_matches(
    conn: Connection,
    bands: _BatchBands,
    sigs: list[bytes | None],
    options: DedupOptions,
    levels: Sequence[str],
) -> list[tuple[int, float, Text, str]]:
    """The batch's texts' copies among the indexed texts sharing a band with them, each pair scored
    once, in bulk: (text of the batch, score, the copy, its cluster)."""
    rows = list(_stored(conn, bands.distinct.tolist(), levels)) if levels else []
    if not rows:
        return []
    found = np.array([r[0] for r in rows], dtype=np.int64)
    low, high = np.searchsorted(bands.keys, found), np.searchsorted(bands.keys, found, "right")
    counts = high - low
    row = np.repeat(np.arange(len(rows)), counts)  # a (stored row, batch text holding its band) each
    holder = bands.owners[np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts - low, counts)]
    text_ids = np.array([r[1] for r in rows], dtype=np.int64)
    _, once = np.unique(holder * (int(text_ids.max()) + 1) + text_ids[row], return_index=True)
    holder, row = holder[once], row[once]
    mine, mine_blank = _matrix(sigs, options.permutations)
    theirs, theirs_blank = _matrix([r[4] for r in rows], options.permutations)
    same = np.count_nonzero(mine[holder] == theirs[row], axis=1) / options.permutations
    blank_a, blank_b = mine_blank[holder], theirs_blank[row]  # short texts: a key only for the same words
    scores = np.where(blank_a | blank_b, (blank_a & blank_b).astype(float), same)
    keep = np.flatnonzero(scores >= options.threshold)
    return [
        (a, score, (rows[r][2], rows[r][3]), rows[r][5])
        for a, score, r in zip(holder[keep].tolist(), scores[keep].tolist(), row[keep].tolist(), strict=True)
    ]


def _cluster(
    conn: Connection,
    rows: Sequence[Any],
    options: DedupOptions,
    level: _Level,
    held: tuple[bool, int] | None = None,
) -> None:
    """Cluster the batch's unclustered texts (`_batch_rows`) against each other and everything that
    shares a band with them, then write their clusters and index their bands. `held`: the band
    levels' state (`_level_rows`) where the caller has it."""
    if not rows:
        return
    text_ids = np.array([r[0] for r in rows], dtype=np.int64)
    texts: list[Text] = [(r[1], r[2]) for r in rows]
    sigs: list[bytes | None] = [r[3] for r in rows]
    bands = _BatchBands([r[4] for r in rows])
    groups = UnionFind()
    best: dict[int, float] = {}
    compared: set[tuple[int, int]] = set()  # (text of the batch, id of the text compared)

    def match(a: int, b: int, b_text: Text, other: bytes | None, cluster: str) -> None:
        if (a, b) in compared:  # the pair shares more than one band
            return
        compared.add((a, b))
        score = _score(sigs[a], other)
        if score >= options.threshold:
            groups.union(cluster_key(*texts[a]), cluster or cluster_key(*b_text))
            best[a] = max(best.get(a, 0.0), score)

    for members in bands.shared():  # copies within the batch
        for i, a in enumerate(members.tolist()):
            for b in members[i + 1 :].tolist():
                match(a, int(text_ids[b]), texts[b], sigs[b], "")
                match(b, int(text_ids[a]), texts[a], sigs[a], "")
    main, recent = held or _level_rows(conn)
    levels = [name for name, held in zip(_LEVELS, (main, recent), strict=True) if held]
    for a, score, copy, cluster in _stored_matches(conn, bands, sigs, options, levels):  # indexed before
        groups.union(cluster_key(*texts[a]), cluster or cluster_key(*copy))
        best[a] = max(best.get(a, 0.0), score)
    changed = _merge_bridged(conn, groups) | {text[0] for text in texts}  # their copy keys change
    joined, alone = [], []
    for i, (text, text_id) in enumerate(zip(texts, text_ids.tolist(), strict=True)):
        key = cluster_key(*text)
        if key in groups.parent:
            joined.append((groups.find(key), best.get(i), text_id))
        else:
            alone.append(text_id)
    execute_many(conn, _SET_CLUSTER, joined)
    _set_own_clusters(conn, alone)
    _index_bands(
        conn,
        np.column_stack((bands.keys, text_ids[bands.owners])),  # (band, text id) rows
        recent,
        level,
    )
    indexer.mark_pending(conn, changed)
    touched = {groups.find(cluster_key(*texts[i])) for i in best}
    if touched:
        _choose_canonical(conn, touched)


def _set_own_clusters(conn: Connection, text_ids: Sequence[int]) -> None:
    """Texts that joined no copy get their own cluster key (`cluster_key`, computed by the
    database): one statement per KEYS_PER_QUERY texts instead of one row each."""
    for start in range(0, len(text_ids), KEYS_PER_QUERY):
        chunk = tuple(text_ids[start : start + KEYS_PER_QUERY])
        conn.exec_driver_sql(_SET_OWN_CLUSTER.format(ids=marks(conn, len(chunk))), chunk)


def _merge_bridged(conn: Connection, groups: UnionFind) -> set[str]:
    """Stored clusters that a new text joined together become one; returns their documents."""
    changed: set[str] = set()
    if not groups.parent:
        return changed
    existing = set(
        conn.execute(
            select(near_duplicates.c.cluster)
            .where(near_duplicates.c.cluster.in_(set(groups.parent)))
            .distinct()
        ).scalars()
    )
    for cluster in existing:
        target = groups.find(cluster)
        if target != cluster:  # a new text bridged two clusters: they become one
            changed.update(
                conn.execute(
                    select(near_duplicates.c.document_id)
                    .where(near_duplicates.c.cluster == cluster)
                    .distinct()
                ).scalars()
            )
            conn.execute(
                update(near_duplicates).where(near_duplicates.c.cluster == cluster).values(cluster=target)
            )
    return changed


def _choose_canonical(conn: Connection, clusters: set[str]) -> None:
    """The most complete copy of each cluster: fewest redaction boxes, most text, earliest Bates, then
    (copies that tie: the same file in two data sets) the lowest document id and page number, so the
    choice does not depend on the order the database returns the members in (a cluster left with
    one member after `forget` has it as canonical)."""
    for cluster in sorted(clusters):
        members = conn.execute(
            select(near_duplicates.c.document_id, near_duplicates.c.page_number).where(
                near_duplicates.c.cluster == cluster
            )
        ).all()
        if not members:
            continue
        best = min(_completeness(conn, members))[1]  # ties broken by (document id, page number)
        conn.execute(
            update(near_duplicates).where(near_duplicates.c.cluster == cluster).values(canonical=False)
        )
        conn.execute(
            update(near_duplicates)
            .where(near_duplicates.c.document_id == best[0], near_duplicates.c.page_number == best[1])
            .values(canonical=True)
        )


def _completeness(
    conn: Connection, members: Sequence[Any]
) -> list[tuple[tuple[int, int, str], tuple[str, int]]]:
    out = []
    for doc_id, number in members:
        query = select(
            func.coalesce(func.sum(pages.c.redaction_count), 0),
            func.coalesce(func.sum(pages.c.char_count), 0),
            func.min(pages.c.bates),
        ).where(pages.c.document_id == doc_id)
        if number:
            query = query.where(pages.c.number == number)
        redactions, chars, bates = conn.execute(query).one()
        out.append(((int(redactions), -int(chars), bates or doc_id), (doc_id, number)))
    return out


def stage() -> Stage:
    return Stage("near-duplicates", run_stage, pending=pending_ids)
