"""Threads and the timeline on real release text: a message printed in two documents (two data
sets) is one message with both appearances; the thread page, its JSON twin, the CLI and the
timeline show it; the document page links to its thread and lists its copies."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from unsealed.config import Settings
from unsealed.pipeline import dedup_stage, thread_stage
from unsealed.pipeline.enrich_stages import run_emails, unenriched
from unsealed.pipeline.ingest import ingest
from unsealed.pipeline.stage import Stage
from unsealed.sample.real import load_corpus, write_corpus
from unsealed.search import indexer
from unsealed.search.service import Searcher
from unsealed.store.archive import Archive
from unsealed.store.schema import documents
from unsealed.views.threads import document_threads, thread_view
from unsealed.web.app import create_app

IDS = ("HOUSE_OVERSIGHT_030218", "EFTA01748674")


def test_a_message_printed_twice_is_one_message_of_one_thread(tmp_path, cli, archive_dir):
    corpus = {d.id: d for d in load_corpus(ids=IDS)}
    write_corpus([corpus[IDS[0]]], tmp_path / "ho")
    write_corpus([corpus[IDS[1]]], tmp_path / "efta")
    settings = Settings(archive_dir=archive_dir, workers=1)
    stages = [
        Stage("e-mail headers", run_emails, pending=unenriched),
        dedup_stage.stage(),
        thread_stage.stage(),
        Stage("search index", indexer.run_stage, pending=indexer.pending_ids),
    ]
    with Archive.open(archive_dir) as archive:
        ingest(archive, [tmp_path / "ho"], "house", settings, stages=stages)
        ingest(archive, [tmp_path / "efta"], "efta", settings, stages=stages)
        with archive.engine.connect() as conn:
            ids = {r.filename: r.id for r in conn.execute(select(documents.c.id, documents.c.filename))}
            threads = document_threads(conn, ids[f"{IDS[1]}.pdf"])
            assert threads
            view = thread_view(conn, threads[0]["id"])
        shared = [m for m in view["messages"] if len({a["dataset"] for a in m["appearances"]}) == 2]
        assert shared, view["messages"]
        assert any(m["sent"] == "2015-05-12T21:42" for m in shared)
        assert all(m["reply_to"] is None or any(o["id"] == m["reply_to"] for o in view["messages"])
                   for m in view["messages"])  # fmt: skip
        in_thread = Searcher(archive).search(f"thread:{view['id']}", limit=50)
        assert {h.citation.dataset for h in in_thread.hits} == {"house", "efta"}
        client = TestClient(create_app(archive))
        page = client.get(f"/threads/{view['id']}")
        assert page.status_code == 200 and "HOUSE_OVERSIGHT_030218" in page.text
        api = client.get(f"/api/v1/threads/{view['id']}").json()
        assert api["message_count"] == view["message_count"]
        doc_page = client.get(f"/documents/{ids[f'{IDS[1]}.pdf']}").text
        assert f"/threads/{view['id']}" in doc_page
        assert client.get("/threads/nope").status_code == 404
        timeline = client.get("/api/v1/timeline", params={"start": "2015-05", "end": "2015-05"}).json()
        assert timeline["total"] >= 1 and all(e["when"].startswith("2015-05") for e in timeline["events"])
        assert [h["month"] for h in timeline["histogram"]] == ["2015-05"]
        cited = timeline["events"][0]
        assert cited["bates"] and cited["url"].startswith("/documents/")
        html = client.get("/timeline", params={"sender": "<script>x</script>"}).text
        assert "<script>x</script>" not in html
        assert client.get("/timeline", params={"start": "not a date"}).status_code == 200
    out = cli("thread", view["id"], "--json", check=True)
    assert json.loads(out.stdout)["id"] == view["id"]
    text = cli("thread", f"{IDS[1]}.pdf", check=True).stdout
    assert re.search(r"thread [0-9a-f]{12}", text)
