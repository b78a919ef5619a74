"""Resolution across documents, curator decisions that survive re-processing, idempotent stages."""

from __future__ import annotations

from sqlalchemy import select

from tests.entities_support import add_document
from unsealed.enrich import curate
from unsealed.enrich.lookup import find_entity
from unsealed.enrich.resolve import resolve_archive
from unsealed.pipeline.enrich_stages import enrichment_stages
from unsealed.store.archive import Archive
from unsealed.store.schema import entities, mentions
from unsealed.views.entity import entity_view
from unsealed.views.queries import document_entities, list_entities

MEETING = (
    "Israeli Defense Minister {name} met Prime Minister Benjamin Netanyahu in Jerusalem on Monday.\n"
    "Foreign Minister Avigdor Lieberman also attended the meeting with Netanyahu.\n"
)
HARPAZ = (
    "Rafael Harpaz, Israel's ambassador to Azerbaijan, spoke to reporters in Baku.\n"
    '"We are willing to share our expertise," liarpaz said on Tuesday.\n'
)


def _run(archive: Archive, ids: list[str]) -> None:
    for stage in enrichment_stages():
        stage.run(archive, ids)


def _snapshot(archive: Archive) -> tuple[list[tuple], list[tuple]]:
    with archive.engine.connect() as conn:
        ents = sorted(tuple(r) for r in conn.execute(select(entities)))
        ments = sorted(tuple(r) for r in conn.execute(select(mentions)))
    return ents, ments


def _build(tmp_path) -> tuple[Archive, list[str]]:
    archive = Archive.open(tmp_path)
    ids = [
        add_document(archive, f"EFTA0000000{i}.pdf", [MEETING.format(name="Moshe Ya'alon")])
        for i in range(1, 4)
    ]
    ids.append(add_document(archive, "EFTA00000004.pdf", [MEETING.format(name="Mosbe Ya'alon")]))
    ids.append(add_document(archive, "EFTA00000005.pdf", [HARPAZ]))
    ids.append(
        add_document(
            archive, "EFTA00000006.pdf", ["David Harris and Kamala Harris spoke in Iran and Iraq.\n"]
        )
    )
    _run(archive, ids)
    return archive, ids


def test_ocr_variants_merge_and_distinct_names_stay_apart(tmp_path) -> None:
    archive, ids = _build(tmp_path)
    with archive.engine.connect() as conn:
        yaalon = entity_view(conn, find_entity(conn, "Moshe Ya'alon")).json_data()
        assert yaalon["name"] == "Moshe Ya'alon"
        assert {a["text"] for a in yaalon["aliases"]} == {"Moshe Ya'alon", "Mosbe Ya'alon"}
        assert yaalon["document_count"] == 4
        assert "ocr_variant" in yaalon["rules"]
        harpaz = entity_view(conn, find_entity(conn, "liarpaz")).json_data()
        assert harpaz["name"] == "Rafael Harpaz"
        assert {"Rafael Harpaz", "liarpaz"} <= {a["text"] for a in harpaz["aliases"]}
        assert "surname_in_document" in harpaz["rules"]
        assert find_entity(conn, "David Harris") != find_entity(conn, "Kamala Harris")
        assert find_entity(conn, "Iran") != find_entity(conn, "Iraq")
        co = {c["name"] for c in yaalon["co_mentions"]}
        assert {"Benjamin Netanyahu", "Avigdor Lieberman"} <= co
        grouped = document_entities(conn, ids[3])
        assert [e["name"] for e in grouped["PERSON"]][:1] == ["Benjamin Netanyahu"]
        assert all(m["text"] for e in grouped["PERSON"] for m in e["mentions"])


def test_stages_are_idempotent(tmp_path) -> None:
    archive, ids = _build(tmp_path)
    before = _snapshot(archive)
    _run(archive, ids)
    assert _snapshot(archive) == before


def test_curator_decisions_survive_reprocessing(tmp_path) -> None:
    archive, ids = _build(tmp_path)
    with archive.engine.begin() as conn:
        curate.split(conn, "Moshe Ya'alon", "Mosbe Ya'alon")
        curate.merge(conn, "Benjamin Netanyahu", "Avigdor Lieberman")
        curate.hide(conn, "Jerusalem")
    with archive.engine.begin() as conn:  # a re-resolution from scratch replays the decisions
        conn.execute(mentions.update().values(entity_id=None, rule=None))
    _run(archive, ids)
    with archive.engine.connect() as conn:
        assert find_entity(conn, "Mosbe Ya'alon") != find_entity(conn, "Moshe Ya'alon")
        assert find_entity(conn, "Avigdor Lieberman") == find_entity(conn, "Benjamin Netanyahu")
        merged = entity_view(conn, find_entity(conn, "Benjamin Netanyahu")).json_data()
        assert "curator_merge" in " ".join(merged["rules"])
        names = {e["name"] for e in list_entities(conn, "LOCATION", top=100)}
        assert "Jerusalem" not in names and "Baku" in names
        hidden = {e["name"] for e in list_entities(conn, "LOCATION", top=100, include_hidden=True)}
        assert "Jerusalem" in hidden


def test_a_prepared_resolution_is_resolved_again_when_the_mentions_moved(tmp_path) -> None:
    """The resolution stage may resolve first and write later (beside the e-mail stage): what it
    writes is what a resolution from the archive's mentions at the write gives."""
    from unsealed.pipeline.enrich_stages import Resolution
    from unsealed.store.schema import mentions as mention_rows

    archive, ids = _build(tmp_path)
    expected = _snapshot(archive)
    resolution = Resolution()
    resolution.prepare(archive, ids)
    resolution(archive, ids)  # nothing moved meanwhile: the prepared outcome, the same rows
    assert _snapshot(archive) == expected

    resolution.prepare(archive, ids)
    with archive.engine.begin() as conn:  # a document's mentions change after the read
        conn.execute(mention_rows.delete().where(mention_rows.c.document_id == ids[3]))
    resolution(archive, ids)
    moved = _snapshot(archive)
    with archive.engine.begin() as conn:
        resolve_archive(conn)
    assert _snapshot(archive) == moved  # resolving again from scratch changes nothing
    assert moved != expected  # (the prepared outcome, written, would have counted the old mentions)
