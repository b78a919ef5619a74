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

    # The pages are indexed first, so new documents are searchable while resolution runs (minutes
    # on a large release); the index is brought up to date again at the end with the entities and
    # headers the other stages found. One indexer, here, reading the database: the index is the
    # same whichever executor read the files.
    # The e-mail headers, the first index pass, the e-mail threads (which need the headers' rows)
    # and the near-duplicates run one after the other in a worker process while the mentions are
    # marked and resolution resolves here: none of them writes a table those read. Resolution's
    # write reads the e-mails' dates, so it waits for the headers first (`needs`); the last index
    # waits for all of them. (The index records the version of each document it indexed, so one
    # that the mentions or resolution mark while the first pass reads it is indexed again by the
    # last.)
    emails, mentions, resolution = enrichment_stages(executor, analysed, background=True)
    return [
        emails,
        Stage("search index (pages)", indexer.run_stage, pending=indexer.pending_ids, background=True),
        mentions,
        replace(thread_stage.stage(), background=True),
        replace(dedup_stage.stage(), background=True),
        resolution,
        Stage("search index", indexer.run_stage, pending=indexer.pending_ids, after_background=True),
    ]
