"""Snippets: the part of a page's text that best shows why it matched, with the terms located.

Engine-independent: the page text comes from the archive, the tokens from the backend's analyzer,
and matching follows the query tree's leaves (exact, prefix, fuzzy by OSA edit distance — the
distance Tantivy's fuzzy query uses, with a transposition costing 1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet

from rapidfuzz.distance import OSA

from unsealed.search.model import Snippet
from unsealed.search.query import auto_fuzziness
from unsealed.search.tree import Near, Phrase, Word

Tokenizer = Callable[[str], list[str]]
Span = tuple[str, int, int]  # token, start char, end char
OffsetTokenizer = Callable[[str], list[Span]]
# backend.find_terms(text, exact, prefixes, lengths)
TermFinder = Callable[[str, AbstractSet[str], tuple[str, ...], tuple[int, int] | None], list[Span] | None]
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
        # a token within edit distance d of a term differs from it in length by d at most
        self._fuzzy_lengths = (
            (min(len(t) - d for t, d in self.fuzzy), max(len(t) + d for t, d in self.fuzzy))
            if self.fuzzy
            else None
        )
        self._seen: dict[str, bool] = {}  # prefix and fuzzy answers: pages share most of their words

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefixes or self.fuzzy)

    def matches(self, token: str) -> bool:
        if token in self.exact:
            return True
        if not (self.prefixes or self.fuzzy):
            return False
        found = self._seen.get(token)
        if found is None:
            found = self._seen[token] = self._matches_inexact(token)
        return found

    def _matches_inexact(self, token: str) -> bool:
        if self.prefixes and token.startswith(self._prefix_tuple):
            return True
        return bool(self.fuzzy) and any(
            abs(len(token) - len(term)) <= d and OSA.distance(token, term, score_cutoff=d) <= d
            for term, d in self.fuzzy
        )

    def find(self, text: str, tokenize: OffsetTokenizer, find_terms: TermFinder | None = None) -> list[Span]:
        """The tokens (token, start, end) of `text` that are query terms; through the backend's
        `find_terms` where it can, else by tokenising the whole text. For fuzzy terms `find_terms`
        gives the tokens of a length that can be within their edit distance, and those are checked."""
        if find_terms is not None:
            found = find_terms(text, self.exact, self._prefix_tuple, self._fuzzy_lengths)
            if found is not None:
                return self.spans(found) if self.fuzzy else found
        return self.spans(tokenize(text))

    def spans(self, located: list[Span]) -> list[Span]:
        """The tokens (token, start, end) that are query terms."""
        if self.prefixes or self.fuzzy:
            matches = self.matches
            return [span for span in located if matches(span[0])]
        exact = self.exact
        return [span for span in located if span[0] in exact]


def make_snippet(
    text: str,
    matcher: TermMatcher,
    tokenize: OffsetTokenizer,
    max_chars: int = 240,
    *,
    find_terms: TermFinder | None = None,
) -> Snippet:
    """The window of about `max_chars` characters holding the most distinct matched terms."""
    spans = matcher.find(text, tokenize, find_terms) if matcher else []
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


def _window(text: str, start: int, end: int, spans: list[Span]) -> Snippet:
    start, end = max(0, start), min(len(text), end)
    # one line: whitespace becomes spaces (one for one, so offsets stay valid); only the part that
    # cutting at a space looks at (30 characters either side) and the fragment are rewritten
    around = _SPACE.sub(" ", text[max(0, start - 30) : end + 30])
    shift = max(0, start - 30)
    if start > 0 and (space := around.find(" ", start - shift, start - shift + 30)) >= 0:
        start = space + 1 + shift
    if end < len(text) and (space := around.rfind(" ", end - shift - 30, end - shift)) + shift > start:
        end = space + shift
    fragment = around[start - shift : end - shift]
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
