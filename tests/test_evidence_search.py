"""Search over load files and copies: `custodian:smith` (a DAT field), `copies:<Bates>`, hits on
exact copies in two data sets collapsed into one with "N copies" (and all shown on request)."""

from __future__ import annotations

import shutil

from fastapi.testclient import TestClient

from tests.test_evidence_loadfiles import write_release
from unsealed.config import Settings
from unsealed.pipeline import dedup_stage
from unsealed.pipeline.ingest import ingest
from unsealed.pipeline.stage import Stage
from unsealed.search import indexer
from unsealed.search.service import Searcher
from unsealed.store.archive import Archive
from unsealed.views.search import search_view
from unsealed.web.app import create_app


def test_fields_copies_and_collapsed_hits(tmp_path):
    root = write_release(tmp_path / "rel")
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(root / "VOL001/IMAGES/0001/EFTA00000004.pdf", copy / "EFTA00000004.pdf")
    settings = Settings(archive_dir=tmp_path / "archive", workers=1)
    stages = [dedup_stage.stage(), Stage("search index", indexer.run_stage, pending=indexer.pending_ids)]
    with Archive.open(settings.archive_dir) as archive:
        ingest(archive, [root], "ds1", settings, stages=stages)
        ingest(archive, [copy], "ds2", settings, stages=stages)
        searcher = Searcher(archive)
        by_field = searcher.search('custodian:"smith, j"', limit=50)
        assert {h.citation.bates for h in by_field.hits} >= {"EFTA00000001", "EFTA00000004"}
        assert searcher.search("custodian:nobody", limit=5).total == 0
        copies = searcher.search("copies:EFTA00000004", limit=10)
        assert {h.citation.dataset for h in copies.hits} == {"ds1", "ds2"}
        collapsed = search_view(searcher, "memo page 4", sort="relevance", cursor=None, limit=20).json_data()
        fours = [h for h in collapsed["hits"] if "memo page 4" in (h.get("snippet") or {}).get("text", "")]
        assert len(fours) == 1 and fours[0]["copy_count"] == 2 and len(fours[0]["copies"]) == 1
        every = search_view(searcher, "memo page 4", sort="relevance", limit=20, copies="all").json_data()
        assert len([h for h in every["hits"] if h["bates"] == "EFTA00000004"]) == 2
        client = TestClient(create_app(archive))
        page = client.get("/search", params={"q": "memo page 4"})
        assert page.status_code == 200 and "2 copies" in page.text and "show all copies" in page.text
        assert client.get("/search", params={"q": "copies:nothing-like-this"}).status_code == 200
        assert client.get("/api/v1/search", params={"q": "thread:zzz"}).json()["total"] == 0
