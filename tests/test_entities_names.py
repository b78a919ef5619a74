"""Name keys, noise rules and pattern extractors."""

from __future__ import annotations

import pytest

from unsealed.enrich.extract import (
    _among_degrees,
    _drop_code_prefix,
    _place_not_person,
    _split_at_slash,
    retype,
    retype_given_name,
    trim,
)
from unsealed.enrich.names import clean_form, name_key, ocr_skeleton
from unsealed.enrich.noise import is_common_word, is_noise
from unsealed.enrich.patterns import find_patterns, phone_value
from unsealed.enrich.spans import Found


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Moshe Ya'alon", "MOSHE YA’ALON"),
        ("Harris, David", "David Harris"),
        ("Dr. Avinoam Idan", "Avinoam Idan"),
        ("Peres's", "Peres"),
        ("José Álvarez", "Jose Alvarez"),
        ("Mr. John  Smith Jr.", "john smith"),
    ],
)
def test_person_forms_share_a_key(a: str, b: str) -> None:
    assert name_key(clean_form(a), "PERSON") == name_key(clean_form(b), "PERSON")


def test_country_names_and_abbreviations_share_a_key_but_cities_do_not() -> None:
    keys = {name_key(clean_form(t), "LOCATION") for t in ("US", "U.S.", "United States", "the United States")}
    assert len(keys) == 1
    assert name_key("Baku", "LOCATION") != name_key("Azerbaijan", "LOCATION")
    assert name_key("Iran", "LOCATION") != name_key("Israel", "LOCATION")


def test_different_people_keep_different_keys() -> None:
    assert name_key("David Harris", "PERSON") != name_key("Kamala Harris", "PERSON")


def test_ocr_skeleton_folds_confusable_shapes() -> None:
    assert ocr_skeleton("liarpaz") == ocr_skeleton("harpaz")
    assert ocr_skeleton("mosbe") == ocr_skeleton("moshe")
    assert ocr_skeleton("grnail") == ocr_skeleton("gmail")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("EFTA01197902", "ORG"),
        ("HOUSE_OVERSIGHT_012345", "ORG"),
        ("Subject", "PERSON"),
        ("From", "ORG"),
        ("Unsubscribe", "ORG"),
        ("Forward to a friend", "ORG"),
        ("J", "PERSON"),
        ("2014", "ORG"),
        ("•.", "ORG"),
        ("he", "PERSON"),
        ("Wahhabism", "PERSON"),
        ("John Doe Sent", "PERSON"),
        ("JOHN DOE PAGE", "PERSON"),
    ],
)
def test_noise_is_not_an_entity(text: str, kind: str) -> None:
    assert is_noise(text, kind)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("US", "LOCATION"),
        ("U.S", "LOCATION"),
        ("D.C", "LOCATION"),
        ("Shimon Peres", "PERSON"),
        ("AJC", "ORG"),
        ("Larry Page", "PERSON"),
    ],
)
def test_names_are_not_noise(text: str, kind: str) -> None:
    assert not is_noise(text, kind)


def test_capitalised_common_words_are_not_names() -> None:
    words = {"friend", "defense", "back"}
    assert is_common_word("FRIEND", words)
    assert not is_common_word("Harpaz", words)
    assert not is_common_word("Forward Friend", words)  # two words: judged by the tagger


def test_patterns_find_addresses_numbers_and_links() -> None:
    text = "Write to jeevacation@gmail.com or see www.example.org/a, JNS.org. Call (212) 734-2281 today."
    found = {(f.type, f.text, f.value) for f in find_patterns(text)}
    assert ("EMAIL", "jeevacation@gmail.com", None) in found
    assert ("URL", "www.example.org/a", None) in found
    assert ("URL", "JNS.org", None) in found
    assert ("PHONE", "(212) 734-2281", "+12127342281") in found
    for f in find_patterns(text):
        assert text[f.start : f.end] == f.text


def test_phone_numbers_normalise_to_e164_with_the_default_region(monkeypatch: pytest.MonkeyPatch) -> None:
    assert phone_value("212.734.2281") == "+12127342281"
    assert phone_value("+44 20 7946 0958") == "+442079460958"
    monkeypatch.setenv("UNSEALED_PHONE_REGION", "GB")
    assert phone_value("020 7946 0958") == "+442079460958"
    assert phone_value("12") is None


def test_phone_matches_are_the_libraries_own_on_real_pages_and_short_numbers() -> None:
    """The matcher that skips candidates too short to be valid finds exactly what phonenumbers'
    own matcher finds: real corpus pages, and numbers of the shortest valid length (Niue, 4 digits)."""
    import phonenumbers

    from unsealed.enrich.patterns import find_phones, shortest_valid_length
    from unsealed.sample.real import load_corpus

    assert 2 <= shortest_valid_length() <= 4
    corpus = load_corpus()
    texts = [page for document in corpus[::60] for page in document.pages]
    texts += [
        "Niue +683 4002, page 3 of 12, room 12 ext. 7, Vienna +43 1 2345, call 555-0199 or (212) 555-0199",
        "dialled 011 44 20 7946 0958 or 00 44 20 7946 0958, \uff0b44 20 7946 0958, 1-800-FLOWERS, "
        "1 (800) 356-9377, 020 7946 0958, dated 3/2005, account 123302, 1978, (580219608",
    ]
    for region in ("US", "NU", "AT", "GB", "AR"):
        for text in texts:
            library = phonenumbers.PhoneNumberMatcher(text, region, phonenumbers.Leniency.VALID)
            expected = [(m.start, m.end, m.raw_string) for m in library]
            assert [(f.start, f.end, f.text) for f in find_phones(text, region)] == expected


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Greg Curl from Bank of America", "ORG", "PERSON"),  # EFTA02559972
        ("beyond thrilled moody nasty Darin is", "LOCATION", "PERSON"),  # EFTA01910996
        ("Morgan Stanley Research", "ORG", "ORG"),  # a second given name: not a person's form
        ("Rose Garden", "ORG", "ORG"),  # ends with a building or grounds noun
        ("Geneva", "LOCATION", "LOCATION"),  # a city of the gazetteer
        ("Merrill Lynch", "ORG", "ORG"),  # a rare given name
        ("KEVIN RUDD", "ORG", "ORG"),  # capitals: a heading or a table, left as tagged
    ],
)
def test_a_span_starting_with_a_common_given_name_is_a_person(text: str, kind: str, expected: str) -> None:
    name = text.split(" from ")[0].removeprefix("beyond thrilled moody nasty ").removesuffix(" is")
    start = text.index(name)
    found = Found(start, start + len(name), name, kind, "spacy:test")
    lowercase = frozenset({"from", "of", "is", "nasty", "moody"})
    assert retype_given_name(found, lowercase).type == expected


def test_initials_are_kept_and_table_codes_dropped() -> None:
    assert _drop_code_prefix("E.O. Wilson") == "E.O. Wilson"
    assert _drop_code_prefix("S Jaishankar") == "S Jaishankar"
    assert _drop_code_prefix("STT Mark Kessler") == "Mark Kessler"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Azerbaijan", "Azerbaijan"),  # a country
        ("Moscow", "Moscow"),  # a big city
        ("Austin", None),  # a big city, and a common given name: the tagger's PERSON stands
        ("Savannah Ga", "Savannah"),  # a city before a US state's code (EFTA02393228)
        ("Obama", None),  # a small town of the gazetteer is not enough
    ],
)
def test_places_the_tagger_takes_for_people(text: str, expected: str | None) -> None:
    assert _place_not_person(text) == expected


def test_degrees_in_a_list_are_not_places() -> None:
    text = "Karin Hehenberger, MD, PhD, lives in Chevy Chase, MD."
    start = text.index("MD")
    assert _among_degrees(Found(start, start + 2, "MD", "LOCATION", "spacy:test"), text)
    start = text.rindex("MD")
    assert not _among_degrees(Found(start, start + 2, "MD", "LOCATION", "spacy:test"), text)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Lunar Society", "ORG"),
        ("Kennedy School", "ORG"),
        ("West Bank", "LOCATION"),
        ("Soviet Union", "LOCATION"),
    ],
)
def test_a_place_ending_with_an_organisation_head_noun(name: str, expected: str) -> None:
    text = f"the {name} met"
    found = Found(4, 4 + len(name), name, "LOCATION", "spacy:test")
    assert retype(found, text).type == expected


def test_two_given_names_joined_by_and_are_two_people() -> None:
    text = "as fluently as Blake and Byron wrote verses"
    start = text.index("Blake")
    found = Found(start, start + len("Blake and Byron"), "Blake and Byron", "ORG", "spacy:test")
    assert [(f.text, f.type) for f in _split_at_slash(found)] == [("Blake", "PERSON"), ("Byron", "PERSON")]


def test_a_function_word_glued_to_a_name_is_not_part_of_it() -> None:
    text = "published inNew York Review of Books today"
    start = text.index("inNew")
    found = Found(
        start, start + len("inNew York Review of Books"), "inNew York Review of Books", "ORG", "spacy:test"
    )
    assert trim(found, text).text == "New York Review of Books"


def test_a_title_before_a_given_name_makes_a_person_of_an_organisation_span() -> None:
    text = "week, National Security Advisor\nAjit Kumar Doval was also"
    start = text.index("National")
    end = text.index(" was")
    found = retype_given_name(Found(start, end, text[start:end], "ORG", "spacy:test"), frozenset({"was"}))
    assert (found.text, found.type) == ("Ajit Kumar Doval", "PERSON")


def test_a_state_code_is_not_its_country() -> None:
    assert name_key("NY", "LOCATION") != name_key("United States", "LOCATION")
    assert name_key("UK", "LOCATION") == name_key("United Kingdom", "LOCATION")
    assert name_key("US", "LOCATION") == name_key("U.S.", "LOCATION")


def test_washington_dc_is_one_place_ocr_included() -> None:
    text = "Gary Baise, a Washington, D.0 based attorney"
    start = text.index("Washington")
    found = retype(Found(start, start + len("Washington"), "Washington", "LOCATION", "spacy:test"), text)
    assert found.text == "Washington, D.0"
