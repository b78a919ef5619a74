"""The copies a collapsed search result stands for, read in a few statements per results page.

A page's copies are the members of its near-duplicate cluster (pipeline/dedup_stage.py); before
that stage has run on a document, the same page of files with the same bytes (SHA-256). A
document's copies likewise, from its whole-document cluster. The search index groups results by
the same keys (search/tantivy_index.copy_key), so what a result lists is what it collapsed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, select

from unsealed.store.schema import documents, near_duplicates, pages

MAX_LISTED = 20  # copies listed per result; the count covers them all
_MEMBER_ORDER = (documents.c.dataset, documents.c.filename, near_duplicates.c.page_number)


@dataclass(frozen=True)
class Copy:
    document_id: str
    page: int  # 0: the whole document
    dataset: str
    filename: str
    bates: str | None
    storage_key: str


@dataclass
class Copies:
    count: int  # members of the group, the result itself included
    others: list[Copy]  # up to MAX_LISTED of them, the result itself left out


def _clusters(conn: Connection, keys: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    nd = near_duplicates.c
    rows = conn.execute(
        select(nd.document_id, nd.page_number, nd.cluster).where(
            nd.document_id.in_({d for d, _ in keys}),
            nd.page_number.in_({n for _, n in keys}),
            nd.cluster != "",
        )
    ).all()
    return {(r.document_id, r.page_number): r.cluster for r in rows if (r.document_id, r.page_number) in keys}


def _cluster_members(conn: Connection, clusters: set[str]) -> dict[str, tuple[int, list[Copy]]]:
    """Each cluster's size and its first MAX_LISTED + 1 members (by data set, file, page)."""
    if not clusters:
        return {}
    nd = near_duplicates.c
    ranked = (
        select(
            nd.cluster,
            nd.document_id,
            nd.page_number,
            documents.c.dataset,
            documents.c.filename,
            documents.c.storage_key,
            func.coalesce(pages.c.bates, documents.c.bates_first).label("bates"),
            func.row_number().over(partition_by=nd.cluster, order_by=_MEMBER_ORDER).label("rank"),
            func.count().over(partition_by=nd.cluster).label("size"),
        )
        .join(documents, documents.c.id == nd.document_id)
        .outerjoin(pages, and_(pages.c.document_id == nd.document_id, pages.c.number == nd.page_number))
        .where(nd.cluster.in_(clusters))
        .subquery()
    )
    out: dict[str, tuple[int, list[Copy]]] = {}
    for r in conn.execute(select(ranked).where(ranked.c.rank <= MAX_LISTED + 1)).all():
        size, members = out.setdefault(r.cluster, (int(r.size), []))
        members.append(Copy(r.document_id, r.page_number, r.dataset, r.filename, r.bates, r.storage_key))
    return out


def _same_bytes(conn: Connection, ids: set[str]) -> dict[str, list[tuple[str, str, str, str]]]:
    """Documents with the same SHA-256 as each of `ids` (itself included): (id, data set, file, key)."""
    if not ids:
        return {}
    d = documents.c
    shas = select(d.sha256).where(d.id.in_(ids)).scalar_subquery()
    rows = conn.execute(
        select(d.id, d.sha256, d.dataset, d.filename, d.storage_key)
        .where(d.sha256.in_(shas))
        .order_by(d.dataset, d.filename)
    ).all()
    by_sha: dict[str, list[tuple[str, str, str, str]]] = {}
    for r in rows:
        by_sha.setdefault(r.sha256, []).append((r.id, r.dataset, r.filename, r.storage_key))
    return {i: group for group in by_sha.values() for i, *_ in group if i in ids}


def copies_of(conn: Connection, keys: list[tuple[str, int]]) -> dict[tuple[str, int], Copies]:
    """The copies of each (document id, page number); page 0 asks for the document's copies."""
    wanted = set(keys)
    if not wanted:
        return {}
    clusters = _clusters(conn, wanted)
    members = _cluster_members(conn, set(clusters.values()))
    plain = _same_bytes(conn, {d for d, p in wanted if (d, p) not in clusters})
    bates: dict[tuple[str, int], str | None] = {}
    if plain:
        numbers = {p for d, p in wanted if d in plain and p}
        others = {o for d in plain for o, *_ in plain[d]}
        bates = {
            (r.document_id, r.number): r.bates
            for r in conn.execute(
                select(pages.c.document_id, pages.c.number, pages.c.bates).where(
                    pages.c.document_id.in_(others), pages.c.number.in_(numbers)
                )
            ).all()
        }
    out: dict[tuple[str, int], Copies] = {}
    for doc_id, page in wanted:
        cluster = clusters.get((doc_id, page))
        if cluster is not None:
            size, listed = members.get(cluster, (1, []))
            mine = [c for c in listed if (c.document_id, c.page) != (doc_id, page)][:MAX_LISTED]
            out[(doc_id, page)] = Copies(size, mine)
            continue
        same = plain.get(doc_id, [])
        out[(doc_id, page)] = Copies(
            max(1, len(same)),
            [
                Copy(other, page, dataset, filename, bates.get((other, page)), key)
                for other, dataset, filename, key in same
                if other != doc_id
            ][:MAX_LISTED],
        )
    return out
