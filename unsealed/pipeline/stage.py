"""Stages that run over the archive after files are written (enrichment, search indexing, ...).

Each stage takes the archive and the ids of documents that were added or changed. Stages are
idempotent: re-running one over the same documents leaves the archive as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from unsealed.store.archive import Archive


@dataclass(frozen=True)
class Stage:
    name: str  # shown in the progress display and in `status`
    run: Callable[[Archive, Sequence[str]], object]
    # Documents this stage has not processed yet, so a run interrupted during the stage resumes it.
    pending: Callable[[Archive], Sequence[str]] | None = None
    # Runs in a worker process beside the stages after it (pipeline/background.py); it must touch
    # none of their tables. `after_background`: this stage waits for it first.
    background: bool = False
    after_background: bool = False
    # Called before `run` and before waiting for `needs`, the background stage whose rows `run`
    # reads (entity resolution resolves while the e-mail headers are parsed, then writes).
    prepare: Callable[[Archive, Sequence[str]], object] | None = None
    needs: str | None = None
