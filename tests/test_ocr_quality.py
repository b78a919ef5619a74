"""The text-quality score that chooses between a text layer and OCR."""

from __future__ import annotations

import pytest

from unsealed.analysis.quality import assess, is_wordlike, quality_score

CLEAN = (
    "Israeli Defense Minister Moshe Ya'alon took a surprise trip to Azerbaijan in September, marking "
    "the first-ever visit by the holder of his position to a Muslim-majority nation. "
    "From: jeevacation@gmail.com Sent: 1/15/2019 4:44:33 PM EFTA01197902 "
)
GARBAGE = "l|l ~~^ ¦¦ ,.;' I\\{} ▒▒▓ ii1|l: .:,' ~¬ |\\| rn,,n ^^ \ufffd\ufffd ■■ ░░ ¤¤ "


@pytest.mark.parametrize(
    "token", ["Moshe", "Ya'alon", "first-ever", "FBI", "1/15/2019", "4:44:33", "EFTA01197902", "a@b.com"]
)
def test_words_numbers_codes_and_addresses_are_wordlike(token: str) -> None:
    assert is_wordlike(token)


@pytest.mark.parametrize("token", ["|", "l1l|", "xkcdqwrtp", "aaaa", "mIxEd", "~~", "rn,,n"])
def test_ocr_debris_is_not_wordlike(token: str) -> None:
    assert not is_wordlike(token)


def test_clean_text_outscores_garbage_on_a_full_page() -> None:
    clean = assess(CLEAN * 12, 612, 792)
    garbage = assess(GARBAGE * 12, 612, 792)
    assert clean.score > 0.9
    assert garbage.score < 0.2
    assert garbage.garbage_ratio > clean.garbage_ratio


def test_a_lone_stamp_on_a_page_scores_low_for_its_sparseness() -> None:
    """A text layer holding only the Bates stamp over a scanned body must not look complete."""
    stamp_only = assess("EFTA00001234", 612, 792)
    assert stamp_only.word_share == 1.0
    assert stamp_only.score < 0.1
    assert quality_score("EFTA00001234") == 1.0  # page size unknown: no density judgement


def test_text_drawn_twice_over_scores_lower_than_once() -> None:
    once = quality_score(CLEAN * 20, 612, 792)
    many = quality_score(CLEAN * 200, 612, 792)
    assert many < once


def test_empty_text_scores_zero() -> None:
    assert quality_score("", 612, 792) == 0.0
    assert quality_score("  \n ", None, None) == 0.0
