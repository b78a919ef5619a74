"""Archive-wide entity resolution: mentions → canonical entities.

Order of rules (each mention records the rules that moved it in `mentions.rule`):
1. key: the normalised form (names.name_key) — identical keys of one type are one entity (`exact`);
2. `type_vote`: a form the tagger labels with one type in ≥ 75 % of its (≥ 3) mentions takes
   that type everywhere (`Azerbaijan` tagged PERSON now and then);
3. document rules (document_rules.py): OCR word repair, surname → full name, organisation
   short forms and acronyms; then `initial_to_full_name` (`M. Kessler` → the archive's only
   Martin/Michael... Kessler with that initial);
4. `ocr_variant`: archive-wide OCR-variant merge with blocking (variants.py);
5. curator decisions replayed in the order they were made (curation.py).

Resolution is a pure function of the mentions and the curations, so running it again gives the
same entities (ids are uuid5 of type and key); only rows that change are written.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from unsealed.domain import NAME_TYPES
from unsealed.enrich import curation
from unsealed.enrich.document_rules import apply_document_rules
from unsealed.enrich.names import clean_form, display_name, fold, name_key
from unsealed.enrich.patterns import phone_value
from unsealed.enrich.resolve_types import Item
from unsealed.enrich.variants import Candidate, CrossKey, Plausibility, merge_variants
from unsealed.store import entity_links
from unsealed.store.bulk import update_rows
from unsealed.store.schema import documents, entities, mentions

ENTITY_NAMESPACE = uuid.UUID("6f1d7c1e-3b0a-5d2e-9a51-2c8e4f0b7a13")


def entity_id(entity_type: str, key: str) -> str:
    return str(uuid.uuid5(ENTITY_NAMESPACE, f"{entity_type}:{key}"))


@dataclass
class Resolved:
    """The outcome: each mention's entity and rule, and each entity's row."""

    assignments: dict[int, tuple[str, str]] = field(default_factory=dict)  # mention id → (entity id, rule)
    entities: dict[str, dict[str, object]] = field(default_factory=dict)  # entity id → row
    # document id → entity id → mentions linked (store/entity_links.py keeps the summaries of it)
    links: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    # entity id → (surface form as printed, rule) → mentions
    forms: dict[str, Counter[tuple[str, str]]] = field(default_factory=lambda: defaultdict(Counter))


def make_item(mention_id: int, document_id: str, entity_type: str, text: str) -> Item | None:
    form = clean_form(text) if entity_type in NAME_TYPES else text.strip()
    if entity_type == "PHONE":
        form = phone_value(text) or ""
    key = name_key(form, entity_type) if form else ""
    return Item(mention_id, document_id, entity_type, key, form) if key else None


def vote_types(items: list[Item], share: float = 0.75, minimum: int = 3) -> None:
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for it in items:
        if it.type in NAME_TYPES:
            votes[fold(it.form)][it.type] += 1
    winners: dict[str, str] = {}
    for form, counts in votes.items():
        (top, n), total = counts.most_common(1)[0], sum(counts.values())
        if len(counts) > 1 and total >= minimum and n >= share * total:
            winners[form] = top
    for it in items:
        if it.type in NAME_TYPES and (voted := winners.get(fold(it.form))) and voted != it.type:
            it.set(voted, name_key(it.form, voted), it.form, "type_vote")


def join_initials(items: list[Item]) -> None:
    """`M. Kessler` (or `J.E. Safra`) joins `Martin Kessler` when he is the archive's only person
    with that surname and that first initial (blocked by surname, so this stays linear)."""
    full: dict[tuple[str, str], set[str]] = defaultdict(set)
    forms: dict[str, str] = {}
    for it in items:
        words = it.key.split()
        if it.type == "PERSON" and len(words) >= 2 and len(words[0]) > 1:
            full[(words[-1], words[0][0])].add(it.key)
            forms.setdefault(it.key, it.form)
    for it in items:
        words = it.key.split()
        if it.type == "PERSON" and len(words) in (2, 3) and all(len(w) == 1 for w in words[:-1]):
            owners = full.get((words[-1], words[0]))
            if owners and len(owners) == 1:
                key = next(iter(owners))
                it.set("PERSON", key, forms[key], "initial_to_full_name")


_State = tuple[str, str, str, str, tuple[str, ...]]  # an item's type, key, form, text, rules


def _document_rules(documents: Iterable[list[Item]]) -> None:
    """The document rules over each document's items; a document whose items read the same as an
    earlier one's (an exact copy in another data set, whose mentions were copied) takes that
    document's outcome instead of running the rules again (they read nothing but the items)."""
    done: dict[tuple[_State, ...], list[tuple[str, str, str, list[str]]]] = {}
    for items in documents:
        signature = tuple((it.type, it.key, it.form, it.text, tuple(it.rules)) for it in items)
        outcome = done.get(signature)
        if outcome is None:
            apply_document_rules(items)
            done[signature] = [(it.type, it.key, it.form, list(it.rules)) for it in items]
            continue
        for it, (entity_type, key, form, rules) in zip(items, outcome, strict=True):
            it.type, it.key, it.form, it.rules = entity_type, key, form, list(rules)


def resolve_items(items: list[Item], decisions: Iterable[curation.Decision] = ()) -> Resolved:
    vote_types(items)
    by_doc: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        by_doc[it.document_id].append(it)
    _document_rules(by_doc.values())
    join_initials(items)

    candidates: dict[CrossKey, Candidate] = defaultdict(Candidate)
    for it in items:
        cand = candidates[(it.type, it.key)]
        cand.count += 1
        cand.documents.add(it.document_id)
        cand.forms[it.form] += 1
    roots = merge_variants(candidates)
    groups: dict[CrossKey, list[Item]] = defaultdict(list)
    for it in items:
        root = roots.get((it.type, it.key))
        if root is not None:
            it.rules.append("ocr_variant")
        groups[root or (it.type, it.key)].append(it)

    hidden = curation.replay(groups, decisions)
    plaus = Plausibility((f, c.count) for (_, _), c in candidates.items() for f in c.forms)
    result = Resolved()
    for (etype, key), members in groups.items():
        if not members:
            continue
        eid = entity_id(etype, key)
        forms = Counter(it.form for it in members if it.key == key) or Counter(it.form for it in members)
        top = max(forms.items(), key=lambda fc: (fc[1], plaus.score(fc[0])))[0]
        docs = {it.document_id for it in members}
        result.entities[eid] = {
            "id": eid,
            "type": etype,
            "key": key,
            "name": display_name(top, key, etype),
            "hidden": (etype, key) in hidden,
            "mention_count": len(members),
            "document_count": len(docs),
        }
        for it in members:
            result.assignments[it.mention_id] = (eid, it.rule)
            result.links[it.document_id][eid] += 1
            result.forms[eid][(it.text, it.rule)] += 1
    return result


MentionRow = tuple[int, str, str, str]  # a mention's id, document, type and text: what resolution reads


def mention_rows(conn: Connection) -> list[MentionRow]:
    rows = conn.execute(select(mentions.c.id, mentions.c.document_id, mentions.c.type, mentions.c.text))
    return [(mid, doc, etype, text) for mid, doc, etype, text in rows]


def load_items(conn: Connection) -> list[Item]:
    return items_of(mention_rows(conn))


def items_of(rows: Iterable[MentionRow]) -> list[Item]:
    cache: dict[tuple[str, str], tuple[str, str] | None] = {}
    items = []
    for mid, doc, etype, text in rows:
        ck = (etype, text)
        if ck not in cache:
            made = make_item(0, "", etype, text)
            cache[ck] = (made.key, made.form) if made else None
        hit = cache[ck]
        if hit is not None:
            items.append(Item(mid, doc, etype, hit[0], hit[1], text=text))
    return items


def write(conn: Connection, resolved: Resolved) -> int:
    """Write entities and mention links, touching only rows that changed; returns changed mentions."""
    old = {r.id: r for r in conn.execute(select(entities))}
    new_ids = [eid for eid in resolved.entities if eid not in old]
    if new_ids:
        conn.execute(insert(entities), [resolved.entities[eid] for eid in new_ids])
    changed_entities = [
        row
        for eid, row in resolved.entities.items()
        if eid in old and any(getattr(old[eid], k) != v for k, v in row.items())
    ]
    if changed_entities:
        stmt = update(entities).where(entities.c.id == bindparam("b_id"))
        fields = ("type", "key", "name", "hidden", "mention_count", "document_count")
        conn.execute(
            stmt.values({k: bindparam(f"v_{k}") for k in fields}),
            [{**{f"v_{k}": row[k] for k in fields}, "b_id": row["id"]} for row in changed_entities],
        )
    rows = conn.execute(select(mentions.c.id, mentions.c.entity_id, mentions.c.rule))
    current = {r.id: (r.entity_id, r.rule) for r in rows}
    relinked = [mid for mid, link in resolved.assignments.items() if current.get(mid) != link]
    unlinked = [
        mid for mid, link in current.items() if mid not in resolved.assignments and link != (None, None)
    ]
    changes: list[tuple[int, str | None, str | None]] = [
        (mid, *resolved.assignments[mid]) for mid in relinked
    ]
    changes += [(mid, None, None) for mid in unlinked]
    update_rows(conn, mentions, "id", ("entity_id", "rule"), changes)
    stale = [eid for eid in old if eid not in resolved.entities]
    for i in range(0, len(stale), 500):
        conn.execute(delete(entities).where(entities.c.id.in_(stale[i : i + 500])))
    renamed = [
        str(row["id"])
        for row in changed_entities
        if (old[row["id"]].name, old[row["id"]].hidden) != (row["name"], row["hidden"])
    ]
    touched = _mark_enrichment_changed(conn, relinked + unlinked, renamed)
    entity_links.sync(conn, resolved.links, touched)
    entity_links.sync_forms(conn, resolved.forms)
    return len(changes)


def _mark_enrichment_changed(conn: Connection, mention_ids: list[int], entity_ids: list[str]) -> set[str]:
    """Bump `enriched_at` of documents whose mentions were relinked or whose entities were renamed
    or hidden, so the search index (which holds entity names per page) re-indexes them; returns them."""
    touched: set[str] = set()
    for i in range(0, len(mention_ids), 500):
        chunk = mention_ids[i : i + 500]
        touched.update(conn.execute(select(mentions.c.document_id).where(mentions.c.id.in_(chunk))).scalars())
    for i in range(0, len(entity_ids), 500):
        ids = entity_ids[i : i + 500]
        touched.update(
            conn.execute(
                select(mentions.c.document_id).where(mentions.c.entity_id.in_(ids)).distinct()
            ).scalars()
        )
    now = datetime.now(UTC)
    ordered = sorted(touched)
    for i in range(0, len(ordered), 500):
        conn.execute(
            update(documents).where(documents.c.id.in_(ordered[i : i + 500])).values(enriched_at=now)
        )
    return touched


@dataclass(frozen=True)
class Prepared:
    """A resolution computed from one read of the mentions and the curations, to be written in a
    later transaction (pipeline/enrich_stages.py resolves while the e-mail stage runs elsewhere and
    writes once it is done)."""

    rows: list[MentionRow]
    decisions: list[curation.Decision]
    resolved: Resolved


def prepare(conn: Connection) -> Prepared:
    rows, decisions = mention_rows(conn), curation.load(conn)
    return Prepared(rows, decisions, resolve_items(items_of(rows), decisions))


def resolve_archive(conn: Connection, prepared: Prepared | None = None) -> Resolved:
    """Re-resolve every mention of the archive and write the result (inside the caller's transaction).
    With `prepared`, its outcome is written when the mentions and curations it read are still those
    of the archive (resolution is a pure function of them), else they are resolved again."""
    rows, decisions = mention_rows(conn), curation.load(conn)
    if prepared is not None and prepared.rows == rows and prepared.decisions == decisions:
        resolved = prepared.resolved
    else:
        resolved = resolve_items(items_of(rows), decisions)
    write(conn, resolved)
    return resolved
