"""The entity commands end to end: a real PDF through `unsealed ingest`, then show/entities/entity,
curation, and the followthemoney export validated by followthemoney itself."""

from __future__ import annotations

import json

import pytest
from followthemoney import model

from tests.builders import write_pdf
from tests.entities_support import add_document
from unsealed.pipeline.enrich_stages import enrichment_stages
from unsealed.store.archive import Archive

EMAIL_PAGE = [
    "From: Dana Whitfield <dana.whitfield@harborpoint.example>",
    "Sent: Tuesday, January 15, 2019 9:12 AM",
    "To: Martin Kessler <mkessler@northgate.example>",
    "Subject: Meeting in Palm Beach",
    "",
    "Martin, Oliver Brandt will fly to Palm Beach with Helena Voss on Friday.",
    "Call me at (212) 734-2281. [bold]Kessler[/bold] agreed.",
    "Dana Whitfield, Harbor Point Foundation",
]


def _ingest(cli, tmp_path):
    source = write_pdf(tmp_path / "in" / "EFTA00000100.pdf", [EMAIL_PAGE], bates=["EFTA00000100"])
    cli("ingest", source.parent, "--dataset", "dataset_9", "--workers", "1", check=True)


def _enriched_archive(archive_dir):
    """The same document written and enriched in this process (faster than a CLI ingest)."""
    with Archive.open(archive_dir) as archive:
        doc_id = add_document(archive, "EFTA00000100.pdf", ["\n".join(EMAIL_PAGE)])
        for stage in enrichment_stages():
            stage.run(archive, [doc_id])


@pytest.mark.slow
def test_show_lists_and_curates_entities(cli, show_json, tmp_path):
    _ingest(cli, tmp_path)
    doc = show_json("EFTA00000100")
    assert doc["doc_type"] == "email"
    assert doc["email"]["from"] == {"name": "Dana Whitfield", "address": "dana.whitfield@harborpoint.example"}
    assert doc["email"]["to"] == [{"name": "Martin Kessler", "address": "mkessler@northgate.example"}]
    assert doc["email"]["sent_at"] == "2019-01-15T09:12:00+00:00"
    groups = {g["type"]: g["entities"] for g in doc["entities"]["groups"]}
    people = {e["name"]: e for e in groups["PERSON"]}
    assert {"Dana Whitfield", "Martin Kessler", "Oliver Brandt"} <= set(people)
    assert groups["PHONE"][0]["mentions"][0]["text"] == "(212) 734-2281"
    mention = people["Dana Whitfield"]["mentions"][0]
    page_text = doc["pages"][0]["text"]
    assert page_text[mention["start"] : mention["end"]] == mention["text"]

    listed = json.loads(cli("entities", "--type", "PERSON", "--json", check=True).stdout)["entities"]
    assert all(e["type"] == "PERSON" for e in listed) and listed[0]["mention_count"] >= 2

    whitfield = json.loads(cli("entity", "Dana Whitfield", "--json", check=True).stdout)
    assert whitfield["linked"] == [{"value": "dana.whitfield@harborpoint.example", "count": 1}]
    assert whitfield["emails_sent"][0]["subject"] == "Meeting in Palm Beach"
    assert "Martin Kessler" in {c["name"] for c in whitfield["co_mentions"]}
    address = json.loads(cli("entity", "mkessler@northgate.example", "--json", check=True).stdout)
    assert address["linked"] == [{"value": "Martin Kessler", "count": 1}]

    def entity_hits(name: str) -> int:
        found = cli("search", f'entity:"{name}"', "--json", check=True).stdout
        return int(json.loads(found)["total"])

    assert entity_hits("Palm Beach") >= 1
    cli("entities", "merge", "Martin Kessler", "Oliver Brandt", check=True)
    cli("entities", "hide", "Palm Beach", check=True)
    assert entity_hits("Palm Beach") == 0  # curation re-indexes the pages it changed
    shown = show_json("EFTA00000100")["entities"]
    assert "Palm Beach" not in {e["name"] for group in shown["groups"] for e in group["entities"]}
    cli("enrich", "--all", check=True)  # re-processing keeps the decisions
    merged = json.loads(cli("entity", "Martin Kessler", "--json", check=True).stdout)
    assert "Oliver Brandt" in {a["text"] for a in merged["aliases"]}
    split = cli("entities", "split", "Martin Kessler", "Oliver Brandt", check=True)
    assert json.loads(split.stdout)["new_entity"]
    locations = json.loads(cli("entities", "--type", "LOCATION", "--json", check=True).stdout)["entities"]
    assert "Palm Beach" not in {e["name"] for e in locations}

    table = cli("entities", check=True).stdout  # hostile text is printed, not interpreted
    assert "Dana Whitfield" in table


def test_errors_are_clear(cli, archive_dir):
    _enriched_archive(archive_dir)
    missing = cli("entity", "Nobody Atall")
    assert missing.returncode == 3 and "no entity named" in missing.stderr
    bad = cli("entities", "--type", "FISH")
    assert bad.returncode == 2 and "--type must be one of" in bad.stderr
    assert cli("export", "--format", "csv").returncode == 2
    not_alias = cli("entities", "split", "Martin Kessler", "Nobody")
    assert not_alias.returncode == 2 and "not an alias" in not_alias.stderr


def test_ftm_export_is_valid_followthemoney(cli, archive_dir, tmp_path):
    _enriched_archive(archive_dir)
    out = tmp_path / "out.ftm.json"
    cli("export", "--format", "ftm", "--output", out, check=True)
    lines = out.read_text(encoding="utf-8").splitlines()
    by_schema: dict[str, list[dict]] = {}
    ids = set()
    for line in lines:
        data = json.loads(line)
        schema = model.get(data["schema"])
        assert schema is not None and not schema.abstract
        schema.validate(data)  # raises InvalidData on a bad value
        for prop in schema.required:
            assert data["properties"].get(prop), (data["schema"], prop)
        proxy = model.get_proxy(data, cleaned=False)
        assert proxy.to_dict()["properties"] == data["properties"]  # FtM's cleaning keeps every value
        by_schema.setdefault(data["schema"], []).append(data)
        ids.add(data["id"])
    assert {"Pages", "Page", "Email", "Person", "Mention", "Address"} <= set(by_schema)
    for data in by_schema["Mention"] + by_schema["Page"]:
        for prop in ("document", "resolved"):
            for ref in data["properties"].get(prop, []):
                assert ref in ids
    email = by_schema["Email"][0]["properties"]
    assert email["subject"] == ["Meeting in Palm Beach"]
    assert email["emitters"][0] in ids
