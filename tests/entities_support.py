"""Helpers for the entity tests: a real archive with documents and pages inserted through the schema."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from unsealed.store.archive import Archive
from unsealed.store.schema import documents, pages

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "document-page-EFTA01197902.txt"


def seed_pages() -> list[tuple[int, str]]:
    """The seed document's text, split into its pages at the Bates stamp that ends each page.

    The seed file is a saved page of another archive: its document text runs from the first
    header line to the last Bates stamp; the archive's own chrome around it is left out.
    """
    text = SEED.read_text(encoding="utf-8")
    start = text.index("From: JNS News")
    end = text.rindex("EFTA01197907") + len("EFTA01197907")
    parts = re.split(r"(?<=EFTA\d{8})\n", text[start:end])
    return [(i + 1, part) for i, part in enumerate(parts)]


def add_document(archive: Archive, name: str, page_texts: list[str], dataset: str = "dataset_9") -> str:
    """Insert one document with its pages; returns its id."""
    sha = hashlib.sha256("\f".join(page_texts).encode() + name.encode()).hexdigest()
    doc_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{dataset}/{sha}"))
    now = datetime.now(UTC)
    with archive.engine.begin() as conn:
        conn.execute(
            insert(documents).values(
                id=doc_id,
                dataset=dataset,
                filename=name,
                storage_key=f"{dataset}/{name}",
                source_path=f"/in/{name}",
                md5=hashlib.md5(sha.encode()).hexdigest(),
                sha256=sha,
                size_bytes=sum(len(t) for t in page_texts),
                mime_type="application/pdf",
                page_count=len(page_texts),
                status="ok",
                pipeline_version="test",
                created_at=now,
                updated_at=now,
                bates_first=name.removesuffix(".pdf"),
            )
        )
        conn.execute(
            insert(pages),
            [
                {
                    "document_id": doc_id,
                    "number": i + 1,
                    "text": t,
                    "char_count": len(t),
                    "text_source": "layer",
                }
                for i, t in enumerate(page_texts)
            ],
        )
    return doc_id


def score_entities(found: list[dict], truth: dict) -> dict:
    """Entity-level precision and recall of `found` entities against a reader's list.

    A found entity ({type, name, aliases}) matches an expected one of the same type when one of
    its names or surface forms has the same key as the expected name or one of its aliases. Each
    expected entity is credited once: a second found entity for it (an unmerged variant) is a
    false positive. Found entities whose words all belong to an `optional` entry are ignored.
    """
    from unsealed.enrich.names import clean_form, fold, name_key

    def keys(names: list[str], entity_type: str) -> set[str]:
        # a name is keyed as the archive keys a mention: cleaned first (`The Home Depot`)
        names = [*names, *(clean_form(n) for n in names)]
        return {name_key(n, entity_type) for n in names} | {fold(n) for n in names}

    expected = [(e, keys([e["name"], *e["aliases"]], e["type"])) for e in truth["expected"]]
    optional = [(o["type"], set(fold(o["name"]).split())) for o in truth["optional"]]
    credited: set[str] = set()
    true_pos, false_pos = [], []
    for ent in sorted(found, key=lambda e: -e.get("mention_count", 0)):
        ent_keys = keys([ent["name"], *ent["aliases"]], ent["type"])
        hits = [e["name"] for e, k in expected if e["type"] == ent["type"] and k & ent_keys]
        fresh = [h for h in hits if h not in credited]
        if fresh:
            credited.add(fresh[0])
            true_pos.append(ent["name"])
        elif not hits and any(t == ent["type"] and set(fold(ent["name"]).split()) <= w for t, w in optional):
            continue
        else:
            false_pos.append(ent["name"])
    missed = [e["name"] for e, _ in expected if e["name"] not in credited]
    precision = len(true_pos) / max(len(true_pos) + len(false_pos), 1)
    recall = len(credited) / max(len(expected), 1)
    return {
        "precision": precision,
        "recall": recall,
        "true_positives": true_pos,
        "false_positives": false_pos,
        "missed": missed,
    }
