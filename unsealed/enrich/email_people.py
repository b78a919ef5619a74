"""Who each printed e-mail names, by matching key, so an entity's e-mails are found through an index.

Each `emails` row's sender and recipients give keys: a name's person key (`name_key(name, "PERSON")`,
the key resolution gives a PERSON entity) and an address in lower case (an EMAIL entity's key).
`email_people` holds one row per message, role (from, to, cc, bcc) and key, with the other half of
the pair as printed beside it (the address beside a name, the name beside an address) and the
message's sent date (a copy of `emails.sent_at`, so an entity's first e-mails by date are read from
an index, views/entity_detail.py). It is
rewritten with the document's `emails` rows and goes with them (foreign key, cascade). An entity's
page asks it for its alias keys: the messages it sent or received, and the addresses (names) it went
by, without reading every e-mail.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, delete

from unsealed.enrich.names import name_key
from unsealed.store.bulk import insert_many
from unsealed.store.schema import email_people

ROLES = ("to", "cc", "bcc")
MAX_KEY = 320  # longer is no name or address (an address is at most 254): not indexed


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def person_keys(name: Any, address: Any) -> list[tuple[str, str | None]]:
    """(key, the other half) of one person as printed: by name key, and by address."""
    name, address = _text(name), _text(address)
    out: list[tuple[str, str | None]] = []
    if name and (key := name_key(name, "PERSON")):
        out.append((key, address))
    if address:
        out.append((address.lower(), name))
    return [(key, other) for key, other in out if len(key) <= MAX_KEY]


def _people(row: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    people = [("from", row["sender_name"], row["sender_address"])]
    try:
        recipients = json.loads(row["recipients"]) if row["recipients"] else {}
    except json.JSONDecodeError:
        recipients = {}
    if isinstance(recipients, dict):
        for role in ROLES:
            people += [
                (role, p.get("name"), p.get("address"))
                for p in recipients.get(role) or []
                if isinstance(p, dict)
            ]
    return people


def people_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """`email_people` rows of `emails` rows (document_id, seq, sender_name, sender_address, recipients,
    sent_at; without sent_at, as migration 0012 reads them, the rows have none)."""
    out: list[dict[str, Any]] = []
    for row in rows:
        dated = {"sent_at": row["sent_at"]} if "sent_at" in row else {}
        seen: set[tuple[str, str]] = set()
        for role, name, address in _people(row):
            for key, other in person_keys(name, address):
                if (role, key) not in seen:
                    seen.add((role, key))
                    out.append(
                        {
                            "document_id": row["document_id"],
                            "seq": row["seq"],
                            "role": role,
                            "key": key,
                            "other": other,
                            **dated,
                        }
                    )
    return out


def replace(conn: Connection, document_id: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Rewrite a document's rows from its new `emails` rows (inside the caller's transaction)."""
    conn.execute(delete(email_people).where(email_people.c.document_id == document_id))
    insert_many(conn, email_people, people_rows(rows))
