"""A curator decision taken through any face (CLI or web): record it, re-resolve, re-index.

`enrich/curate.py` records the decision and re-resolves the entities; this adds the search index
sync, so the pages whose entity names changed are found under their new names at once.
"""

from __future__ import annotations

from typing import Any, Literal

from unsealed.enrich import curate
from unsealed.errors import ConfigError
from unsealed.search import indexer
from unsealed.store.archive import Archive
from unsealed.store.lock import curation_lock

Action = Literal["merge", "split", "hide", "unhide"]
ACTIONS: tuple[str, ...] = ("merge", "split", "hide", "unhide")


def apply(archive: Archive, action: str, entity: str, other: str | None = None) -> dict[str, Any]:
    """Merge `other` into `entity`, split alias `other` out of it, hide or unhide it."""
    if action not in ACTIONS:
        raise ConfigError(f"action must be one of {', '.join(ACTIONS)}, got {action!r}")
    if action in ("merge", "split") and not (other or "").strip():
        raise ConfigError(f"{action} needs {'the other entity' if action == 'merge' else 'an alias'}")
    with curation_lock(archive.root):  # one decision at a time, across server processes too
        with archive.engine.begin() as conn:
            if action == "merge":
                result = curate.merge(conn, entity, str(other).strip())
            elif action == "split":
                result = curate.split(conn, entity, str(other).strip())
            else:
                result = curate.hide(conn, entity, hidden=action == "hide")
        indexer.sync(archive)  # re-index the pages whose entity names the decision changed
    return result
