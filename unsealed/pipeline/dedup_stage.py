"""Post-ingest stage: near-duplicate clusters of documents and pages, updated incrementally.

Each new document gets a MinHash signature of its whole text (page_number 0) and one per page; its
LSH band keys are looked up in `near_duplicate_bands` (only the texts sharing a band are compared,
so adding 1 % more documents costs about 1 % of a full build), it joins the cluster of every copy
whose estimated Jaccard similarity reaches the threshold (clusters it bridges are merged), and each
cluster it touched gets its canonical member again: the most complete copy (fewest redaction boxes,
then most text, then the earliest Bates). Every document and every page has a row, so each belongs
to a cluster (a singleton one when it has no copy). A text of fewer than MIN_WORDS words gets no
signature; it is a copy only of texts with exactly the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from unsealed.analysis.neardup import (
    Banding,
    band_keys,
    exact_key,
    from_bytes,
    signature,
    similarity,
    to_bytes,
)
from unsealed.config import DedupOptions
from unsealed.pipeline.stage import Stage
from unsealed.store.archive import Archive
from unsealed.store.schema import documents, near_duplicate_bands, near_duplicates, pages

BATCH = 200


def cluster_key(document_id: str, page_number: int) -> str:
    return document_id if page_number == 0 else f"{document_id}:{page_number}"


def pending_ids(archive: Archive) -> list[str]:
    """Documents read ok that have no cluster yet."""
    done = select(near_duplicates.c.document_id).where(near_duplicates.c.page_number == 0)
    query = select(documents.c.id).where(documents.c.status == "ok", documents.c.id.not_in(done))
    with archive.engine.connect() as conn:
        return list(conn.execute(query).scalars())


def run_stage(archive: Archive, document_ids: Sequence[str], options: DedupOptions | None = None) -> None:
    options = options or DedupOptions.from_env()
    banding = Banding.for_options(options)
    ids = list(document_ids)
    for start in range(0, len(ids), BATCH):
        with archive.engine.begin() as conn:
            _cluster_batch(conn, ids[start : start + BATCH], options, banding)


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


def _cluster_batch(conn: Connection, ids: Sequence[str], options: DedupOptions, banding: Banding) -> None:
    conn.execute(delete(near_duplicate_bands).where(near_duplicate_bands.c.document_id.in_(ids)))
    conn.execute(delete(near_duplicates).where(near_duplicates.c.document_id.in_(ids)))
    touched: set[str] = set()
    for doc_id, page_texts in _texts(conn, ids).items():
        members = [(0, "\n".join(t for _, t in page_texts))] + page_texts
        for number, text in members:
            touched.add(_join(conn, doc_id, number, text, options, banding))
    _choose_canonical(conn, touched)


_CANDIDATES = (
    select(
        near_duplicates.c.document_id,
        near_duplicates.c.page_number,
        near_duplicates.c.signature,
        near_duplicates.c.cluster,
    )
    .distinct()
    .join(
        near_duplicate_bands,
        (near_duplicate_bands.c.document_id == near_duplicates.c.document_id)
        & (near_duplicate_bands.c.page_number == near_duplicates.c.page_number),
    )
    .where(near_duplicate_bands.c.band.in_(bindparam("bands", expanding=True)))
)


def _join(
    conn: Connection, doc_id: str, number: int, text: str, options: DedupOptions, banding: Banding
) -> str:
    """Put one text into its cluster; returns the cluster it is in."""
    sig = signature(text, options)
    own = cluster_key(doc_id, number)
    cluster, best = own, None
    kind = 1 if number == 0 else 0
    exact = exact_key(text, kind) if sig is None else None
    keys = band_keys(sig, banding, kind) if sig is not None else [exact] if exact is not None else []
    if keys:
        matched: set[str] = set()
        for row in conn.execute(_CANDIDATES, {"bands": keys}):
            if sig is None or row.signature is None:  # short texts: the same words, or nothing
                score = 1.0 if sig is None and row.signature is None else 0.0
            else:
                score = similarity(sig, from_bytes(row.signature))
            if score >= options.threshold:
                matched.add(row.cluster)
                best = max(best or 0.0, score)
        if matched:
            cluster = min(matched)
            others = matched - {cluster}
            if others:  # this text bridges clusters: they become one
                conn.execute(
                    update(near_duplicates)
                    .where(near_duplicates.c.cluster.in_(others))
                    .values(cluster=cluster)
                )
    conn.execute(
        insert(near_duplicates),
        {
            "document_id": doc_id,
            "page_number": number,
            "cluster": cluster,
            "canonical": cluster == own,
            "signature": to_bytes(sig) if sig is not None else None,
            "similarity": best,
        },
    )
    if keys:
        conn.execute(
            insert(near_duplicate_bands),
            [{"band": key, "document_id": doc_id, "page_number": number} for key in dict.fromkeys(keys)],
        )
    return cluster


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
