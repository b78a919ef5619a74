"""The contract between the faces: every CLI `--json` command prints what its /api/v1 twin returns,
over one archive (the sample, a hostile fixture and real release documents), through one read layer."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from unsealed.cli import app
from unsealed.store.archive import Archive
from unsealed.store.documents import locate_document
from unsealed.store.schema import email_threads


@pytest.fixture(scope="module")
def run_cli(sample_archive: Archive) -> Any:
    runner = CliRunner()

    def run(*args: str) -> Any:
        result = runner.invoke(app, [*args, "--archive", str(sample_archive.root), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


def _doc_id(archive: Archive, key: str) -> str:
    with archive.engine.connect() as conn:
        located = locate_document(conn, key)
    assert located is not None, key
    return located.document_id


def test_status_and_documents_agree(run_cli: Any, client: TestClient, sample_archive: Archive) -> None:
    assert run_cli("status") == client.get("/api/v1/status").json()
    for key in ("dataset_9/EFTA01197902.pdf", "real/HOUSE_OVERSIGHT_013482.pdf", "real/EFTA01280146.pdf"):
        doc_id = _doc_id(sample_archive, key)
        assert run_cli("show", doc_id) == client.get(f"/api/v1/documents/{doc_id}").json(), key
    by_bates = run_cli("show", "EFTA01197904")
    twin = client.get("/api/v1/bates/EFTA01197904").json()
    assert (by_bates["id"], by_bates["page"]) == (twin["document_id"], twin["page"])
    assert {**by_bates, "page": None} == client.get(f"/api/v1/documents/{twin['document_id']}").json()


def test_entities_agree(run_cli: Any, client: TestClient) -> None:
    listed = run_cli("entities", "--top", "40")
    assert listed == client.get("/api/v1/entities", params={"per_page": 40}).json()
    people = run_cli("entities", "--type", "PERSON", "--top", "10")
    assert people == client.get("/api/v1/entities", params={"type": "PERSON", "per_page": 10}).json()
    for entity in listed["entities"][:3] + people["entities"][:3]:
        assert run_cli("entity", entity["id"]) == client.get(f"/api/v1/entities/{entity['id']}").json()


def test_search_agrees(run_cli: Any, client: TestClient) -> None:
    cases = (
        ("Harpaz", "page", "collapse"),
        ("israel", "document", "collapse"),
        ("Epstein", "page", "collapse"),
    )
    for query, group, copies in (*cases, ("Harpaz", "document", "all"), ("Epstein", "page", "all")):
        cli = run_cli("search", query, "--group", group, "--copies", copies)
        api = client.get("/api/v1/search", params={"q": query, "group": group, "copies": copies}).json()
        cli.pop("took_ms"), api.pop("took_ms")
        assert cli == api, (query, group, copies)


def test_threads_and_timeline_agree(run_cli: Any, client: TestClient, sample_archive: Archive) -> None:
    with sample_archive.engine.connect() as conn:
        threads = sorted(set(conn.execute(select(email_threads.c.thread)).scalars()))
    assert threads, "the sample archive's real e-mails make threads"
    for thread in threads[:5]:
        cli = run_cli("thread", thread)
        assert cli == client.get(f"/api/v1/threads/{thread}").json(), thread
        assert cli["messages"] and all(m["appearances"] for m in cli["messages"])
    whole = run_cli("timeline")
    assert whole == client.get("/api/v1/timeline").json()
    assert whole["events"] and whole["histogram"], whole["total"]
    month = whole["histogram"][0]["month"]
    narrowed = run_cli("timeline", "--start", month, "--end", month)
    assert narrowed == client.get("/api/v1/timeline", params={"start": month, "end": month}).json()
    assert narrowed["total"] == whole["histogram"][0]["count"]
    sender = next(e["label"].split(":")[0] for e in whole["events"] if e["kind"] == "e-mail")
    by_sender = run_cli("timeline", "--sender", sender)
    assert by_sender == client.get("/api/v1/timeline", params={"sender": sender}).json()
    assert by_sender["total"] >= 1


def _untyped(schema: dict[str, Any] | None) -> bool:
    """No schema, or an object without declared properties (what `dict[str, Any]` documents)."""
    if not schema:
        return True
    if schema.get("type") == "array":
        return _untyped(schema.get("items"))
    return schema.get("type") == "object" and not schema.get("properties") and "$ref" not in schema


def test_openapi_documents_every_body(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    untyped = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            content = operation["responses"]["200"].get("content", {})
            if "application/json" in content and _untyped(content["application/json"].get("schema")):
                untyped.append(f"{method.upper()} {path}")
    assert not untyped, untyped
    schemas = spec["components"]["schemas"]
    named = {"Document", "Entity", "Status", "SearchResults", "Network", "Dataset", "Thread", "Timeline"}
    assert named <= set(schemas)
    loose = [  # object fields documented as "any object" inside the models
        f"{name}.{field}"
        for name, model in schemas.items()
        for field, prop in model.get("properties", {}).items()
        if prop.get("type") == "object" and prop.get("additionalProperties") is True
    ]
    assert not loose, loose
