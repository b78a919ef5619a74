"""The query language, parsed once into a `tree.Node` (documented in docs/search.md).

The parser is lenient: stray operators, unbalanced quotes or brackets and unknown fields become
warnings and the rest of the query still runs. Only input that cannot mean anything (empty, too
long, a malformed date or Bates range) raises `QueryError` with a message for the user.
OR binds tighter than the implicit AND (`harpaz OR harpas israel` = `(harpaz OR harpas) israel`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from unsealed.domain import looks_like_bates, read_bates, split_bates
from unsealed.search import values
from unsealed.search.errors import QueryError
from unsealed.search.tree import (
    And,
    BatesRange,
    DateRange,
    Keyword,
    Lookup,
    Near,
    Node,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Word,
)

MAX_QUERY_CHARS = 2_000
MAX_LEAVES = 100
MAX_DEPTH = 20
MAX_NEAR_WORDS = 4
MAX_FUZZY = 2

# field name typed by the user -> field in the tree
TEXT_FIELD_ALIASES = {
    "from": "sender",
    "sender": "sender",
    "to": "recipients",
    "recipient": "recipients",
    "entity": "entities",
    "file": "filename",
    "filename": "filename",
    "text": "text",
}
SPECIAL_FIELDS = {"dataset", "type", "bates", "date", "copies", "thread"}
_WORD_BREAK = set(' \t\r\n\f\v()"')
_FUZZY_RE = re.compile(r"~(\d*)$")


@dataclass(frozen=True)
class _Tok:
    kind: str  # ( ) OR AND NOT leaf
    node: Node | None = None


def _has_alnum(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def auto_fuzziness(word: str) -> int:
    """Edit distance for a bare `word~`: 0 up to 2 letters, 1 up to 5, else 2 (OCR damage)."""
    n = sum(ch.isalnum() for ch in word)
    return 0 if n <= 2 else 1 if n <= 5 else 2


class _Lexer:
    def __init__(self, text: str, warnings: list[str], load_fields: frozenset[str] = frozenset()) -> None:
        self.s = text
        self.i = 0
        self.warnings = warnings
        self.load_fields = load_fields
        self.tokens: list[_Tok] = []

    def run(self) -> list[_Tok]:
        s = self.s
        while self.i < len(s):
            ch = s[self.i]
            if ch.isspace():
                self.i += 1
            elif ch in "()":
                self.tokens.append(_Tok(ch))
                self.i += 1
            elif ch == "-" and self.i + 1 < len(s) and not s[self.i + 1].isspace():
                self.tokens.append(_Tok("NOT"))
                self.i += 1
            elif ch == '"':
                text, slop = self._phrase()
                self._leaf(_phrase_node(text, "text", slop, self.warnings))
            else:
                self._word()
        return self.tokens

    def _leaf(self, node: Node | None) -> None:
        if node is not None:
            self.tokens.append(_Tok("leaf", node))

    def _phrase(self) -> tuple[str, int]:
        """Read `"..."` (and an optional `~N`) starting at the opening quote."""
        end = self.s.find('"', self.i + 1)
        if end < 0:
            self.warnings.append("closed an unbalanced quote at the end of the query")
            text, self.i = self.s[self.i + 1 :], len(self.s)
            return text, 0
        text, self.i = self.s[self.i + 1 : end], end + 1
        match = re.match(r"~(\d{1,3})", self.s[self.i :])
        if match:
            self.i += match.end()
            return text, int(match.group(1))
        return text, 0

    def _word(self) -> None:
        start = self.i
        while self.i < len(self.s) and self.s[self.i] not in _WORD_BREAK:
            self.i += 1
        word = self.s[start : self.i]
        nxt = self.s[self.i] if self.i < len(self.s) else ""
        if word in ("OR", "AND", "NOT"):
            self.tokens.append(_Tok(word))
        elif word == "||":
            self.tokens.append(_Tok("OR"))
        elif word == "NEAR" and nxt == "(" and self._near():
            return
        elif ":" in word and word.split(":", 1)[0].casefold() in (SPECIAL_FIELDS | set(TEXT_FIELD_ALIASES)):
            self._field(word)
        elif ":" in word and field_key(word.split(":", 1)[0]) in self.load_fields:
            self._load_field(word)
        else:
            self._leaf(_word_node(word, "text", self.warnings))

    def _near(self) -> bool:
        """`NEAR(a b, 5)`; False (and a warning) when malformed, so its parts are searched plainly."""
        end = self.s.find(")", self.i)
        inner = self.s[self.i + 1 : end] if end >= 0 else ""
        words_text, comma, dist_text = inner.rpartition(",")
        words = [w for w in words_text.replace('"', " ").split() if _has_alnum(w)]
        if end < 0 or not comma or not dist_text.strip().isdigit() or not 2 <= len(words) <= MAX_NEAR_WORDS:
            self.warnings.append(
                f"NEAR needs the form NEAR(word word, 5) with 2 to {MAX_NEAR_WORDS} words; "
                "searched its words instead"
            )
            return False
        self.i = end + 1
        self._leaf(Near(words=tuple(words), distance=min(int(dist_text), 1000)))
        return True

    def _load_field(self, word: str) -> None:
        """`custodian:smith` or `custodian:"Smith, J."`: a load-file field holding the value."""
        name, value = word.split(":", 1)
        if value == "" and self.i < len(self.s) and self.s[self.i] == '"':
            value, _ = self._phrase()
        if not value.strip():
            self.warnings.append(f"ignored {name}: with no value")
            return
        self._leaf(Lookup("field", field_key(name), value.strip()))

    def _field(self, word: str) -> None:
        name, value = word.split(":", 1)
        name = name.casefold()
        if value == "" and self.i < len(self.s) and self.s[self.i] == '"':
            value, slop = self._phrase()
            quoted = True
        else:
            quoted, slop = False, 0
        if not value.strip():
            self.warnings.append(f"ignored {name}: with no value")
            return
        if name == "dataset":
            self._leaf(Keyword("dataset", values.dataset_key(value)))
        elif name == "type":
            self._leaf(Keyword("type", values.type_key(value)))
        elif name == "bates":
            prefix, low, high = values.parse_bates_value(value)
            self._leaf(BatesRange(prefix, low, high))
        elif name == "date":
            start, end = values.parse_date_value(value)
            self._leaf(DateRange(start, end))
        elif name in ("copies", "thread"):
            self._leaf(Lookup(name, "", value.strip()))
        elif quoted:
            self._leaf(_phrase_node(value, TEXT_FIELD_ALIASES[name], slop, self.warnings))
        else:
            self._leaf(_word_node(value, TEXT_FIELD_ALIASES[name], self.warnings))


def _phrase_node(text: str, field: str, slop: int, warnings: list[str]) -> Node | None:
    if not _has_alnum(text):
        warnings.append(f'ignored the empty phrase "{text}"')
        return None
    return Phrase(text=text, field=field, slop=min(slop, 1000))


def _word_node(raw: str, field: str, warnings: list[str]) -> Node | None:
    word, fuzzy, prefix = raw, 0, False
    match = _FUZZY_RE.search(word)
    if match and _has_alnum(word[: match.start()]):
        word = word[: match.start()]
        fuzzy = int(match.group(1)) if match.group(1) else auto_fuzziness(word)
        if fuzzy > MAX_FUZZY:
            warnings.append(f"{raw}: edit distance capped at {MAX_FUZZY}")
            fuzzy = MAX_FUZZY
    if word.endswith("*"):
        word = word.rstrip("*")
        prefix = True
    if word.startswith("*") and _has_alnum(word):
        warnings.append(f"{raw}: a leading * is not supported; searched {word.lstrip('*')}")
        word = word.lstrip("*")
    if not _has_alnum(word):
        if raw.strip("-"):
            warnings.append(f"ignored {raw!r}: nothing searchable in it")
        return None
    if prefix and fuzzy:
        warnings.append(f"{raw}: a word cannot be both prefix* and fuzzy~; used the prefix")
        fuzzy = 0
    if prefix and sum(ch.isalnum() for ch in word) < 2:
        warnings.append(f"{raw}: a prefix needs at least 2 letters; searched the word {word}")
        prefix = False
    node = Word(text=word, field=field, prefix=prefix, fuzzy=fuzzy)
    if field == "text" and not prefix and not fuzzy and looks_like_bates(word):
        prefix_, number = split_bates(word)  # type: ignore[misc]
        return Or((node, BatesRange(prefix_, number, number)))
    return node


class _Parser:
    def __init__(self, tokens: list[_Tok], warnings: list[str]) -> None:
        self.toks = tokens
        self.pos = 0
        self.warnings = warnings

    def _peek(self) -> str | None:
        return self.toks[self.pos].kind if self.pos < len(self.toks) else None

    def parse_and(self, depth: int) -> Node | None:
        items: list[Node] = []
        while (kind := self._peek()) is not None:
            if kind == ")":
                if depth > 0:
                    break
                self.warnings.append("ignored an unmatched )")
                self.pos += 1
            elif kind in ("AND", "OR"):
                self.warnings.append(f"ignored a {kind} with nothing before it")
                self.pos += 1
            else:
                item = self.parse_or(depth)
                if item is not None:
                    items.append(item)
            if self._peek() == "AND":
                self.pos += 1
        return _combine(And, items)

    def parse_or(self, depth: int) -> Node | None:
        items = [self.parse_unary(depth)]
        while self._peek() == "OR":
            self.pos += 1
            right = self.parse_unary(depth)
            if right is None:
                self.warnings.append("ignored an OR with nothing after it")
            items.append(right)
        return _combine(Or, [i for i in items if i is not None])

    def parse_unary(self, depth: int) -> Node | None:
        kind = self._peek()
        if kind is None or kind in (")", "OR", "AND"):
            return None
        self.pos += 1
        if kind == "NOT":
            inner = self.parse_unary(depth)
            if inner is None:
                self.warnings.append("ignored a NOT / - with nothing after it")
                return None
            return inner.item if isinstance(inner, Not) else Not(inner)
        if kind == "(":
            if depth >= MAX_DEPTH:
                raise QueryError(f"the query nests brackets more than {MAX_DEPTH} deep")
            inner = self.parse_and(depth + 1)
            if self._peek() == ")":
                self.pos += 1
            else:
                self.warnings.append("closed an unbalanced ( at the end of the query")
            return inner
        return self.toks[self.pos - 1].node


def _combine(kind: type[And] | type[Or], items: list[Node]) -> Node | None:
    flat: list[Node] = []
    for item in items:
        flat.extend(item.items if isinstance(item, kind) else (item,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def _count_leaves(node: Node) -> int:
    if isinstance(node, And | Or):
        return sum(_count_leaves(i) for i in node.items)
    if isinstance(node, Not):
        return _count_leaves(node.item)
    return 1


_SPACED_BATES = re.compile(r"(?<![\w:\"])(bates:)?((?:[A-Za-z]+ ){1,2})(\d{4,12})(?![\w.])", re.IGNORECASE)


def _join_spaced_bates(text: str) -> str:
    """A Bates number typed with spaces (`HOUSE OVERSIGHT 012345`, `bates:house oversight 12345`)
    searched as itself: `bates:` values are joined; in the box it becomes (the words as a phrase
    OR the Bates number). Quoted phrases are left alone."""

    def join(m: re.Match[str]) -> str:
        if text.count('"', 0, m.start()) % 2:
            return m.group()
        words, digits = m.group(2).split(), m.group(3)
        number = read_bates("_".join(words) + "_" + digits)
        if number is None:
            return m.group()
        if m.group(1):
            return f"bates:{number}"
        if len(digits) < 6 and not all(w.isupper() and len(w) > 1 for w in words):
            return m.group()
        return f'("{m.group().strip()}" OR bates:{number})'

    return _SPACED_BATES.sub(join, text)


def field_key(name: str) -> str:
    """A load-file field name as stored (`document_fields.key`): lower-case letters and digits."""
    return "".join(c for c in name.lower() if c.isalnum())


def parse(text: str, load_fields: frozenset[str] = frozenset()) -> ParsedQuery:
    """Parse a user's query; raises QueryError (a message for the user) when nothing can run.
    `load_fields`: the archive's load-file field keys, searchable as `name:value`."""
    text = text.replace("\x00", " ")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(
            f"the query is too long ({len(text):,} characters, at most {MAX_QUERY_CHARS:,}); "
            'search for a distinctive "phrase" from it instead'
        )
    warnings: list[str] = []
    text = _join_spaced_bates(text)
    tokens = _Lexer(text, warnings, load_fields).run()
    tree = _Parser(tokens, warnings).parse_and(0)
    if tree is None:
        raise QueryError(
            'nothing to search for: type a word, a "phrase", or a field such as dataset:9 or date:2014'
        )
    leaves = _count_leaves(tree)
    if leaves > MAX_LEAVES:
        raise QueryError(f"the query has {leaves} terms (at most {MAX_LEAVES}); shorten it")
    return ParsedQuery(text=text, tree=tree, warnings=tuple(dict.fromkeys(warnings)))
