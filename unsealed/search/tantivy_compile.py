"""Compile a query tree into a Tantivy query."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from itertools import permutations

import tantivy
from tantivy import Occur, Query

from unsealed.search.errors import QueryError
from unsealed.search.query import auto_fuzziness
from unsealed.search.tantivy_index import TEXT_FIELD_MAP, TantivyIndex
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
    Phrase,
    Word,
)

_KEYWORD_FIELDS = {"dataset": "dataset_key", "type": "doc_type"}


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class Compiler:
    def __init__(self, index: TantivyIndex) -> None:
        self.index = index
        self.schema = index.schema

    def compile(self, tree: Node) -> Query:
        query = self._node(tree)
        if query is None:
            raise QueryError("nothing in the query is searchable (only punctuation or very long words)")
        return query

    def _node(self, node: Node) -> Query | None:
        if isinstance(node, Word):
            return self._word(node)
        if isinstance(node, Phrase):
            return self._phrase(TEXT_FIELD_MAP[node.field], self.index.tokens(node.text), node.slop)
        if isinstance(node, Near):
            return self._near(node)
        if isinstance(node, Keyword):
            return self._filter(Query.term_query(self.schema, _KEYWORD_FIELDS[node.field], node.value))
        if isinstance(node, Lookup):
            ids = list(node.ids or ())
            if not ids:
                return self._filter(Query.empty_query())
            return self._filter(Query.term_set_query(self.schema, "document_id", ids))
        if isinstance(node, BatesRange):
            return self._filter(self._bates(node))
        if isinstance(node, DateRange):
            return self._filter(self._dates(node))
        if isinstance(node, And):
            return self._and(node)
        if isinstance(node, Or):
            parts = [q for q in (self._node(i) for i in node.items) if q is not None]
            if not parts:
                return None
            return parts[0] if len(parts) == 1 else Query.boolean_query([(Occur.Should, q) for q in parts])
        if isinstance(node, Not):
            inner = self._node(node.item)
            if inner is None:
                return None
            return Query.boolean_query([(Occur.Must, Query.all_query()), (Occur.MustNot, inner)])
        raise TypeError(f"unknown query node {node!r}")

    def _and(self, node: And) -> Query | None:
        clauses: list[tuple[Occur, Query]] = []
        for item in node.items:
            if isinstance(item, Not):
                inner = self._node(item.item)
                if inner is not None:
                    clauses.append((Occur.MustNot, inner))
            elif (query := self._node(item)) is not None:
                clauses.append((Occur.Must, query))
        if not clauses:
            return None
        if all(occur == Occur.MustNot for occur, _ in clauses):
            clauses.insert(0, (Occur.Must, Query.all_query()))
        return clauses[0][1] if len(clauses) == 1 else Query.boolean_query(clauses)

    def _filter(self, query: Query) -> Query:
        """Fields filter; they do not change relevance."""
        return Query.const_score_query(query, 0.0)

    def _word(self, word: Word) -> Query | None:
        field = TEXT_FIELD_MAP[word.field]
        tokens = self.index.tokens(word.text)
        if not tokens:
            return None
        if word.prefix:
            if len(tokens) == 1:
                return Query.regex_query(self.schema, field, re.escape(tokens[0]) + ".*")
            return Query.phrase_prefix_query(self.schema, field, list[str | tuple[int, str]](tokens))
        if word.fuzzy:
            parts = [
                Query.fuzzy_term_query(self.schema, field, tok, distance=d, transposition_cost_one=True)
                if (d := min(word.fuzzy, auto_fuzziness(tok)))
                else Query.term_query(self.schema, field, tok)
                for tok in tokens
            ]
            return parts[0] if len(parts) == 1 else Query.boolean_query([(Occur.Must, q) for q in parts])
        return self._phrase(field, tokens, 0)

    def _phrase(self, field: str, tokens: list[str], slop: int) -> Query | None:
        if not tokens:
            return None
        if len(tokens) == 1:
            return Query.term_query(self.schema, field, tokens[0])
        return Query.phrase_query(self.schema, field, list[str | tuple[int, str]](tokens), slop=slop)

    def _near(self, near: Near) -> Query | None:
        words = [toks for w in near.words if (toks := self.index.tokens(w))]
        if len(words) < 2:
            return self._phrase("text", [t for toks in words for t in toks], 0)
        orders = [
            Query.phrase_query(self.schema, "text", [t for toks in order for t in toks], slop=near.distance)
            for order in permutations(words)
        ]
        return Query.boolean_query([(Occur.Should, q) for q in orders])

    def _bates(self, node: BatesRange) -> Query:
        return Query.boolean_query(
            [
                (Occur.Must, Query.term_query(self.schema, "bates_prefix", node.prefix)),
                (
                    Occur.Must,
                    Query.range_query(
                        self.schema, "bates_num", tantivy.FieldType.Unsigned, node.low, node.high
                    ),
                ),
            ]
        )

    def _dates(self, node: DateRange) -> Query:
        return Query.range_query(
            self.schema,
            "date",
            tantivy.FieldType.Date,
            _utc(node.start) if node.start else None,
            _utc(node.end) if node.end else None,
            include_upper=node.end is None,
        )
