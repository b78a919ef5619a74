"""Snippets: the part of a page's text that best shows why it matched, with the terms located.

Engine-independent: the page text comes from the archive, the tokens from the backend's analyzer,
and matching follows the query tree's leaves (exact, prefix, fuzzy by OSA edit distance — the
distance Tantivy's fuzzy query uses, with a transposition costing 1).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rapidfuzz.distance import OSA

from unsealed.search.model import Snippet
from unsealed.search.query import auto_fuzziness
from unsealed.search.tree import Near, Phrase, Word

Tokenizer = Callable[[str], list[str]]
OffsetTokenizer = Callable[[str], list[tuple[str, int, int]]]
_SPACE = re.compile(r"\s")
MAX_CANDIDATES = 200


class TermMatcher:
    """Decides whether one token of page text is one of the query's terms."""

    def __init__(self, leaves: list[Word | Phrase | Near], tokenize: Tokenizer) -> None:
        self.exact: set[str] = set()
        self.prefixes: list[str] = []
        self.fuzzy: list[tuple[str, int]] = []
        for leaf in leaves:
            if isinstance(leaf, Word):
                toks = tokenize(leaf.text)
                if leaf.prefix and toks:
                    self.exact.update(toks[:-1])
                    self.prefixes.append(toks[-1])
                elif leaf.fuzzy:
                    for tok in toks:
                        d = min(leaf.fuzzy, auto_fuzziness(tok))
                        (self.fuzzy.append((tok, d)) if d else self.exact.add(tok))
                else:
                    self.exact.update(toks)
            elif isinstance(leaf, Phrase):
                self.exact.update(tokenize(leaf.text))
            else:
                for word in leaf.words:
                    self.exact.update(tokenize(word))

        self._prefix_tuple = tuple(self.prefixes)

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefixes or self.fuzzy)

    def matches(self, token: str) -> bool:
        if token in self.exact:
            return True
        if self.prefixes and token.startswith(self._prefix_tuple):
            return True
        return bool(self.fuzzy) and any(
            abs(len(token) - len(term)) <= d and OSA.distance(token, term, score_cutoff=d) <= d
            for term, d in self.fuzzy
        )


def make_snippet(text: str, matcher: TermMatcher, tokenize: OffsetTokenizer, max_chars: int = 240) -> Snippet:
    """The window of about `max_chars` characters holding the most distinct matched terms."""
    text = _SPACE.sub(" ", text)  # one line; same length, so offsets stay valid
    spans: list[tuple[str, int, int]] = []
    if matcher:
        spans = [(tok, s, e) for tok, s, e in tokenize(text) if matcher.matches(tok)]
    if not spans:
        return _window(text, 0, max_chars, [])
    best_start, best_score = spans[0][1], (-1, -1)
    for i, (_, start, _) in enumerate(spans[:MAX_CANDIDATES]):  # bounded work on very long pages
        inside = []
        for tok, _, end in spans[i:]:
            if end > start + max_chars:
                break
            inside.append(tok)
        score = (len(set(inside)), len(inside))
        if score > best_score:
            best_start, best_score = start, score
    lead = min(max_chars // 4, best_start)
    return _window(text, best_start - lead, best_start - lead + max_chars, spans)


def _window(text: str, start: int, end: int, spans: list[tuple[str, int, int]]) -> Snippet:
    start, end = max(0, start), min(len(text), end)
    if start > 0 and (space := text.find(" ", start, start + 30)) >= 0:
        start = space + 1
    if end < len(text) and (space := text.rfind(" ", end - 30, end)) > start:
        end = space
    fragment = text[start:end]
    stripped = len(fragment) - len(fragment.lstrip())
    fragment = fragment.strip()
    marks = tuple(
        (s - start - stripped, e - start - stripped) for _, s, e in spans if s >= start and e <= end
    )
    return Snippet(
        text=fragment,
        highlights=tuple(m for m in marks if 0 <= m[0] and m[1] <= len(fragment)),
        truncated_start=start > 0,
        truncated_end=end < len(text),
    )
