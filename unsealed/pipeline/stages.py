"""The stages that run over the archive after files are written, in order.

Each stage takes the archive and the ids of documents that were added or changed. Stages are
idempotent: re-running one over the same documents leaves the archive as it was.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import TYPE_CHECKING

from unsealed.pipeline.stage import Stage

if TYPE_CHECKING:
    from unsealed.pipeline.executor import Executor


def post_ingest_stages(executor: Executor | None = None, analysed: Collection[str] = ()) -> list[Stage]:
    """The stages, in order; `executor` runs the entity-extraction batches (in this process when
    None); `analysed`: documents whose mentions were written with them (found by the ingest
    workers). Imported lazily so `unsealed show` does not load spaCy."""
    from unsealed.pipeline import dedup_stage, thread_stage
    from unsealed.pipeline.enrich_stages import enrichment_stages
    from unsealed.search import indexer

    # The pages are indexed first, so new documents are searchable while entity extraction runs
    # (minutes on a large release); the index is brought up to date again at the end with the
    # entities and headers the other stages found. One indexer, here, reading the database: the
    # index is the same whichever executor read the files.
    # The first index pass, the e-mail threads (which need the e-mail stage's rows) and the
    # near-duplicates write only their own tables and read none that the e-mail headers, the
    # mentions and resolution write, so they run one after the other in a worker process while those
    # run here; the last index waits for them. (The index records the version of each document it
    # indexed, so one that the mentions or resolution mark while the first pass reads it is indexed
    # again by the last.)
    emails, mentions, resolution = enrichment_stages(executor, analysed)
    return [
        Stage("search index (pages)", indexer.run_stage, pending=indexer.pending_ids, background=True),
        emails,
        mentions,
        replace(thread_stage.stage(), background=True),
        replace(dedup_stage.stage(), background=True),
        resolution,
        Stage("search index", indexer.run_stage, pending=indexer.pending_ids, after_background=True),
    ]
