"""The timeline's entity filter on real release text: two e-mail documents of the corpus, ingested
with every stage (entities found and resolved, messages threaded); the timeline for a person named
in one of them lists that document's e-mails and none of the other's, in the page and its JSON twin.

What the texts say (read from ../shared/corpus): HOUSE_OVERSIGHT_030218 is Brandon Thompson's
"Library" chain forwarded by Richard Kahn (Sent 5/13/2015 11:27 PM; Thompson's messages of 10-13 May
2015); HOUSE_OVERSIGHT_029960 is Gwendolyn Beck's "Hello" exchange with Jeffrey Epstein (18 May 2016,
10:46 AM and 4:41 PM). Kahn is named only in the first, Beck only in the second.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from unsealed.config import Settings
from unsealed.pipeline.ingest import ingest
from unsealed.sample.real import load_corpus, write_corpus
from unsealed.store.archive import Archive
from unsealed.store.schema import entities
from unsealed.web.app import create_app

KAHN_DOC, BECK_DOC = "HOUSE_OVERSIGHT_030218", "HOUSE_OVERSIGHT_029960"
KAHN_SENT = {"2015-05-13T23:27", "2015-05-13T19:15", "2015-05-12T21:42"}  # Kahn's forward, two quoted
BECK_SENT = {"2016-05-18T10:46", "2016-05-18T16:41"}


def test_the_entity_filter_keeps_the_events_of_documents_that_name_the_entity(tmp_path, archive_dir):
    write_corpus(load_corpus(ids=(KAHN_DOC, BECK_DOC)), tmp_path / "house")
    settings = Settings(archive_dir=archive_dir, workers=1)
    with Archive.open(archive_dir) as archive:
        ingest(archive, [tmp_path / "house"], "house", settings)  # every stage: entities, threads
        with archive.engine.connect() as conn:
            beck_id = conn.execute(
                select(entities.c.id).where(entities.c.name == "Gwendolyn Beck")
            ).scalar_one()
        client = TestClient(create_app(archive))

        def timeline(**params: str) -> dict:
            response = client.get("/api/v1/timeline", params=params)
            assert response.status_code == 200
            return response.json()

        everything = timeline()
        files = {e["when"]: e["filename"] for e in everything["events"]}
        assert KAHN_SENT | BECK_SENT <= set(files)  # both documents have dated e-mails unfiltered

        kahn = timeline(entity="Richard Kahn")  # by name
        assert KAHN_SENT <= {e["when"] for e in kahn["events"]}
        assert {e["filename"] for e in kahn["events"]} == {f"{KAHN_DOC}.pdf"}
        assert not BECK_SENT & {e["when"] for e in kahn["events"]}
        assert kahn["total"] == sum(1 for f in files.values() if f == f"{KAHN_DOC}.pdf")
        assert [h["month"] for h in kahn["histogram"]] == ["2015-05"]
        assert kahn["filters"]["entity"] == "Richard Kahn"

        beck = timeline(entity=beck_id)  # by id
        assert {e["when"] for e in beck["events"]} >= BECK_SENT
        assert {e["filename"] for e in beck["events"]} == {f"{BECK_DOC}.pdf"}
        assert [h["month"] for h in beck["histogram"]] == ["2016-05"]

        assert timeline(entity="Richard Kahn", start="2016")["total"] == 0  # with a range: nothing left
        nobody = timeline(entity="Nobody Atall")
        assert nobody["total"] == 0 and nobody["events"] == [] and nobody["histogram"] == []

        page = client.get("/timeline", params={"entity": "Gwendolyn Beck"})
        assert page.status_code == 200
        assert "2016-05-18T10:46" in page.text and "HOUSE_OVERSIGHT_029960" in page.text
        assert "2015-05-13T23:27" not in page.text and "HOUSE_OVERSIGHT_030218" not in page.text
        assert 'name="entity" value="Gwendolyn Beck"' in page.text
