"""The same schema and ingest on the real PostgreSQL (the scale-out store)."""

from __future__ import annotations

import json

import pytest

from tests.builders import write_pdf
from tests.queue_support import postgres_database


@pytest.fixture
def postgres_url():
    """A new, empty PostgreSQL database for the test, dropped after it."""
    with postgres_database() as url:
        yield url


def test_ingest_show_and_status_on_postgresql(cli, tmp_path, postgres_url):
    env = {"UNSEALED_DATABASE_URL": postgres_url}
    write_pdf(tmp_path / "in" / "EFTA00000100.pdf", [["first"], ["second"]], bates=["EFTA00000100", None])
    (tmp_path / "in" / "empty.pdf").write_bytes(b"")
    assert cli("ingest", tmp_path / "in", "--dataset", "pg", env=env).returncode == 1
    again = cli("ingest", tmp_path / "in", "--dataset", "pg", env=env)
    assert "1 unchanged" in again.stdout

    doc = json.loads(cli("show", "EFTA00000101", "--json", env=env, check=True).stdout)
    assert doc["page"] == 2 and doc["pages"][1]["bates_source"] == "inferred"
    assert doc["created_at"].endswith("+00:00")
    status = json.loads(cli("status", "--json", env=env, check=True).stdout)
    totals = status["totals"]
    assert (totals["documents"], totals["ok"], totals["failed"], totals["pages"]) == (2, 1, 1, 2)
