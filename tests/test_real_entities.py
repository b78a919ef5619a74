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
