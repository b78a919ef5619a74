"""The entity rules of issue 11 (point 3), each on the real release text it was written for: titles,
subjects, sectors and menus are not organisations; gazetteer places the tagger misses; organisations
named by the document's own evidence (domains, suffixes, line breaks, coordination); statement
merchants without their store's place; document-level joins of short forms."""

from __future__ import annotations

import pytest

from tests.test_real_entities import _corpus_pages, _names, _resolved
from unsealed.enrich.doc_evidence import domain_names, is_pair_of_people
from unsealed.enrich.org_context import org_in_context
from unsealed.enrich.orgs import suffixed_names
from unsealed.enrich.regions import is_currency, is_region_name, missed_places, split_place_country
from unsealed.enrich.spans import Found
from unsealed.sample.real import default_root

corpus = pytest.mark.skipif(not default_root().exists(), reason="../shared/corpus is not here")


def _org(text: str, name: str) -> Found | None:
    start = text.index(name)
    return org_in_context(Found(start, start + len(name), name, "ORG", "test"), text)


def test_titles_subjects_degrees_sectors_menus_and_prices_are_not_organisations() -> None:
    # phrases as the release prints them (EFTA01389969, EFTA01789686, EFTA01910996, HOUSE_OVERSIGHT_031184)
    assert (
        _org("Carlo is a Managing Partner \n& Chief Executive Officer of", "Managing Partner \n& Chief")
        is None
    )
    assert (
        _org("He is a Chartered Management \nAccountant (ACMA).", "Chartered Management \nAccountant") is None
    )
    assert _org("and an MSc in Civil Engineering from", "Civil Engineering") is None
    assert _org("Charles holds an MA in Natural Sciences and", "Natural Sciences") is None
    assert _org("Adam holds a BA from Colgate University.", "BA") is None
    assert _org("in the Technology. Media and Telecoms sectors.", "Media") is None
    assert _org("Director and Host of Poetry in America", "Host of Poetry") is None
    assert _org("• Comments \n• Share <http://www.addthis.com>", "Comments \n• Share") is None
    assert _org("to save 2,000 Euro a day.", "Euro") is None
    assert _org("Supporter - $500 • Friend - $250 • Guest", "Friend") is None
    # a title + `of` + a company's name gives the company; a name after `Home of` the person
    text = "Carlo served as the Global Head of DB Private Equity with USS13 billion"
    found = _org(text, "Global Head")
    assert found is not None and (found.type, found.text) == ("ORG", "DB Private Equity")
    person = _org("at\nThe Home of Christine Rappoport\n993 Park Avenue", "The Home of Christine Rappoport")
    assert person is not None and (person.type, person.text) == ("PERSON", "Christine Rappoport")
    # what stays: a bank, a company called after a place, a degree-like airline code in capitals
    assert _org("at Deutsche Bank where he", "Deutsche Bank") is not None
    assert _org("flew BA to London", "BA") is not None
    assert _org("the MD of Goldman Sachs said", "Goldman Sachs") is not None


def test_gazetteer_regions_subdivisions_and_currencies() -> None:
    assert (
        is_region_name("Gujarat") and is_region_name("North America") and is_region_name("US Virgin Islands")
    )
    assert is_region_name("Maharashtra") and not is_region_name("Haaretz")
    assert is_currency("Euro") and is_currency("dollars") and not is_currency("Temasek")
    place = Found(0, 18, "Farnborogh England", "LOCATION", "test")
    assert [f.text for f in split_place_country(place)] == ["Farnborogh", "England"]
    for whole in ("New England", "North Carolina", "Papua New Guinea"):
        assert split_place_country(Found(0, len(whole), whole, "LOCATION", "t")) == [
            Found(0, len(whole), whole, "LOCATION", "t")
        ]


def test_missed_places_need_the_whole_run_or_a_change_of_case() -> None:
    def free(start: int, end: int) -> bool:
        return False

    def found(text: str) -> list[str]:
        return [f.text for f in missed_places(text, free, frozenset({"and", "registered"}))]

    assert found("Business Standard MUMBAI I THURSDAY, 30 MARCH 2017") == ["MUMBAI"]
    assert found("Partner \nNorth America \nDeutsche Bank") == ["North America"]
    assert found("- USA registered still,") == ["USA"]
    assert found("Michael Jordan scored") == []  # part of a longer name in the same case
    assert found("AND SO ON") == []  # a code the document prints as a word (`and`)
    assert found("Georgia said") == []  # a common given name


@corpus
def test_real_places_the_tagger_missed_or_called_a_nationality() -> None:
    names = _names(_corpus_pages("HOUSE_OVERSIGHT_033231"))
    assert {
        ("LOCATION", "MUMBAI"),
        ("LOCATION", "Gujarat"),
    } <= names  # masthead; "the Gujarat chief minister"
    names = _names(_corpus_pages("EFTA01389969"))
    assert ("LOCATION", "North America") in names and ("ORG", "Cambridge University") in names
    names = _names(_corpus_pages("EFTA02393228"))
    assert {("LOCATION", "USA"), ("LOCATION", "Farnborogh"), ("LOCATION", "England")} <= names
    assert ("LOCATION", "BlackBus=e airport") in names  # a word cut by quoted-printable debris
    assert ("PERSON", "Wheels") not in names  # "the=20 Wheels and brakes"
    assert ("LOCATION", "US Virgin Islands") in _names(_corpus_pages("HOUSE_OVERSIGHT_029326"))
    names = _names(_corpus_pages("EFTA02548313"))
    assert ("LOCATION", "Bristol") in names and (
        "PERSON",
        "Bristol",
    ) not in names  # "the Bristol (UK) Festival"


@corpus
def test_real_job_titles_and_subjects_are_dropped_and_the_company_after_a_title_kept() -> None:
    names = _names(_corpus_pages("EFTA01389969"))
    orgs = {n for t, n in names if t == "ORG"}
    assert not orgs & {"Global Head", "Civil Engineering", "Media", "Telecoms", "BA"}
    assert not [
        n for n in orgs if n.startswith(("Managing Partner", "Chartered Management", "Natural Sciences"))
    ]
    assert "DB Private Equity" in orgs and ("PERSON", "ADAM GRAEV") in names


@corpus
def test_real_organisations_named_by_domains_suffixes_and_line_breaks() -> None:
    names = _names(_corpus_pages("EFTA01789686"))
    assert {("ORG", "Twitter"), ("ORG", "Facebook"), ("ORG", "Haaretz")} <= names  # twitter.com, Haaretz.com
    assert ("ORG", "Barak-Clinton") not in names  # a meeting of two people of the document
    assert ("ORG", "Atzmaut") in names  # "a new faction, Atzmaut"
    names = _names(_corpus_pages("HOUSE_OVERSIGHT_026793"))
    assert {("ORG", "Darren K Indyke, PLLC"), ("ORG", "TowersInvestors.com, Inc")} <= names
    assert {
        ("ORG", "MINTZ FRAADE LAW FIRM, P.C"),
        ("ORG", "Drexel Burnhan"),
    } <= names  # `Drexel` / `Burnhan,`
    names = _names(_corpus_pages("EFTA02559972"))
    assert ("ORG", "Bank of America =errill Lynch") in names and ("ORG", "Santander") in names
    assert ("ORG", "Temasek") in names  # "Singapore investment fund Temasek"
    names = _names(_corpus_pages("EFTA01389969"))
    assert ("ORG", "Deutsche Bark") in names and (
        "ORG",
        "Deutsche",
    ) not in names  # `Deutsche` / `Bark in 2000`
    names = _names(_corpus_pages("HOUSE_OVERSIGHT_033231"))
    assert ("ORG", "Shanghai Cooperation Organ- isation") in names  # a head noun hyphenated over a break
    names = _names(_corpus_pages("HOUSE_OVERSIGHT_029326"))
    assert ("ORG", "Mind, Brain and Behavior Committee") in names
    assert ("ORG", "DEPARTMENT OF ENGLISH") in _names(_corpus_pages("HOUSE_OVERSIGHT_029603"))


def test_domain_names_and_suffixed_names() -> None:
    addresses = [
        Found(0, 1, "http://twitter.com/haaretzonline", "URL", "t"),
        Found(0, 1, "Haaretz.com", "URL", "t"),
        Found(0, 1, "news@bbc.co.uk", "EMAIL", "t"),
    ]
    assert domain_names(addresses) == {"twitter", "haaretz", "bbc"}
    assert [
        f.text for f in suffixed_names("our firm represents TowersInvestors.com, Inc and Mr. Steven")
    ] == ["TowersInvestors.com, Inc"]
    # not a code (`HY Corp`: high-yield corporates), a suffix alone, or the tail of a longer name
    assert suffixed_names("HY Corp 4.5; Pte Ltd; the Hongkong and Shanghai Banking Corp") == []
    assert is_pair_of_people("Barak-Clinton", frozenset({"barak", "clinton"}))
    assert not is_pair_of_people("Baku-Tbilisi", frozenset({"barak", "clinton"}))


@corpus
def test_real_statement_merchants_without_the_store_place() -> None:
    names = _names(_corpus_pages("EFTA01578324"))
    orgs = {n for t, n in names if t == "ORG"}
    assert {"TIGER DIRECT", "APROPO", "SUNOCO", "WAL-MART", "7-ELEVEN"} <= orgs
    assert not [n for n in orgs if "NORTHLAKE" in n or "SAVVGRASS" in n or "Transaction" in n]


@corpus
def test_real_short_forms_join_their_organisation(tmp_path) -> None:
    found = _resolved(
        tmp_path,
        {
            "A": [p for _, p in _corpus_pages("EFTA02559972")],
            "B": [p for _, p in _corpus_pages("HOUSE_OVERSIGHT_029603")],
            "C": [p for _, p in _corpus_pages("EFTA01789686")],
            "D": [p for _, p in _corpus_pages("EFTA01389969")],
        },
    )
    # `StanChart Bank`: a blend of Standard Chartered + a head noun; `StanChart` with it
    assert {"StanChart", "StanChart Bank", "Standard Chartered"} <= found["A"]["ORG Standard Chartered"]
    harvard = [forms for k, forms in found["B"].items() if k.startswith("ORG ") and "Harvard" in forms]
    assert harvard == [harvard[0]] and "HARVARD UNIVERSITY" in harvard[0]  # not Harvard Medical School
    assert "U.S. State Department" in found["C"]["ORG State Department"]
    assert "ORG Carlo" not in found["D"]  # twice PERSON, twice ORG: a given name, so a person
