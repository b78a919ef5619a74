"""Header blocks of printed e-mails, found in page text in every layout the release has.

- one line each: `From: Jane Doe`;
- label on one line, its value on the next;
- the column block: several bare labels, then their values in a run (the release's OCR read the
  label column first). Values are matched to labels by order and by shape (a date to Sent/Date,
  a name or address to From/To/CC, a file name to Attachments); a redacted value leaves its label
  empty and the others keep their place;
- To/CC lists wrapped over many lines with `;`, `[`, `]`, `<`, `>` debris;
- labels printed empty: in a one-line block a bare label takes the next line only when it is
  unmistakably its value; intro lines (`Forwarded message`) and other header lines (`Reply-To:`)
  are never values;
- a header cut by the end of its page, read on at the top of the next (`following`);
- `On <date>, <name> wrote:` lines, also broken over two or three lines, in English, French,
  German and Spanish, and `On <date> <clock>, <Name>` lines whose `wrote:` is lost.

Labels survive OCR damage (`Su bj cct:`, `Fram:`) by fuzzy matching. Quote markers (`> `) are
ignored when finding blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from unsealed.analysis.email_addresses import ADDRESS, find_address
from unsealed.analysis.email_dates import looks_like_date, parse_sent
from unsealed.domain import BATES_TOKEN

LABELS = (
    "from",
    "sent",
    "date",
    "to",
    "cc",
    "bcc",
    "subject",
    "attachments",
    "importance",
    "classification",
)
# Header lines we do not read but that are never a value: they end a list or a label's value.
_OTHER_LABEL = re.compile(
    r"^\s*(reply-to|sender|return-path|message-id|in-reply-to|references|mime-version|content-type"
    r"|x-[\w-]+)\s*:",
    re.I,
)
_MISREAD = {"ce": "cc", "bce": "bcc"}  # two-letter labels OCR misreads beyond edit distance 0
_LEAD_JUNK = re.compile(r"^[‘’'`\"•*·|,.]{1,2}\s?(?=[A-Za-z])")  # `‘Subject:`: a speck before a label
_LABEL_LINE = re.compile(r"^([A-Za-z][A-Za-z .]{0,14}?)\s*(?:[:;]|\t)\s*(.*)$")
_QUOTE = re.compile(r"^(?:\s*>)+(?=\s|[\w\"'(]|$)\s?")  # not `>,` (a list's debris)
# HTML left in the text of a mail printed from its source: `<=r>`, `<=iv dir="ltr" class=...>`
_HTML = re.compile(r"<[^<>@\s]*=[^<>@]*>|</?(?:div|br|span|p|b|font)\b[^<>@]*>", re.I)
_RECIPIENTS = ("to", "cc", "bcc")
_INTRO = (
    (re.compile(r"original\s*message", re.I), "original-message"),
    (re.compile(r"forwarded\s*message|begin\s*forwarded|forwarded\s*by", re.I), "forwarded"),
)
# A line that introduces a quoted message ends the header above it: it is never a value.
_INTRO_LINE = re.compile(
    r"^[\W_]*(?:original\s*message|(?:begin\s*)?forwarded\s*messag\S*|forwarded\s*by\b.*)[\W_]*$", re.I
)
_REPLY_PREFIX = re.compile(r"^\s*(?:re|fw|fwd|aw|wg|tr)\s*:", re.I)
# `On <date>, <who> wrote:`, and the same in French (`Le … a écrit :`), German (`Am … schrieb …:`)
# and Spanish (`El … escribió:`), as mail programs print them.
_ON = r"(?:On|Le|Am|El)"
_WROTE_WORD = r"(?:wrote|a\s+[ée]crit|schrieb|escribi[óo])"
_ON_START = re.compile(rf"^\s*{_ON}\s+(?=.*\d)", re.I)
_WROTE = re.compile(rf"\b{_WROTE_WORD}\s*:?\s*$", re.I)
_ON_WROTE = re.compile(rf"^\s*{_ON}\s+(?P<rest>.*?)\s*{_WROTE_WORD}\s*:?\s*$", re.I | re.S)
# `On Sun, May 10, 2015 at 9:48 PM, Brandon Thompson` with its `wrote:` lost or printed lines
# further down (the release's OCR moved it): English only, a date with a clock, then a name.
_ON_NAMED = re.compile(r"^\s*On\s+(?P<rest>.*\d.*)$")
_CLOCK = re.compile(
    r"\d{1,2}\s?[:.]\s?\d\d(?:\s?[:.]\s?\d\d)?(?:\s*[AaPp]\.?\s?[Mm]\.?)?(?:\s*\(?[A-Z]{2,5}\)?(?=[\s,]))?"
)
_FILE = re.compile(r"\.\s?[A-Za-z0-9]{2,4}\b")
MAX_ON_LINES = 3


@dataclass
class Block:
    """One printed header: its first line on the page, the line after it, its fields, its kind."""

    line: int
    end: int
    fields: dict[str, str] = field(default_factory=dict)
    kind: str = "header"
    printed: set[str] = field(default_factory=set)  # labels printed, with or without a value


def match_label(raw: str) -> str | None:
    """The canonical label an OCR-damaged label stands for (`Su bj cct` → `subject`), or None."""
    letters = re.sub(r"[^a-z]", "", raw.lower())
    if not letters or len(letters) > 14:
        return None
    if letters in _MISREAD:
        return _MISREAD[letters]
    best, best_d = None, 99
    for label in LABELS:
        limit = 0 if len(label) <= 2 else 1 if len(label) <= 5 else 2
        d = Levenshtein.distance(letters, label, score_cutoff=limit)
        if d <= limit and d < best_d:
            best, best_d = label, d
    return best


def unquote(line: str) -> str:
    """The line without quote markers and HTML debris."""
    return _QUOTE.sub("", _HTML.sub(" ", line)).strip()


def label_of(line: str) -> tuple[str, str] | None:
    """(label, value printed after it) when the line starts with a header label."""
    line = _LEAD_JUNK.sub("", line)  # `‘Subject:`, `• To:`: a speck OCR read before the label
    other = _OTHER_LABEL.match(line)
    if other:
        return other.group(1).lower(), line[other.end() :].strip()
    m = _LABEL_LINE.match(line)
    if not m:
        bare = match_label(line) if re.fullmatch(r"[A-Za-z]{4,12}", line) else None
        return (bare, "") if bare else None  # `Subject` printed without its colon
    label = match_label(m.group(1))
    return (label, m.group(2).strip()) if label else None


def _name_like(value: str) -> bool:
    if _REPLY_PREFIX.match(value):
        return False  # `Re: …` is a subject
    if "@" in value or "[" in value or "<" in value or find_address(value):
        return True
    words = value.split()
    return 0 < len(words) <= 6 and len(value) <= 60 and not re.search(r"[.!?]\s+[a-z]", value)


def _fit(label: str, value: str) -> float:
    """How well a value's shape fits a label (the column block's matching)."""
    is_date = looks_like_date(value)
    if label in ("sent", "date"):
        return 4.0 if is_date else -4.0
    if is_date:
        return -4.0
    if label in ("from", *_RECIPIENTS):
        listed = "@" in value or ";" in value or find_address(value)
        return 2.0 if listed else 1.0 if _name_like(value) else -2.0
    if label == "subject":
        if _REPLY_PREFIX.match(value):
            return 1.5
        if _prose(value):
            return -1.5  # the body's first line, after a subject left empty
        return 0.5 if "@" not in value else -1.0
    if label == "attachments":
        return 2.0 if _FILE.search(value) else -2.0
    if label == "importance":
        return 3.0 if value.strip().lower() in ("high", "normal", "low") else -3.0
    return 0.0


def _prose(value: str) -> bool:
    """Sentences of the body rather than a header value: lower case, long, and a sentence ends
    inside it (`yes but with a 2.2 billion dollar top. most planes are above …`)."""
    words = len(value.split())
    return bool(re.match(r"\s*[a-z]", value)) and words >= 8 and bool(re.search(r"[.!?]\s+\S", value))


def _takes_value(label: str, text: str, after: str) -> bool:
    """Whether a bare label in a block whose other labels print their values inline (the one-line
    layout) has `text` as its value: only when the value is unmistakable (a recipient list, a
    `Re:` subject, a date) or the next line is a label again. Else the label was printed empty
    and `text` is the body (or what follows the header)."""
    if label_of(after) is not None:
        return True
    if label in _RECIPIENTS:
        return _fit(label, text) >= 2.0
    if label == "subject":
        return bool(_REPLY_PREFIX.match(text))
    if label in ("sent", "date"):
        return looks_like_date(text)
    return _fit(label, text) > 0


def align(labels: list[str], values: list[str]) -> tuple[dict[str, str], int]:
    """Values matched to labels in order and by shape; returns the fields and how many values
    were used (trailing values that fit no label are left to the body)."""
    n, m = len(labels), len(values)
    neg = float("-inf")
    best = [[neg] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int, bool]]] = [[(0, 0, False)] * (m + 1) for _ in range(n + 1)]
    best[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            here = best[i][j]
            if here == neg:
                continue
            if i < n and here > best[i + 1][j]:  # label left empty (redacted)
                best[i + 1][j], back[i + 1][j] = here, (i, j, False)
            if j < m and here - 2.0 > best[i][j + 1]:  # a stray line between
                best[i][j + 1], back[i][j + 1] = here - 2.0, (i, j, False)
            if i < n and j < m:
                score = here + 1.0 + _fit(labels[i], values[j])
                if score > best[i + 1][j + 1]:
                    best[i + 1][j + 1], back[i + 1][j + 1] = score, (i, j, True)
    end = max(range(m + 1), key=lambda j: (best[n][j] - 0.5 * (m - j), -j))
    fields: dict[str, str] = {}
    i, j, used = n, end, 0
    while i or j:
        pi, pj, took = back[i][j]
        if took:
            fields[labels[pi]] = values[pj]
            used = max(used, pj + 1)
        i, j = pi, pj
    return fields, used


def _continues_list(text: str, previous: str) -> bool:
    """A wrapped To/CC line: addresses, `;` lists, bracket debris."""
    if not text:
        return False
    if re.search(r"https?:|www\.", text, re.I):
        return False
    if _LIST_DEBRIS.match(text) or ";" in text:
        return True
    if previous.rstrip().endswith((";", ",")) and _name_like(text):
        return True
    return bool(ADDRESS.search(text) or find_address(text)) or bool(re.fullmatch(r"[\W_]{1,4}", text))


_LIST_DEBRIS = re.compile(r"^(?:[;\]>\[<]|\S?\s?;)")
_MAX_LIST_LINES = 40


def _list_runs_to(lines: list[str], i: int, seen: set[str]) -> int:
    """Where a recipient list that wraps from line `i` ends: the next unseen label, when every
    line up to it is short enough to be part of a list; else `i` (no wrapped list)."""
    for k in range(i, min(len(lines), i + _MAX_LIST_LINES)):
        found = label_of(lines[k])
        if found is not None:
            return k if found[0] not in seen else i
        if ";" not in lines[k] and (len(lines[k]) > 60 or len(lines[k].split()) > 8):
            return i
    return i


def _wrapped(value: str, text: str) -> bool:
    """A long subject's last words, wrapped onto the next line (a few words, not a link)."""
    if re.match(r"\s*(?:https?:|www\.)", text, re.I):
        return False
    return len(value) >= 70 and len(text.split()) <= 8 and not re.search(r"[,.:;!?]$", text + value)


def _unknown_label_line(text: str, after: list[str], seen: set[str]) -> bool:
    """A `Xx: value` line with a short label we cannot read, followed by a label not yet seen."""
    m = _LABEL_LINE.match(text)
    if not m or len(re.sub(r"[^A-Za-z]", "", m.group(1))) > 3 or _REPLY_PREFIX.match(text):
        return False
    nxt = next((t for t in after if t), "")
    found = label_of(nxt)
    return found is not None and found[0] not in seen


def _date_goes_on(value: str, text: str) -> bool:
    """A date broken over two lines (`Sent: Thursday.` / `2014 4:09 PM`): the printed value
    is not a whole date and the next line holds the rest of one."""
    return parse_sent(value) is None and bool(re.search(r"\d", text)) and looks_like_date(f"{value} {text}")


def _read_block(lines: list[str], start: int) -> Block:
    """The header block whose first label is at `start`."""
    fields: dict[str, str] = {}
    seen: set[str] = set()
    group: list[str] = []  # bare labels waiting for their values
    values: list[str] = []
    last: str | None = None  # the label the previous line's value belongs to
    last_list: str | None = None  # the last recipient label that has a value
    list_until = start
    end = start
    wraps = 0  # lines a long subject wrapped onto
    inline = 0  # labels printed with their value on the same line
    columned = False  # a bare label took a value from a later line

    def close_group() -> None:
        nonlocal group, values, last, end, last_list, columned
        if group:
            got, used = align(group, values)
            columned = columned or bool(got)
            fields.update(got)
            end -= len(values) - used
            last = group[-1] if group[-1] in got else None
            last_list = next((k for k in reversed(group) if k in got and k in _RECIPIENTS), last_list)
        group, values = [], []

    i = start
    while i < len(lines):
        text = lines[i]
        found = label_of(text)
        if found is not None and found[0] in seen:
            break
        if found is not None:
            label, value = found
            seen.add(label)
            if value:
                close_group()  # bare labels before it with no values left: redacted
                inline += 1
                fields[label] = value
                last = label
                if label in _RECIPIENTS:
                    last_list = label
                    list_until = _list_runs_to(lines, i + 1, seen)
            else:
                if values:
                    close_group()
                group.append(label)
                last = None
            end = i + 1
        elif _INTRO_LINE.match(text):
            break  # `-----Original Message-----`, `Forwarded message`: the next message begins
        elif not group and seen and _unknown_label_line(text, lines[i + 1 : i + 3], seen):
            end = i + 1  # `Ao: David Swen`: a label OCR damaged past knowing, between two known ones
        elif (
            text
            and group
            and not values
            and inline >= 2
            and not columned
            and not _takes_value(group[-1], text, next((t for t in lines[i + 1 : i + 3] if t), ""))
        ):
            break  # one-line layout: the bare label was printed empty; this is the body
        elif not text:
            if not group and last not in _RECIPIENTS:
                k = next((k for k in range(i + 1, min(len(lines), i + 3)) if lines[k]), i)
                nxt = lines[k] if k > i else ""
                after = label_of(nxt)
                wraps_on = last == "subject" and wraps < 2 and _wrapped(fields["subject"], nxt)
                date_on = last in ("sent", "date") and _date_goes_on(fields[last], nxt)
                unknown = bool(nxt) and _unknown_label_line(nxt, lines[k + 1 : k + 3], seen)
                if (after is None or after[0] in seen) and not (wraps_on or date_on or unknown):
                    break
        elif re.fullmatch(r"[^\w<>\[\];]{1,3}", text) and last not in _RECIPIENTS:
            pass  # OCR debris of a redacted value
        elif group and last_list and _LIST_DEBRIS.match(text):
            fields[last_list] = fields.get(last_list, "") + "\n" + text  # a list wrapped past a label
            end = i + 1
        elif group and (
            len(values) < len(group)
            or (
                set(group) & set(_RECIPIENTS)
                and (_continues_list(text, values[-1]) or _list_runs_to(lines, i, seen) > i)
            )
        ):
            if values and len(values) >= len(group):
                values[-1] += "\n" + text
            else:
                values.append(text)
            end = i + 1
        elif last in ("sent", "date") and not group and _date_goes_on(fields[last], text):
            fields[last] += " " + text
            end = i + 1
        elif last == "subject" and wraps < 2 and _wrapped(fields["subject"], text):
            fields["subject"] += " " + text
            wraps += 1
            end = i + 1
        elif last in _RECIPIENTS and (i < list_until or _continues_list(text, fields.get(last, ""))):
            fields[last] += "\n" + text
            end = i + 1
        else:
            break
        i += 1
    close_group()
    return Block(start, max(end, start + 1), fields, printed=seen)


def _kind(lines: list[str], start: int) -> str:
    before = [t for t in lines[max(0, start - 3) : start] if t][-2:]
    for text in reversed(before):
        for pattern, kind in _INTRO:
            if pattern.search(text):
                return kind
    return "header"


def is_header(block: Block) -> bool:
    """Enough of a header: From printed with a date, recipient or subject printed, and at least
    two values read (a From whose value is redacted still counts)."""
    keys = block.printed
    has_date = bool(keys & {"sent", "date"})
    has_to = bool(keys & {"to", "subject", "cc"})
    return "from" in keys and (has_date or has_to) and len(block.fields) >= 1 and len(keys) >= 3


def _furniture(line: str) -> bool:
    """Page furniture after the last line of a page's text: a Bates or control number
    (`EFTA_R1_01624504`, `DB-SDNY-0 116010`), a `CONFIDENTIAL` legend, or nothing."""
    rest = BATES_TOKEN.sub("", line)
    rest = re.sub(r"CONFIDENTIAL|PURSUANT TO FED\. R\. CRIM\. P\. 6\(e\)|[\W_\d]", "", rest)
    return not rest


def content_end(lines: list[str]) -> int:
    """The line after a page's last line of text (its furniture left out)."""
    end = len(lines)
    while end and _furniture(lines[end - 1]):
        end -= 1
    return end


def find_blocks(text: str, following: str | None = "", start: int = 0) -> list[Block]:
    """Header blocks of one page, in order.

    A block cut by the end of the page goes on at the top of the next page, `following` (its
    `end` then counts the next page's lines after this page's text, `content_end` of it); at the
    end of the document (`following` None) a From line cut off there is a message of its own.
    `start`: the first line to read (lines above it belong to a block of the page before).
    """
    own = [unquote(line) for line in text.split("\n")]
    cut = content_end(own)
    lines = own[:cut] + [unquote(line) for line in (following or "").split("\n")] if following else own
    blocks: list[Block] = []
    i = start
    while i < cut:
        found = label_of(lines[i])
        if found is None or found[0] not in ("from", "sent", "date", "to", "subject"):
            i += 1
            continue
        block = _read_block(lines, i)
        last_words = following is None and block.end >= cut and bool(block.fields.get("from"))
        if is_header(block) or last_words:
            block.kind = _kind(lines, i)
            blocks.append(block)
            i = block.end
        else:
            i += 1
    return blocks


@dataclass
class OnWrote:
    line: int
    end: int
    date: str
    who: str


def find_on_wrote(text: str, skip: set[int]) -> list[OnWrote]:
    """`On <date>, <who> wrote:` lines (joined over up to three lines), outside header blocks;
    also an `On <date> <clock>, <Name>` line whose `wrote:` is lost or printed further down."""
    lines = [unquote(line) for line in text.split("\n")]
    out: list[OnWrote] = []
    i = 0
    while i < len(lines):
        if i in skip or not _ON_START.match(lines[i]):
            i += 1
            continue
        alone = _named_line(lines[i])
        found: OnWrote | None = None
        # the next lines with text (OCR of a scan puts a blank line between printed lines)
        following = [k for k in range(i, min(len(lines), i + 2 * MAX_ON_LINES)) if lines[k]][:MAX_ON_LINES]
        for n, k in enumerate(following):
            if n and label_of(lines[k]):
                break
            if _WROTE.search(lines[k]):
                taken = [lines[j] for j in following[: n + 1]]
                if alone and n and not _continues_who(taken[1:]):
                    break  # the lines between are the body: the `wrote:` belongs further down
                parsed = _split_on_wrote(" ".join(taken))
                if parsed:
                    found = OnWrote(i, k + 1, *parsed)
                break
        if found is None and alone:
            found = OnWrote(i, i + 1, *alone)
        if found is not None:
            out.append(found)
            i = found.end - 1
        i += 1
    return out


def _named_line(line: str) -> tuple[str, str] | None:
    """(date, who) of an `On <date> <clock>, <Name>` line printed without its `wrote:`."""
    m = _ON_NAMED.match(line)
    if not m or _WROTE.search(line):
        return None
    rest = m.group("rest")
    clock = next(_CLOCK.finditer(rest), None)
    if clock is None or not looks_like_date(rest[: clock.end()]):
        return None
    who = re.sub(r"[<>\[\]_|]+", " ", rest[clock.end() :]).strip(" ,;:")
    words = who.split()
    if not 1 <= len(words) <= 5 or re.search(r"[.!?]$", who) and not re.search(r"\b[A-Z]\.$", who):
        return None
    if not (find_address(who) or all(w[0].isupper() or not w[0].isalpha() for w in words)):
        return None  # `On May 10, 2015 at 9 PM, the police arrived` is prose
    return rest[: clock.end()].strip(" ,"), rest[clock.end() :].strip(" ,")


def _continues_who(between: list[str]) -> bool:
    """Whether lines after an `On … <Name>` line still belong to it: the `wrote:` alone, or an
    address or bracket debris before it, not words of a body."""
    for text in between:
        head = _WROTE.sub("", text).strip()
        if head and not (find_address(head) or re.fullmatch(r"[\W_]*(?:gt;|lt;)?[\W_]*", head)):
            return False
    return True


def _split_on_wrote(joined: str) -> tuple[str, str] | None:
    m = _ON_WROTE.match(joined)
    if not m:
        return None
    rest = m.group("rest")
    clocks = list(_CLOCK.finditer(rest))
    if clocks:
        cut = clocks[0].end()
    else:
        year = list(re.finditer(r"(?:19|20)\d\d", rest))
        if not year:
            return None
        cut = year[0].end()
    date, who = rest[:cut], rest[cut:]
    who = re.sub(r"^\s*,?\s*", "", who).strip()
    return date.strip(" ,"), who.rstrip(" ,:")
