"""Entity figures on tests/fixtures/real/entities_key.json and on the seed document.

The key's documents go through the real enrichment stages (NER, patterns, resolution) in one
temporary archive, from the corpus text with each page's Bates stamp line kept, as ingest reads it.
A found entity of a document (type + name + the surface forms it has there) is right when one of
its forms is the expected entity's name or an alias (same type); a second entity for the same
expected one is an unmerged variant and counts as wrong; forms listed `optional` are ignored.
Run alone: `python bench/real_entities.py [--show] [--cost N]`. `--cost N` also times, over every
corpus document, spaCy's tagging (once) and the rules after it (`extract_document` given the
tagger's spans, best of N), in CPU seconds of this process, and writes bench/results/entity_rules.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from tests.entities_support import add_document, score_entities, seed_pages  # noqa: E402
from unsealed.enrich.names import fold  # noqa: E402
from unsealed.pipeline.enrich_stages import enrichment_stages  # noqa: E402
from unsealed.sample.real import load_corpus  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402
from unsealed.store.schema import entities, mentions  # noqa: E402

KEY = ROOT / "tests" / "fixtures" / "real" / "entities_key.json"
SEED_KEY = ROOT / "tests" / "fixtures" / "seed_entities.json"
TYPES = ("PERSON", "ORG", "LOCATION")


def _found(archive: Archive, doc_id: str) -> list[dict[str, Any]]:
    with archive.engine.connect() as conn:
        rows = conn.execute(
            select(entities.c.id, entities.c.type, entities.c.name, mentions.c.text)
            .join(mentions, mentions.c.entity_id == entities.c.id)
            .where(
                mentions.c.document_id == doc_id,
                entities.c.type.in_(TYPES),
                entities.c.hidden.is_(False),
            )
        ).all()
    by_id: dict[str, dict[str, Any]] = {}
    for eid, kind, name, text in rows:
        entry = by_id.setdefault(eid, {"type": kind, "name": name, "aliases": set(), "mention_count": 0})
        entry["aliases"].add(" ".join(text.split()))
        entry["mention_count"] += 1
    return [{**e, "aliases": sorted(e["aliases"])} for e in by_id.values()]


def _truth(entry: dict[str, Any]) -> dict[str, Any]:
    """The key's entry in the shape score_entities reads: optional names of any type."""
    optional = [{"type": t, "name": name} for name in entry.get("optional", []) for t in TYPES]
    return {"expected": entry["expected"], "optional": optional}


def _enrich(archive: Archive, docs: list[tuple[str, list[str]]]) -> list[str]:
    ids = [add_document(archive, f"{name}.pdf", pages) for name, pages in docs]
    for stage in enrichment_stages():
        stage.run(archive, ids)
    return ids


def key_figures(show: bool = False) -> dict[str, Any]:
    entries = json.loads(KEY.read_text(encoding="utf-8"))["documents"]
    corpus = {d.file: d for d in load_corpus(ids=[Path(e["file"]).stem for e in entries])}
    docs = []
    for e in entries:
        d = corpus[e["file"]]
        docs.append((d.id, [p + (f"\n{s}" if s else "") for p, s in zip(d.pages, d.stamps, strict=True)]))
    per_type = {t: {"tp": 0, "fp": 0, "expected": 0, "credited": 0} for t in TYPES}
    wrong: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive.open(Path(tmp))
        try:
            ids = _enrich(archive, docs)
            for entry, doc_id in zip(entries, ids, strict=True):
                found = _found(archive, doc_id)
                not_entities = {fold(n) for n in entry.get("not_entities", [])}
                for kind in TYPES:
                    truth = _truth(entry)
                    truth["expected"] = [x for x in truth["expected"] if x["type"] == kind]
                    mine = [f for f in found if f["type"] == kind]
                    score = score_entities(mine, truth)
                    t = per_type[kind]
                    t["tp"] += len(score["true_positives"])
                    t["fp"] += len(score["false_positives"])
                    t["expected"] += len(truth["expected"])
                    t["credited"] += len(truth["expected"]) - len(score["missed"])
                    name = Path(entry["file"]).stem
                    wrong += [f"{name} FP {kind}: {n}" for n in score["false_positives"]]
                    wrong += [f"{name} missed {kind}: {n}" for n in score["missed"]]
                    t.setdefault("not_entities_tagged", 0)
                    t["not_entities_tagged"] += sum(
                        1 for f in mine if {fold(a) for a in [f["name"], *f["aliases"]]} & not_entities
                    )
        finally:
            archive.close()
    out: dict[str, Any] = {"documents": len(entries)}
    tp = fp = expected = credited = 0
    for kind, t in per_type.items():
        out[kind] = {
            "precision": round(t["tp"] / max(t["tp"] + t["fp"], 1), 4),
            "recall": round(t["credited"] / max(t["expected"], 1), 4),
            "expected": t["expected"],
            "not_entities_tagged": t["not_entities_tagged"],
        }
        tp, fp, expected, credited = (
            tp + t["tp"],
            fp + t["fp"],
            expected + t["expected"],
            credited + t["credited"],
        )
    out["all"] = {
        "precision": round(tp / max(tp + fp, 1), 4),
        "recall": round(credited / max(expected, 1), 4),
    }
    if show:
        print("\n".join(wrong))
    out["errors"] = wrong[:200]
    return out


def seed_figures() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive.open(Path(tmp))
        try:
            (doc_id,) = _enrich(archive, [("EFTA01197902", [t for _, t in seed_pages()])])
            found = _found(archive, doc_id)
        finally:
            archive.close()
    score = score_entities(found, json.loads(SEED_KEY.read_text(encoding="utf-8")))
    return {
        "precision": round(score["precision"], 4),
        "recall": round(score["recall"], 4),
        "false_positives": score["false_positives"],
        "missed": score["missed"],
    }


def rules_cost(repeat: int = 3) -> dict[str, Any]:
    """CPU seconds of spaCy over the corpus and of the per-document rules after it (best of `repeat`)."""
    from unsealed.enrich import extract, tagging

    docs = load_corpus()
    pages = [
        [(i + 1, p + (f"\n{s}" if s else "")) for i, (p, s) in enumerate(zip(d.pages, d.stamps, strict=True))]
        for d in docs
    ]
    extract.preload()
    start = time.process_time()
    tagged = [tagging.tag_texts([extract.soften_newlines(t) for _, t in ps]) for ps in pages]
    ner_s = time.process_time() - start
    runs, mentions = [], 0
    for _ in range(repeat):
        start = time.process_time()
        mentions = sum(
            len(extract.extract_document(ps, tagged=tg)) for ps, tg in zip(pages, tagged, strict=True)
        )
        runs.append(time.process_time() - start)
    return {
        "documents": len(docs),
        "pages": sum(len(ps) for ps in pages),
        "spacy_cpu_s": round(ner_s, 2),
        "rules_cpu_s": round(min(runs), 2),
        "rules_share_of_spacy": round(min(runs) / ner_s, 4),
        "mentions": mentions,
        "load_average": os.getloadavg()[0],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--cost", type=int, default=0, metavar="N", help="also time the rules, best of N")
    args = ap.parse_args()
    result = {"key": key_figures(args.show), "seed": seed_figures()}
    result["key"].pop("errors")
    print(json.dumps(result, indent=1))
    if args.cost:
        cost = rules_cost(args.cost)
        print(json.dumps(cost, indent=1))
        out = ROOT / "bench" / "results" / "entity_rules.json"
        out.write_text(json.dumps(cost, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
