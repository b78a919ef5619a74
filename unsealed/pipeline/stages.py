"""The stages that run over the archive after files are written, in order.

Each stage takes the archive and the ids of documents that were added or changed. Stages are
idempotent: re-running one over the same documents leaves the archive as it was.
"""

from __future__ import annotations

from collections.abc import Collection

from unsealed.pipeline.stage import Stage


def post_ingest_stages(analysed: Collection[str] = ()) -> list[Stage]:
    """The stages, in order (`analysed`: documents whose mentions the ingest workers wrote).
    Imported lazily so `unsealed show` does not load spaCy."""
    from unsealed.pipeline.enrich_stages import enrichment_stages
    from unsealed.search import indexer

    # search index last: it indexes the entities and headers the other stages found
    return [
        *enrichment_stages(analysed),
        Stage("search index", indexer.run_stage, pending=indexer.pending_ids),
    ]
