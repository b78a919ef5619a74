"""Post-ingest stage: near-duplicate clusters of documents and pages, updated incrementally.

Each new document has a MinHash signature of its whole text (page_number 0) and one per page, with
their LSH band keys, computed by the ingest workers and written with the document (cluster "" until
this stage runs; documents without them are signed here). One query per batch finds the stored
texts sharing a band with the batch's (only those are compared,
so adding 1 % more documents costs about 1 % of a full build), it joins the cluster of every copy
whose estimated Jaccard similarity reaches the threshold (clusters it bridges are merged), and each
cluster it touched gets its canonical member again: the most complete copy (fewest redaction boxes,
then most text, then the earliest Bates). Every document and every page has a row, so each belongs
to a cluster (a singleton one when it has no copy). Documents whose clusters this sets or changes
become pending in the search index (it groups results by cluster), so the next index stage
re-reads them. A text of fewer than MIN_WORDS words gets no
signature; it is a copy only of texts with exactly the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from unsealed.analysis.neardup import (
    Banding,
    from_bytes,
    pack_bands,
    signed_document,
    similarity,
    unpack_bands,
)
from unsealed.analysis.union_find import UnionFind
from unsealed.config import DedupOptions
from unsealed.pipeline.stage import Stage
from unsealed.search import indexer
from unsealed.store.archive import Archive
from unsealed.store.bulk import insert_many
from unsealed.store.schema import documents, near_duplicate_bands, near_duplicates, pages

BATCH = 500


def cluster_key(document_id: str, page_number: int) -> str:
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
    for start in range(0, len(ids), BATCH):
        with archive.engine.begin() as conn:
            _sign_missing(conn, ids[start : start + BATCH], options, banding)
            _cluster(conn, ids[start : start + BATCH], options)


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


def _sign_missing(conn: Connection, ids: Sequence[str], options: DedupOptions, banding: Banding) -> None:
    """Signatures for documents the workers did not sign (older archives, `unsealed reprocess`)."""
    have = set(
        conn.execute(
            select(near_duplicates.c.document_id).where(
                near_duplicates.c.document_id.in_(ids), near_duplicates.c.page_number == 0
            )
        ).scalars()
    )
    missing = [i for i in ids if i not in have]
    if not missing:
        return
    rows: list[dict[str, Any]] = []
    bands: list[dict[str, Any]] = []
    for doc_id, page_texts in _texts(conn, missing).items():
        whole, signed_pages = signed_document([t for _, t in page_texts], options, banding)
        numbers = [0] + [n for n, _ in page_texts]
        for number, (sig, keys) in zip(numbers, [whole, *signed_pages], strict=True):
            rows.append(
                {"document_id": doc_id, "page_number": number, "cluster": "", "canonical": True,
                 "signature": sig, "similarity": None, "bands": pack_bands(keys)}
            )  # fmt: skip
            bands.extend(
                {"band": k, "document_id": doc_id, "page_number": number} for k in dict.fromkeys(keys)
            )
    if rows:
        insert_many(conn, near_duplicates, rows)
    if bands:
        insert_many(conn, near_duplicate_bands, bands)


_CANDIDATES = (
    select(
        near_duplicate_bands.c.band,
        near_duplicates.c.document_id,
        near_duplicates.c.page_number,
        near_duplicates.c.signature,
        near_duplicates.c.cluster,
    )
    .join(
        near_duplicates,
        (near_duplicates.c.document_id == near_duplicate_bands.c.document_id)
        & (near_duplicates.c.page_number == near_duplicate_bands.c.page_number),
    )
    .where(
        near_duplicate_bands.c.band.in_(bindparam("band_keys", expanding=True)),
        near_duplicate_bands.c.document_id.not_in(bindparam("batch", expanding=True)),
    )
)
BANDS_PER_QUERY = 900
_SET_CLUSTER = (
    update(near_duplicates)
    .where(
        near_duplicates.c.document_id == bindparam("b_doc"),
        near_duplicates.c.page_number == bindparam("b_page"),
    )
    .values(cluster=bindparam("b_cluster"), similarity=bindparam("b_sim"))
)


def _score(a: bytes | None, b: bytes | None) -> float:
    if a is None or b is None:  # short texts share a key only with the same words
        return 1.0 if a is None and b is None else 0.0
    return similarity(from_bytes(a), from_bytes(b))


def _cluster(conn: Connection, ids: Sequence[str], options: DedupOptions) -> None:
    """Cluster the batch's unclustered texts against everything that shares a band with them."""
    nd = near_duplicates.c
    unclustered = select(nd.document_id, nd.page_number, nd.signature, nd.bands).where(
        nd.document_id.in_(ids), nd.cluster == ""
    )
    new: dict[tuple[str, int], bytes | None] = {}
    by_band: dict[int, list[tuple[str, int]]] = {}
    for r in conn.execute(unclustered):
        new[(r.document_id, r.page_number)] = r.signature
        for band in unpack_bands(r.bands):
            by_band.setdefault(band, []).append((r.document_id, r.page_number))
    if not new:
        return
    groups = UnionFind()
    best: dict[tuple[str, int], float] = {}

    def match(a: tuple[str, int], b: tuple[str, int], other: bytes | None, cluster: str) -> None:
        score = _score(new[a], other)
        if score >= options.threshold:
            groups.union(cluster_key(*a), cluster or cluster_key(*b))
            best[a] = max(best.get(a, 0.0), score)

    for members in by_band.values():  # copies within the batch
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if a != b:
                    match(a, b, new[b], "")
                    match(b, a, new[a], "")
    keys, batch = list(by_band), sorted({d for d, _ in new})
    for start in range(0, len(keys), BANDS_PER_QUERY):  # and everything stored before
        params = {"band_keys": keys[start : start + BANDS_PER_QUERY], "batch": batch}
        for r in conn.execute(_CANDIDATES, params):
            for a in by_band[r.band]:
                match(a, (r.document_id, r.page_number), r.signature, r.cluster)
    existing = set(
        conn.execute(
            select(near_duplicates.c.cluster)
            .where(near_duplicates.c.cluster.in_(set(groups.parent)))
            .distinct()
        ).scalars()
    )
    changed = {d for d, _ in new}  # their copy keys in the search index change
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
    conn.execute(
        _SET_CLUSTER,
        [
            {"b_doc": d, "b_page": p, "b_cluster": groups.find(cluster_key(d, p)), "b_sim": best.get((d, p))}
            for d, p in new
        ],
    )
    indexer.mark_pending(conn, changed)
    touched = {groups.find(cluster_key(d, p)) for d, p in new if (d, p) in best}
    if touched:
        _choose_canonical(conn, touched)


def _choose_canonical(conn: Connection, clusters: set[str]) -> None:
    """The most complete copy of each cluster: fewest redaction boxes, most text, earliest Bates."""
    multi = [
        c
        for c, n in conn.execute(
            select(near_duplicates.c.cluster, func.count())
            .where(near_duplicates.c.cluster.in_(clusters))
            .group_by(near_duplicates.c.cluster)
        )
        if n > 1
    ]
    for cluster in multi:
        members = conn.execute(
            select(near_duplicates.c.document_id, near_duplicates.c.page_number).where(
                near_duplicates.c.cluster == cluster
            )
        ).all()
        ranked = sorted(_completeness(conn, members), key=lambda m: m[0])
        best = ranked[0][1]
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
