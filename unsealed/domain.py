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

# PREFIX (letters, maybe joined by _ or -) + optional separator + 6-10 digits: EFTA01197904,
# HOUSE_OVERSIGHT_012345, DOJ-OGR-00012345.
BATES_TOKEN = re.compile(r"(?<![A-Za-z0-9])([A-Z][A-Z0-9]*(?:[_-][A-Z][A-Z0-9]*)*)([ _-]?)(\d{6,10})(?!\d)")


class BatesNumber(NamedTuple):  # a tuple: cheap to build and hash, as every page makes a few
    prefix: str
    separator: str
    number: int
    width: int

    def shifted(self, offset: int) -> BatesNumber:
        return BatesNumber(self.prefix, self.separator, self.number + offset, self.width)

    def __str__(self) -> str:
        return f"{self.prefix}{self.separator}{self.number:0{self.width}d}"


_BATES_RE = re.compile(r"^([A-Za-z][A-Za-z_-]{0,15}?)[-_ ]?(\d{4,12})$")


def parse_bates(text: str) -> list[BatesNumber]:
    return [
        BatesNumber(prefix, separator, int(digits), len(digits))
        for prefix, separator, digits in BATES_TOKEN.findall(text)
    ]


def bates_from_filename(filename: str) -> BatesNumber | None:
    stem = PurePath(filename).stem.strip()
    match = BATES_TOKEN.fullmatch(stem)
    if not match:
        return None
    return BatesNumber(match.group(1), match.group(2), int(match.group(3)), len(match.group(3)))


def split_bates(value: str) -> tuple[str, int] | None:
    """`EFTA01197904` -> (`EFTA`, 1197904); None when it is not a Bates number."""
    value = value.strip()
    if value[:4].isalpha() and value[4:].isdigit() and 4 <= len(value) - 4 <= 12:  # the usual shape
        return value[:4].upper(), int(value[4:])
    match = _BATES_RE.match(value)
    if not match:
        return None
    return match.group(1).upper().replace("-", "").replace("_", ""), int(match.group(2))


def looks_like_bates(word: str) -> bool:
    return split_bates(word) is not None and any(c.isalpha() for c in word)


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
