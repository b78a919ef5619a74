"""The domain's values, defined once: Bates numbers, storage keys, entity types.

Every layer reads these from here (the pipeline, the store, search, the faces), so a Bates number
or a storage key means the same thing everywhere.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePath
from typing import NamedTuple

from unsealed.errors import ConfigError

# --- Bates numbers ---------------------------------------------------------------------------

# One grammar for every Bates scheme of a release: a PREFIX of up to three upper-case words
# joined by `_`, `-` or a space, an optional separator, 4-10 digits. EFTA01197904,
# HOUSE_OVERSIGHT_012345, `HOUSE OVERSIGHT 012345`, DOJ-OGR-00012345 and the secondary control
# numbers EFTA_R1_00938289, SDNY_GM_00212660, DB-SDNY-0012345, JPM-SDNY-0001234 all parse; a
# number's canonical form joins the prefix words and the digits with `_` (none where none was
# printed: EFTA01197904), and its key ignores separators, case and leading zeros.
_WORD = r"[A-Z]+(?:\d{1,2}(?=[ _-]))?"  # letters, maybe a short number before a separator (R1)
BATES_TOKEN = re.compile(rf"(?<![A-Za-z0-9])({_WORD}(?:[ _-]{_WORD}){{0,2}}?)([ _-]?)(\d{{6,10}})(?!\d)")
_TYPED_WORD = r"[A-Za-z]+(?:\d{1,2}(?=[ _-]))?"
_TYPED = re.compile(rf"^({_TYPED_WORD}(?:[ _-]+{_TYPED_WORD}){{0,3}}?)[ _-]*(\d{{1,12}})$")
# Control numbers printed beside a page's Bates number: a re-production (`EFTA_R1_`) or another
# producing party's numbering for a case (`SDNY_GM_`, `DB-SDNY-`, `JPM-SDNY-`; OCR reads SDNY as SONY).
_CONTROL_PREFIX = re.compile(r"^(?:[A-Z]+_R\d+|(?:[A-Z]+_)?S[DO]NY(?:_[A-Z]+)?)$")


def _canonical_prefix(prefix: str) -> str:
    return "_".join(w for w in re.split(r"[ _-]+", prefix.upper()) if w)


class BatesNumber(NamedTuple):  # a tuple: cheap to build and hash, as every page makes a few
    prefix: str  # canonical: upper case, words joined by `_`
    separator: str  # `_` or `` (as printed: EFTA01197904 has none)
    number: int
    width: int

    def shifted(self, offset: int) -> BatesNumber:
        return BatesNumber(self.prefix, self.separator, self.number + offset, self.width)

    def __str__(self) -> str:
        return f"{self.prefix}{self.separator}{self.number:0{self.width}d}"

    @property
    def key(self) -> tuple[str, int]:
        """What identifies it whatever the print: prefix letters and digits, and the number."""
        return self.prefix.replace("_", ""), self.number

    @property
    def is_control(self) -> bool:
        """A secondary control number (EFTA_R1_…, SDNY_GM_…), never a page's Bates number."""
        return bool(_CONTROL_PREFIX.match(self.prefix))


def _number(prefix: str, separator: str, digits: str) -> BatesNumber:
    return BatesNumber(_canonical_prefix(prefix), "_" if separator else "", int(digits), len(digits))


def parse_bates(text: str) -> list[BatesNumber]:
    """Every Bates-like number printed in the text (page numbers and control numbers)."""
    return [_number(*m.groups()) for m in BATES_TOKEN.finditer(text)]


def bates_from_filename(filename: str) -> BatesNumber | None:
    stem = PurePath(filename).stem.strip()
    match = BATES_TOKEN.fullmatch(stem)
    return _number(*match.groups()) if match else None


def read_bates(value: str) -> BatesNumber | None:
    """A Bates number as a reader types it: any case, `_`, `-` or spaces, leading zeros dropped
    (`house oversight 12345`, `efta1197904`); None when it is not one."""
    match = _TYPED.match(value.strip())
    if not match or len(match.group(2)) > 12:
        return None
    prefix = _canonical_prefix(match.group(1))
    if not any(c.isalpha() for c in prefix):
        return None
    separator = "" if re.search(r"[A-Za-z]$", value.strip()[: match.start(2)]) else "_"
    return BatesNumber(prefix, separator, int(match.group(2)), len(match.group(2)))


def canonical_bates(value: str) -> str:
    """A Bates number written by a person or a load file (`HOUSE OVERSIGHT 013482`,
    `house_oversight_013482`) in its one canonical form (`HOUSE_OVERSIGHT_013482`), digits as
    written; the value unchanged when it is not one Bates number."""
    printed = parse_bates(value.strip().upper())
    if len(printed) == 1 and BATES_TOKEN.fullmatch(value.strip().upper()):
        return str(printed[0])
    return value


def split_bates(value: str) -> tuple[str, int] | None:
    """`EFTA01197904` -> (`EFTA`, 1197904); `house oversight 12345` -> (`HOUSEOVERSIGHT`, 12345);
    None when it is not a Bates number. The key search indexes and queries by."""
    number = read_bates(value)
    return number.key if number else None


def looks_like_bates(word: str) -> bool:
    """A single typed word that is a Bates number (letters then at least four digits)."""
    number = read_bates(word)
    return number is not None and number.width >= 4 and " " not in word.strip()


# --- storage keys ----------------------------------------------------------------------------

DATASET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


def check_dataset_name(name: str) -> str:
    if not DATASET_NAME.match(name):
        raise ConfigError(
            f"invalid data set name {name!r}: use letters, digits, '.', '_' or '-' (e.g. dataset_9)"
        )
    return name


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as valid UTF-8 text: undecodable bytes in a file name become \\xNN escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def key_part(name: str) -> str:
    """A path part as the key keeps it: the exact name (café in NFC and in NFD are two files)."""
    return display_path(name)


def storage_key(dataset: str, relative: Path) -> str:
    """A source file's name in the archive: `<dataset>/<path relative to the folder given>`."""
    return "/".join([dataset, *(key_part(part) for part in relative.parts)])


SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
ORIGINALS_PREFIX = "_originals"  # data set names start with a letter or digit: no clash


def original_key(sha256: str) -> str:
    """Where an original's bytes lie in the blob store: by content, so two names never share or
    overwrite a blob, and the same content under many names is stored once."""
    if not SHA256_HEX.match(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return f"{ORIGINALS_PREFIX}/{sha256[:2]}/{sha256}"


# --- entity types ----------------------------------------------------------------------------

NAME_TYPES = ("PERSON", "ORG", "LOCATION")  # found by NER and rules, resolved across OCR variants
VALUE_TYPES = ("EMAIL", "PHONE", "URL")  # found by patterns, normalised values
ENTITY_TYPES = NAME_TYPES + VALUE_TYPES
