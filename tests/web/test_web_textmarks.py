"""Cutting page text into hit / mention segments (pure functions behind the document page)."""

from __future__ import annotations

from unsealed.views.document import query_terms
from unsealed.views.textmarks import Span, segments, to_html


def test_query_terms_come_from_the_query_tree() -> None:
    """The words that mark a document are the search's positive leaves: not NOT'ed ones, not fields."""
    assert query_terms('"defense minister" OR harpaz* NOT jns yaalon~1 -Aliyev') == [
        "defense minister",
        "harpaz",
        "yaalon",
    ]
    assert query_terms("date:2014 -x") == []


def test_overlapping_hit_and_mention_keep_both_marks_and_anchors() -> None:
    text = "Minister Moshe Ya'alon visits"
    spans = [Span(9, 22, "mention", "m-1", "e1", "PERSON"), Span(9, 14, "hit", "hit-1-1")]
    pieces = segments(text, spans)
    assert "".join(p.text for p in pieces) == text
    first = next(p for p in pieces if p.text == "Moshe")
    assert first.hit and first.mention is not None and first.anchors == ["m-1", "hit-1-1"]
    assert first.classes == ["ent", "ent-person", "hit"]
    rest = next(p for p in pieces if p.text == " Ya'alon")
    assert not rest.hit and rest.mention is not None and rest.anchors == []


def test_spans_outside_the_text_are_ignored() -> None:
    pieces = segments("short", [Span(3, 99, "hit"), Span(-1, 2, "hit")])
    assert [(p.text, p.hit) for p in pieces] == [("short", False)]


def test_to_html_escapes_text_inside_and_outside_marks() -> None:
    text = "<b>x</b> said <script>alert(1)</script>"
    spans = [Span(14, len(text), "mention", "m-9", 'e"1', "PERSON"), Span(0, 3, "hit", "hit-1-1")]
    out = str(to_html(segments(text, spans)))
    assert "<script>" not in out and "<b>" not in out
    assert '<mark class="hit" id="hit-1-1">&lt;b&gt;</mark>x&lt;/b&gt; said ' in out
    assert 'data-entity="e&#34;1"' in out and "&lt;script&gt;alert(1)&lt;/script&gt;</mark>" in out
