"""Curator decisions — merge, split, hide — stored in `curations` and replayed after every resolution.

A decision names entities by (type, key), not by id: after new documents arrive an entity's
canonical key may change, but a decision still finds it through any key of its members.
Decisions whose entities no longer exist are skipped, never fatal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from unsealed.enrich.names import fold, name_key
from unsealed.enrich.resolve_types import Item
from unsealed.store.schema import curations

ACTIONS = ("merge", "split", "hide", "unhide")
CrossKey = tuple[str, str]


@dataclass(frozen=True)
class Decision:
    action: str
    args: dict[str, Any]


def record(conn: Connection, action: str, args: dict[str, Any]) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown curation action {action!r}")
    conn.execute(
        insert(curations).values(
            action=action, args=json.dumps(args, sort_keys=True), created_at=datetime.now(UTC)
        )
    )


def load(conn: Connection) -> list[Decision]:
    rows = conn.execute(select(curations.c.action, curations.c.args).order_by(curations.c.id))
    return [Decision(action, json.loads(args)) for action, args in rows]


def _index(groups: dict[CrossKey, list[Item]]) -> dict[CrossKey, CrossKey]:
    """Every member key (and root) → the root of its group."""
    index: dict[CrossKey, CrossKey] = {}
    for root, members in groups.items():
        index[root] = root
        for it in members:
            index.setdefault((it.type, it.key), root)
    return index


def replay(groups: dict[CrossKey, list[Item]], decisions: Iterable[Decision]) -> set[CrossKey]:
    """Apply the decisions to the groups (root key → members) in place; returns the hidden roots."""
    hidden: set[CrossKey] = set()
    decisions = list(decisions)
    if not decisions:
        return hidden
    index = _index(groups)
    for decision in decisions:
        args = decision.args
        root = index.get(tuple(args["entity"]))  # type: ignore[arg-type]
        if root is None or root not in groups:
            continue
        if decision.action == "hide":
            hidden.add(root)
        elif decision.action == "unhide":
            hidden.discard(root)
        elif decision.action == "merge":
            other = index.get(tuple(args["other"]))  # type: ignore[arg-type]
            if other is None or other == root or other not in groups:
                continue
            for it in groups.pop(other):
                it.rules.append("curator_merge")
                groups[root].append(it)
            for k, v in list(index.items()):
                if v == other:
                    index[k] = root
        elif decision.action == "split":
            alias = args["alias"]
            target = (root[0], name_key(alias, root[0]) or fold(alias))
            moving = [it for it in groups[root] if fold(it.form) == fold(alias) or it.key == target[1]]
            if not moving or target == root:
                continue
            moved = {id(it) for it in moving}
            groups[root] = [it for it in groups[root] if id(it) not in moved]
            for it in moving:
                it.type, it.key, it.form = target[0], target[1], it.form
                it.rules.append("curator_split")
            groups.setdefault(target, []).extend(moving)
            index[target] = target
    return hidden
