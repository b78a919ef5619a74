"""Helpers for the entity tests: a real archive with documents and pages inserted through the schema."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from unsealed.enrich import email_people as people
from unsealed.enrich.names import name_key
from unsealed.store.archive import Archive
from unsealed.store.schema import documents, email_people, emails, pages
from unsealed.views.entity_detail import entity_emails

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


def all_entity_emails(
    conn: Connection, keys: list[str]
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The straightforward reference for an entity page's e-mail lists: every message (document id,
    seq) that names one of `keys` as sender, and those that name one only as a recipient, all of
    them, in the order the database gives every e-mail by date, file name and position."""
    named = conn.execute(
        select(email_people.c.document_id, email_people.c.seq, email_people.c.role).where(
            email_people.c.key.in_(keys)
        )
    ).all()
    sent = {(d, s) for d, s, role in named if role == "from"}
    received = {(d, s) for d, s, _ in named} - sent
    ordered = [
        (d, s)
        for d, s in conn.execute(
            select(emails.c.document_id, emails.c.seq)
            .join(documents, documents.c.id == emails.c.document_id)
            .order_by(emails.c.sent_at, documents.c.filename, emails.c.seq)
        )
    ]
    return [m for m in ordered if m in sent], [m for m in ordered if m in received]


def check_entity_emails(conn: Connection, entity: dict[str, Any], aliases: list[str]) -> int:
    """An entity's e-mail lists (views/entity_detail.py) equal the first `limit` of the reference
    for several limits (the tie and undated cases at the cut included); returns how many it has.
    Every `email_people` row also carries its message's date (the copy the page orders by)."""
    copies = conn.execute(
        select(email_people.c.sent_at, emails.c.sent_at).join(
            emails,
            (emails.c.document_id == email_people.c.document_id) & (emails.c.seq == email_people.c.seq),
        )
    ).all()
    assert all(mine == theirs for mine, theirs in copies)
    if entity["type"] == "EMAIL":
        keys = [entity["key"].lower()]
    else:
        keys = sorted({name_key(a, "PERSON") for a in {entity["name"], *aliases}} - {""})[:20]
    sent, received = all_entity_emails(conn, keys)
    for limit in (1, 2, 3, 4, 5, 7, 25, 100):
        shown = entity_emails(conn, entity, aliases, limit=limit)
        assert [(e["document_id"], e["seq"]) for e in shown["sent"]] == sent[:limit]
        assert [(e["document_id"], e["seq"]) for e in shown["received"]] == received[:limit]
        assert (shown["sent_total"], shown["received_total"]) == (len(sent), len(received))
    return len(sent) + len(received)


def add_email(
    conn: Connection,
    doc_id: str,
    seq: int,
    sender: str,
    to: list[str],
    cc: list[str],
    sent_at: datetime | None,
) -> None:
    """One printed e-mail header of a document, written as the e-mail stage writes it: its `emails`
    row, then the document's `email_people` rows from all its rows (enrich/email_people.py)."""
    row = {
        "document_id": doc_id,
        "seq": seq,
        "page_number": 1,
        "sender_name": sender,
        "sender_address": None,
        "recipients": json.dumps(
            {
                "to": [{"name": n, "address": None} for n in to],
                "cc": [{"name": n, "address": None} for n in cc],
            }
        ),
        "subject": f"message {seq} of {doc_id[:8]}",
        "sent_at": sent_at,
    }
    conn.execute(insert(emails), [row])
    rows = conn.execute(
        select(emails).where(emails.c.document_id == doc_id).order_by(emails.c.seq)
    ).mappings()
    people.replace(conn, doc_id, [dict(r) for r in rows])


def add_dated_emails(archive: Archive) -> tuple[dict[str, Any], list[str]]:
    """Dana Voss's e-mails with the cases at an e-mail list's cut: undated ones, several sent at the
    same time in files whose names do not follow insertion order (and two in one file), messages she
    sent with herself in copy under an OCR variant, and ones she only received; (entity, aliases)."""
    at = datetime(2014, 3, 3, 10, 0, tzinfo=UTC)
    day = at - datetime(2014, 3, 2, 10, 0, tzinfo=UTC)
    names = ["EFTA00000009", "EFTA00000003", "EFTA00000007", "EFTA00000001", "EFTA00000005", "EFTA00000002"]
    docs = [add_document(archive, f"{n}.pdf", [f"Page of {n}."]) for n in [*names, "EFTA00000004"]]
    dana, vos, martin, claire = "Dana Voss", "Dana Vos", "Martin Kessler", "Claire Dubois"
    plan: list[tuple[int, str, list[str], list[str], datetime | None]] = [
        (0, dana, [martin], [], at),
        (0, martin, [dana], [], None),
        (1, dana, [claire], [], at),
        (1, dana, [martin], [], at),
        (2, dana, [martin], [vos], at - day),
        (3, dana, [claire], [], None),
        (3, claire, [dana], [vos], at),
        (4, dana, [claire], [], at + day),
        (4, martin, [vos], [], at),
        (5, dana, [martin], [], at),
        (5, claire, [dana], [], None),
        (6, martin, [dana], [vos], at - 2 * day),
        (6, dana, [martin], [], None),
    ]
    with archive.engine.begin() as conn:
        seqs: dict[int, int] = {}
        for doc, sender, to, cc, sent_at in plan:
            seqs[doc] = seqs.get(doc, -1) + 1
            add_email(conn, docs[doc], seqs[doc], sender, to, cc, sent_at)
    return {"type": "PERSON", "name": dana, "key": dana.lower()}, [dana, vos]
