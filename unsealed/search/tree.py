"""The query tree: what every backend compiles. Built by `query.parse`, never by hand in product code.

Leaves keep the user's raw words; each backend analyses (tokenises) them its own way, so the tree
does not depend on one engine's tokenizer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Text fields a word can be searched in (`from:` -> "sender", ...). "text" is the page text.
TEXT_FIELDS = ("text", "sender", "recipients", "entities", "filename")


@dataclass(frozen=True)
class Word:
    """One word; `prefix` for `word*`, `fuzzy` = edit distance (0 = exact) for `word~N`."""

    text: str
    field: str = "text"
    prefix: bool = False
    fuzzy: int = 0


@dataclass(frozen=True)
class Phrase:
    """Words in this order; `slop` extra positions allowed (`"a b"~3`)."""

    text: str
    field: str = "text"
    slop: int = 0


@dataclass(frozen=True)
class Near:
    """All words within `distance` words of each other, in any order."""

    words: tuple[str, ...]
    distance: int


@dataclass(frozen=True)
class Keyword:
    """Exact match on a keyword field: `dataset` (normalised key) or `type`."""

    field: str
    value: str


@dataclass(frozen=True)
class BatesRange:
    """Pages whose Bates number is `prefix` + a number in [low, high]."""

    prefix: str
    low: int
    high: int


@dataclass(frozen=True)
class DateRange:
    """Pages of documents dated in [start, end) (either side open when None)."""

    start: date | None
    end: date | None


@dataclass(frozen=True)
class Lookup:
    """Documents found in the records, not the index: `copies:` (a document's near-duplicate
    cluster), `thread:` (an e-mail thread), a load-file field (`custodian:smith`). The search
    service fills `ids` before the query is compiled."""

    kind: str  # copies | thread | field
    name: str  # the field's key, for kind "field"
    value: str
    ids: tuple[str, ...] | None = None


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Word | Phrase | Near | Keyword | BatesRange | DateRange | Lookup | And | Or | Not


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    tree: Node
    warnings: tuple[str, ...] = ()


def positive_terms(node: Node, negated: bool = False) -> list[Word | Phrase | Near]:
    """The text leaves that make a page match (not under a NOT): what snippets highlight."""
    if isinstance(node, Word | Phrase | Near):
        return [] if negated else [node]
    if isinstance(node, And | Or):
        return [t for item in node.items for t in positive_terms(item, negated)]
    if isinstance(node, Not):
        return positive_terms(node.item, not negated)
    return []


def scores_text(node: Node) -> bool:
    """True when the tree has a positive text clause, i.e. relevance means something."""
    return bool(positive_terms(node))
