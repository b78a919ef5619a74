"""The Jinja2 environment (autoescape always on: document text is hostile) and display filters."""

from __future__ import annotations

import functools
import math
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import HTMLResponse

TEMPLATES_DIR = Path(__file__).parent / "templates"
IMAGE_WIDTH = 900  # pixels of the page images shown beside the text


def filesize(size: int | None) -> str:
    if size is None:
        return "–"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def fmt_date(value: datetime | str | None) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value:%b} {value.day}, {value.year}"


def fmt_datetime(value: datetime | str | None) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def fmt_int(value: int | None) -> str:
    return "–" if value is None else f"{value:,}"


def text_source_label(source: str | None, confidence: float | None = None) -> str:
    """`layer` → "text layer"; `ocr:tesseract` + 0.93 → "OCR (tesseract) 93 %"."""
    if not source or source == "none":
        return "no text yet"
    if source == "layer":
        return "text layer"
    if source.startswith("ocr:"):
        label = f"OCR ({source[4:]})"
        return f"{label} {confidence * 100:.0f} %" if confidence is not None else label
    return source


def timeline_bars(timeline: list[Any], bar: int, peak: int) -> Markup:
    """The timeline's bars (SVG rects 56 high at `peak`, `bar` wide, 2 apart) with their month and
    count as titles: one string for a hub entity's ~160 months instead of a template loop over them."""
    rects = []
    for i, t in enumerate(timeline):
        h = math.ceil(56 * t.mentions / peak)
        rects.append(
            f'        <rect x="{i * (bar + 2)}" y="{60 - h}" width="{bar}" height="{h}">'
            f"<title>{escape(t.month)}: {int(t.mentions)}</title></rect>"
        )
    return Markup("\n".join(rects))


# An entity page's long lists (50 mentions, up to 50 e-mails, 50 documents: a hub entity's page) as
# one string each, built here rather than in a template loop: the same markup, a third of the
# rendering time. Every value is escaped; the template keeps the page's structure.


def mention_items(mentions: list[Any], entity_type: str) -> Markup:
    """The mentions list's items: snippet with the match marked, and its citation."""
    kind = escape(entity_type.lower())
    items = []
    for x in mentions:
        snippet, doc, page = x.snippet, escape(x.document_id), x.page_number
        label = escape(x.bates) if x.bates else f"page {page}"
        items.append(
            f'<li><p class="snippet">{escape(snippet.before)}<mark class="ent ent-{kind}">'
            f"{escape(snippet.match)}</mark>{escape(snippet.after)}</p>\n"
            f'<p class="cite small"><a href="/documents/{doc}#m-{page}-{x.start}">{label}</a>, '
            f'page {page} of <a href="/documents/{doc}">{escape(x.filename)}</a>, '
            f"data set {escape(x.dataset)}</p></li>"
        )
    return Markup("\n".join(items))


def people(persons: list[Any]) -> Markup:
    """E-mail recipients as printed: "Name <address>", the name or the address, comma-separated."""
    out = []
    for p in persons:
        if p.name:
            out.append(f"{escape(p.name)} &lt;{escape(p.address)}&gt;" if p.address else str(escape(p.name)))
        else:
            out.append(str(escape(p.address)))
    return Markup(", ".join(out))


def email_rows(rows: list[Any]) -> Markup:
    """An entity's e-mails as table rows: date, sender, recipients, subject (linked)."""
    out = []
    for e in rows:
        sender = e.sender.name or e.sender.address or "–"
        link = f'<a href="/documents/{escape(e.document_id)}">{escape(e.subject or e.filename)}</a>'
        out.append(
            f'<tr><td class="small">{escape(e.sent_raw or fmt_datetime(e.sent_at))}</td>'
            f"<td>{escape(sender)}</td><td>{people(e.to)}</td><td>{link}</td></tr>"
        )
    return Markup("\n".join(out))


def document_rows(rows: list[Any]) -> Markup:
    """An entity's documents as table rows: file (linked), data set, type, mentions."""
    return Markup(
        "\n".join(
            f'<tr><td><a href="/documents/{escape(d.id)}">{escape(d.filename)}</a></td>'
            f"<td>{escape(d.dataset)}</td><td>{escape(d.doc_type or '–')}</td>"
            f'<td class="num">{int(d.mentions)}</td></tr>'
            for d in rows
        )
    )


def query_url(request: Request, **changes: Any) -> str:
    """The current URL with some query parameters replaced: None or "" removes one, a list repeats it
    (facet filters `f`); for facets, sorting and paging."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    for key, value in changes.items():
        values = value if isinstance(value, list | tuple) else [value]
        params += [(key, str(v)) for v in values if v is not None and v != ""]
    query = "&".join(_encoded(k, v) for k, v in params)  # what urlencode(params) gives
    return f"{request.url.path}?{query}" if query else request.url.path


@functools.lru_cache(maxsize=1024)
def _encoded(key: str, value: str) -> str:
    """One `key=value` of a query string. A search page links ~60 variants of its own URL (facets,
    sorting, pages), which share most of their parameters: each is encoded once."""
    return urlencode([(key, value)])


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        auto_reload=False,  # templates ship inside the package; no stat() per render
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        filesize=filesize,
        date=fmt_date,
        datetime=fmt_datetime,
        num=fmt_int,
        text_source=text_source_label,
        timeline_bars=timeline_bars,
        mention_items=mention_items,
        people=people,
        email_rows=email_rows,
        document_rows=document_rows,
    )
    env.globals["query_url"] = query_url
    return env


templates = Jinja2Templates(env=_environment())


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def render_model(
    request: Request, name: str, model: BaseModel, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    """A page from the same model its JSON twin returns: its fields as names, the model as `model`."""
    context = {field: getattr(model, field) for field in type(model).model_fields}
    return render(request, name, {**context, "model": model, **extra}, status_code=status_code)
