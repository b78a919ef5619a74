"""The query language: parsing into the tree, lenient recovery, and clear messages."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unsealed.search.errors import QueryError
from unsealed.search.query import MAX_QUERY_CHARS, parse
from unsealed.search.tree import And, BatesRange, DateRange, Keyword, Near, Not, Or, Phrase, Word


def test_words_are_anded_and_or_binds_tighter() -> None:
    tree = parse("harpaz OR harpas israel").tree
    assert tree == And((Or((Word("harpaz"), Word("harpas"))), Word("israel")))


def test_phrase_negation_prefix_and_fuzzy() -> None:
    tree = parse('"improbable romance" -iran NOT azeri Harp* Harpaz~ Harpaz~1').tree
    assert isinstance(tree, And)
    assert tree.items == (
        Phrase("improbable romance"),
        Not(Word("iran")),
        Not(Word("azeri")),
        Word("Harp", prefix=True),
        Word("Harpaz", fuzzy=2),  # bare ~ on a 6-letter word: 2 edits (finds "liarpaz")
        Word("Harpaz", fuzzy=1),
    )


def test_near_and_fields() -> None:
    tree = parse(
        'NEAR(Moshe Azerbaijan, 5) dataset:9 type:email from:jeevacation@gmail.com entity:"Ilham Aliyev"'
    )
    assert tree.tree == And(
        (
            Near(("Moshe", "Azerbaijan"), 5),
            Keyword("dataset", "9"),
            Keyword("type", "email"),
            Word("jeevacation@gmail.com", field="sender"),
            Phrase("Ilham Aliyev", field="entities"),
        )
    )


def test_dataset_names_normalise_to_one_key() -> None:
    keys = {parse(q).tree.value for q in ("dataset:9", "dataset:dataset_9", 'dataset:"Data Set 09"')}  # type: ignore[union-attr]
    assert keys == {"9"}


def test_bates_single_range_and_bare_literal() -> None:
    assert parse("bates:EFTA01197904").tree == BatesRange("EFTA", 1197904, 1197904)
    assert parse("bates:EFTA01197900..EFTA01197999").tree == BatesRange("EFTA", 1197900, 1197999)
    assert parse("bates:EFTA01197900..01197999").tree == BatesRange("EFTA", 1197900, 1197999)
    bare = parse("EFTA01197904").tree
    assert bare == Or((Word("EFTA01197904"), BatesRange("EFTA", 1197904, 1197904)))


def test_dates_month_year_day_and_ranges() -> None:
    assert parse("date:2014-12").tree == DateRange(date(2014, 12, 1), date(2015, 1, 1))
    assert parse("date:2014").tree == DateRange(date(2014, 1, 1), date(2015, 1, 1))
    assert parse("date:2014-12-24").tree == DateRange(date(2014, 12, 24), date(2014, 12, 25))
    assert parse("date:2014-01-01..2014-12-31").tree == DateRange(date(2014, 1, 1), date(2015, 1, 1))
    assert parse("date:..2014").tree == DateRange(None, date(2015, 1, 1))


@pytest.mark.parametrize(
    "query, message",
    [
        ("date:2014-13", "not a real date"),
        ("date:yesterday", "use 2014"),
        ("date:2015..2014", "ends before it starts"),
        ("bates:hello", "expected a Bates number"),
        ("bates:EFTA01197900..ABC01197999", "same prefix"),
        ("", "nothing to search for"),
        ("   OR  AND ", "nothing to search for"),
        ("x" * (MAX_QUERY_CHARS + 1), "too long"),
        ("(" * 50 + "x", "nests brackets"),
    ],
)
def test_unusable_input_gets_a_clear_message(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse(query)


@pytest.mark.parametrize(
    "query, warning",
    [
        ('"unbalanced phrase', "unbalanced quote"),
        ("NEAR(", "NEAR needs"),
        ("NEAR(a, 5)", "NEAR needs"),
        ("(harpaz", "unbalanced ("),
        ("harpaz)", "unmatched )"),
        ("harpaz OR", "OR with nothing after"),
        ("x~9", "capped at 2"),
        ("*arpaz", "leading *"),
        ("a*", "at least 2 letters"),
        ("from: harpaz", "from: with no value"),
    ],
)
def test_recoverable_input_runs_with_a_warning(query: str, warning: str) -> None:
    parsed = parse(query)
    assert any(warning in w for w in parsed.warnings), parsed.warnings


def test_literals_stay_one_word_for_the_backend_to_split() -> None:
    assert parse("212-555-0134").tree == Word("212-555-0134")
    assert parse("j.doe@example.com").tree == Word("j.doe@example.com")


def test_sql_and_fts_syntax_are_just_words() -> None:
    tree = parse("pages; DROP TABLE pages -- MATCH 'x' NEAR/3").tree
    assert isinstance(tree, And)
    assert all(isinstance(i, Word | Not) for i in tree.items)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses_or_gives_a_query_error(text: str) -> None:
    try:
        parsed = parse(text)
    except QueryError as exc:
        assert str(exc)
    else:
        assert parsed.tree is not None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                '"',
                "(",
                ")",
                "-",
                "OR",
                "AND",
                "NOT",
                "NEAR(",
                ",",
                "5",
                "*",
                "~",
                "~2",
                ":",
                "from:",
                "date:",
                "bates:",
                "dataset:",
                "harpaz",
                "é",
                " ",
                "..",
                "EFTA01197904",
            ]
        ),
        max_size=40,
    )
)
def test_operator_soup_never_crashes(parts: list[str]) -> None:
    try:
        parse("".join(parts))
    except QueryError as exc:
        assert str(exc)
