"""Split a page's text into segments marked as search hits and/or entity mentions, for safe rendering.

The template prints each segment's text through autoescape; marks become <mark> elements. Spans may
overlap (a hit inside a mention): the text is cut at every span boundary and each piece carries all
marks that cover it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # "hit" or "mention"
    anchor: str | None = None  # id given to the piece where the span starts
    entity_id: str | None = None
    entity_type: str | None = None


@dataclass
class Segment:
    text: str
    hit: bool = False
    mention: Span | None = None
    anchors: list[str] = field(default_factory=list)  # ids of the spans that start here (jump targets)
    classes: list[str] = field(default_factory=list)


def segments(text: str, spans: list[Span]) -> list[Segment]:
    """Cut `text` at span boundaries; each piece knows whether it is a hit and which mention covers it."""
    valid = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    if not valid:
        return [Segment(text)] if text else []
    cuts = sorted({0, len(text), *(s.start for s in valid), *(s.end for s in valid)})
    out: list[Segment] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [s for s in valid if s.start <= a and b <= s.end]
        mention = next((s for s in covering if s.kind == "mention"), None)
        hit = any(s.kind == "hit" for s in covering)
        anchors = [s.anchor for s in covering if s.start == a and s.anchor]
        classes = []
        if mention is not None:
            classes += ["ent", f"ent-{(mention.entity_type or 'other').lower()}"]
        if hit:
            classes.append("hit")
        out.append(Segment(text[a:b], hit=hit, mention=mention, anchors=anchors, classes=classes))
    return out


def to_html(pieces: list[Segment]) -> Markup:
    """Segments as HTML: every text piece and attribute escaped, marks as <mark> elements.

    Done in Python rather than a template loop: a page has hundreds of segments, and this is the
    document page's hottest path.
    """
    out: list[str] = []
    for piece in pieces:
        for extra in piece.anchors[1:]:
            out.append(f'<span id="{escape(extra)}"></span>')
        if not piece.classes:
            out.append(str(escape(piece.text)))
            continue
        attrs = f' class="{escape(" ".join(piece.classes))}"'
        if piece.anchors:
            attrs += f' id="{escape(piece.anchors[0])}"'
        if piece.mention is not None and piece.mention.entity_id:
            attrs += f' data-entity="{escape(piece.mention.entity_id)}"'
        out.append(f"<mark{attrs}>{escape(piece.text)}</mark>")
    return Markup("".join(out))
