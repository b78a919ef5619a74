"""The seed document's people, organisations and places, against a careful reader's list."""

from __future__ import annotations

import json

from sqlalchemy import select

from tests.entities_support import FIXTURES, add_document, score_entities, seed_pages
from unsealed.pipeline.enrich_stages import enrichment_stages
from unsealed.store.archive import Archive
from unsealed.store.schema import entities, mentions


def test_seed_document_precision_and_recall(tmp_path, capsys):
    archive = Archive.open(tmp_path)
    doc_id = add_document(archive, "EFTA01197902.pdf", [text for _, text in seed_pages()])
    for stage in enrichment_stages():
        stage.run(archive, [doc_id])
    with archive.engine.connect() as conn:
        rows = conn.execute(
            select(entities.c.id, entities.c.type, entities.c.name, entities.c.mention_count).where(
                entities.c.type.in_(["PERSON", "ORG", "LOCATION"]), entities.c.hidden.is_(False)
            )
        ).all()
        aliases: dict[str, set[str]] = {}
        for eid, text in conn.execute(select(mentions.c.entity_id, mentions.c.text)):
            aliases.setdefault(eid, set()).add(" ".join(text.split()))
    found = [
        {
            "type": r.type,
            "name": r.name,
            "aliases": sorted(aliases.get(r.id, ())),
            "mention_count": r.mention_count,
        }
        for r in rows
    ]
    truth = json.loads((FIXTURES / "seed_entities.json").read_text())
    score = score_entities(found, truth)
    with capsys.disabled():
        print(f"\nseed entities: precision {score['precision']:.3f} recall {score['recall']:.3f}")
        print(f"  false positives: {score['false_positives']}\n  missed: {score['missed']}")
    assert score["recall"] >= 0.90, score
    assert score["precision"] >= 0.80, score
