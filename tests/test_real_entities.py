"""Entities a reader accepts, on real release text: no stamp or header label is an entity, a place
is never a person, long organisation names stay whole, header names are people."""

from __future__ import annotations

import pytest

from tests.entities_support import seed_pages
from unsealed.enrich.extract import extract_document
from unsealed.enrich.furniture import is_place
from unsealed.sample.real import default_root, load_corpus


def _names(pages: list[tuple[int, str]]) -> set[tuple[str, str]]:
    found = extract_document(pages)
    return {(m.found.type, " ".join(m.found.text.split())) for m in found if m.found.type != "URL"}


@pytest.fixture(scope="module")
def seed() -> set[tuple[str, str]]:
    return _names(seed_pages())


def test_long_organisation_names_are_kept_whole(seed: set[tuple[str, str]]) -> None:
    for name in (
        "Conference of Presidents of Major American Jewish Organizations",
        "American Jewish Joint Distribution Committee",
    ):
        assert ("ORG", name) in seed
    assert any(t == "ORG" and n.endswith("Caucasus Institute & Silk Road Studies Program") for t, n in seed)


def test_a_country_is_never_a_person(seed: set[tuple[str, str]]) -> None:
    assert ("PERSON", "Azerbaijan") not in seed and ("LOCATION", "Azerbaijan") in seed
    assert is_place("Azerbaijan") and is_place("Florida") and not is_place("Torah")


@pytest.mark.skipif(not default_root().exists(), reason="../shared/corpus is not here")
def test_stamps_and_header_labels_are_never_entities() -> None:
    (document,) = load_corpus(ids=["HOUSE_OVERSIGHT_032720"])
    pages = [
        (i + 1, f"{p}\n{s or ''}")
        for i, (p, s) in enumerate(zip(document.pages, document.stamps, strict=True))
    ]
    names = _names(pages)
    words = {w.lower() for _, n in names for w in n.split()}
    assert not words & {"house", "oversight", "importance", "subject", "sent"}
    assert ("PERSON", "Weingarten, Reid") in names  # a `Last, First` header name is one person


def test_an_acronym_joins_its_long_form_only_with_evidence(tmp_path) -> None:
    from sqlalchemy import select

    from tests.entities_support import add_document
    from unsealed.pipeline.enrich_stages import enrichment_stages
    from unsealed.store.archive import Archive
    from unsealed.store.schema import entities

    both = (
        "The Department of Justice said on Monday that the inquiry would go on. A Justice Department "
        "spokesman declined to comment.\nThe DOJ said it would appeal.\n"
    )
    archive = Archive.open(tmp_path)
    try:
        ids = [add_document(archive, "A.pdf", [both]), add_document(archive, "B.pdf", ["The DOJ said so.\n"])]
        for stage in enrichment_stages():
            stage.run(archive, ids)
        with archive.engine.connect() as conn:
            rows = conn.execute(
                select(entities.c.name, entities.c.mention_count).where(entities.c.type == "ORG")
            ).all()
            orgs = {name: count for name, count in rows}
    finally:
        archive.close()
    # one document prints all three forms: one organisation; the other prints DOJ alone: no evidence
    assert orgs == {"Department of Justice": 3, "DOJ": 1}


def _corpus_pages(doc_id: str) -> list[tuple[int, str]]:
    (document,) = load_corpus(ids=[doc_id])
    return [
        (i + 1, f"{p}\n{s or ''}")
        for i, (p, s) in enumerate(zip(document.pages, document.stamps, strict=True))
    ]


def _resolved(tmp_path, docs: dict[str, list[str]]) -> dict[str, dict[str, set[str]]]:
    """Each document's entities after the real stages: {doc: {"TYPE name": {surface forms}}}."""
    from sqlalchemy import select

    from tests.entities_support import add_document
    from unsealed.pipeline.enrich_stages import enrichment_stages
    from unsealed.store.archive import Archive
    from unsealed.store.schema import entities, mentions

    archive = Archive.open(tmp_path)
    out: dict[str, dict[str, set[str]]] = {}
    try:
        ids = {name: add_document(archive, f"{name}.pdf", pages) for name, pages in docs.items()}
        for stage in enrichment_stages():
            stage.run(archive, list(ids.values()))
        with archive.engine.connect() as conn:
            for name, doc_id in ids.items():
                rows = conn.execute(
                    select(entities.c.type, entities.c.name, mentions.c.text)
                    .join(mentions, mentions.c.entity_id == entities.c.id)
                    .where(mentions.c.document_id == doc_id)
                ).all()
                found: dict[str, set[str]] = {}
                for kind, ename, text in rows:
                    found.setdefault(f"{kind} {ename}", set()).add(" ".join(text.split()))
                out[name] = found
    finally:
        archive.close()
    return out


def test_context_fixes_the_type_in_the_whole_document(seed: set[tuple[str, str]]) -> None:
    # "the Azeri national airline Azal flies ... Azal did not stop flights": an airline both times
    assert ("ORG", "Azal") in seed and ("PERSON", "Azal") not in seed
    assert ("PERSON", "Torah") not in seed  # "a new Torah scroll"


@pytest.mark.skipif(not default_root().exists(), reason="../shared/corpus is not here")
def test_card_statement_lines_are_merchants_and_cities() -> None:
    names = _names(_corpus_pages("EFTA01578324"))
    for merchant in ("OKEECHOBEE STEAKHOUSE", "BED BATH & BEYOND", "SUSHI JO", "DUNKIN", "7-ELEVEN"):
        assert ("ORG", merchant) in names
    for city in ("WEST PALM BEA", "W PALM BCH", "FORT LAUDERDA", "LONG ISLAND C", "PALM BEACH GA"):
        assert ("LOCATION", city) in names
    # no merchant runs into its city or state column, and no state code is an entity
    assert not [n for t, n in names if t == "ORG" and (n.endswith(" FL") or "PALM" in n)]
    assert not {("LOCATION", "FL"), ("ORG", "FL"), ("LOCATION", "NY")} & names


@pytest.mark.skipif(not default_root().exists(), reason="../shared/corpus is not here")
def test_names_stop_at_line_breaks_titles_and_possessives() -> None:
    names = _names(_corpus_pages("HOUSE_OVERSIGHT_031184")) | _names(_corpus_pages("HOUSE_OVERSIGHT_029326"))
    assert ("PERSON", "Karin Hehenberger") in names  # printed under "MD, PhD"
    assert ("LOCATION", "New York City") in names and ("LOCATION", "New York City Please") not in names
    assert not [n for t, n in names if t == "PERSON" and "’s " in n]  # "Obama’s State of the Union"


@pytest.mark.skipif(not default_root().exists(), reason="../shared/corpus is not here")
def test_first_names_and_titles_join_the_full_name_in_the_document(tmp_path) -> None:
    found = _resolved(
        tmp_path,
        {
            "A": [p for _, p in _corpus_pages("HOUSE_OVERSIGHT_031184")],
            "B": [p for _, p in _corpus_pages("EFTA01789686")],
            "C": [p for _, p in _corpus_pages("EFTA02548313")],
        },
    )
    assert "Diana" in found["A"]["PERSON Diana DeGette"] and "PERSON Diana" not in found["A"]
    # tagged ORG and LOCATION, but the page prints her address `behnbom@aol.com`: a person
    assert "PERSON Barbro Ehnbom" in found["A"] and not [
        k for k in found["A"] if k.endswith(" Barbro Ehnbom") and not k.startswith("PERSON")
    ]
    clinton = found["B"]["PERSON Hillary Clinton"]
    assert {"Clinton", "State Hillary Clinton"} <= clinton  # "Secretary of State Hillary Clinton"
    # two Jeffs in one document (Bezos, Skoll): a lone "Jeff" stays apart
    assert "PERSON Jeff" in found["C"] and "Jeff" not in found["C"]["PERSON Jeff Bezos"]
    # "J.E. Safra/Doumanian" in the To: list is two people
    people = [f for k, forms in found["C"].items() if k.startswith("PERSON ") for f in forms]
    assert "Doumanian" in people and not [f for f in people if "/" in f]
