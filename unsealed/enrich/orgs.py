"""Long organisation names kept whole. spaCy's small model cuts `Conference of Presidents of Major
American Jewish Organizations` or `Central Asia-Caucasus Institute & Silk Road Studies Program`
into pieces (or tags a piece as a place or a nationality); a span of an organisation joined to
capitalised words by `of`, `for`, `on`, `&` or `and` is one name, and the pieces inside it are not
mentions of their own.
"""

from __future__ import annotations

import re

from unsealed.enrich.names import fold
from unsealed.enrich.spans import Found

# Head nouns of organisation names: a name that ends with one takes an `of …` / `for …` tail, and one
# printed just before `of`/`for` + a tagged organisation starts that organisation's name.
HEADS = frozenset(
    "academy agency association authority bank board bureau center centre chamber college commerce "
    "commission committee "
    "company conference corporation council court department division federation foundation fund "
    "group institute institution league ministry museum office organization organisation party "
    "program programme school service society trust union university organizations organisations "
    "studies".split()
)
# Last words that make a name a company's, whatever the tagger says (`Glendower Capital`).
COMPANY_WORDS = frozenset(
    "capital partners management financial co holdings advisors advisers securities investments "
    "ventures aviation airlines airways inc llc ltd plc corp pllc lp gmbh ag sa associates "
    "consulting technologies media news press times journal review equity".split()
)


def is_company_name(form: str, *, heads: bool = True) -> bool:
    """A name of two words or more whose last word is a company word (or, with `heads`, a head
    noun of organisation names: a place may be a `Union`, a person is not)."""
    words = re.findall(r"[A-Za-z]+", form)
    last = words[-1].lower() if words else ""
    return len(words) >= 2 and (last in COMPANY_WORDS or (heads and last in HEADS))


_CAP = r"[A-Z][\w'’.-]*"
_RUN = rf"{_CAP}(?:[ ](?:{_CAP}|of|for|and|&)){{0,7}}"
_TAIL = re.compile(rf"[ ](of|for|on|&|and)[ ]({_RUN})")
_HEAD_BEFORE = re.compile(rf"((?:{_CAP}[ ]){{0,3}}{_CAP})[ ](of|for|on)[ ]$")
MAX_WORDS = 12
MAX_RUN_WORDS = 8
MIN_WRAPPED_LINE = 40


def last_word(text: str) -> str:
    words = re.findall(r"[A-Za-z]+", text)
    return words[-1].lower() if words else ""


def _tail_end(text: str, end: int, head: str) -> int:
    """Where the name continues to after `end` (`Council` + ` on Foreign Relations`)."""
    m = _TAIL.match(text, end)
    if not m or "\n" in m.group():
        return end
    connector, run = m.group(1), m.group(2)
    words = run.split(" ")
    while words and words[-1] in ("of", "for", "and", "&"):
        words.pop()
    if not words:
        return end
    if connector in ("&", "and") and words[-1].lower() not in HEADS:
        return end  # `JPMorgan and Santander`: two names, not one
    if connector in ("&", "and") or head in HEADS:
        return m.start(2) + len(" ".join(words))
    return end


def merge_org_names(items: list[Found], text: str) -> list[Found]:
    """Organisation spans grown over their `of`/`for`/`&` tails and head nouns; spans inside a
    grown name are dropped."""
    grown: list[Found] = []
    for f in sorted(items, key=lambda x: x.start):
        if f.type != "ORG":
            grown.append(f)
            continue
        start, end = f.start, f.end
        before = _HEAD_BEFORE.search(text, max(0, start - 60), start)
        if before and before.end() == start and last_word(before.group(1)) in HEADS:
            start = before.start(1)
        while True:
            new_end = _tail_end(text, end, last_word(text[start:end]))
            if new_end == end or len(text[start:new_end].split()) > MAX_WORDS:
                break
            end = new_end
        grown.append(Found(start, end, text[start:end], "ORG", f.extractor, f.value))
    out: list[Found] = []
    for f in sorted(grown, key=lambda x: (x.start, -(x.end - x.start))):
        if out and f.start < out[-1].end and (out[-1].type == "ORG" or f.type == "ORG"):
            if f.end > out[-1].end and f.type == "ORG" and out[-1].type == "ORG":
                last = out[-1]
                joined = text[last.start : f.end]
                out[-1] = Found(last.start, f.end, joined, "ORG", last.extractor, last.value)
            continue  # inside a longer name
        out.append(f)
    return out


_SEP = r"(?:[ ]|[ ]?\n)"
_CONNECTORS = frozenset({"of", "for", "and", "&", "on"})
_LISTED_BEFORE = re.compile(r"\bthe[ ]([A-Z][a-z]+),[ ]$")
_HEAD_RUN = re.compile(rf"{_CAP}(?:{_SEP}(?:(?:of|for|and|&|on){_SEP})?{_CAP})+")


def _line_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A run cut where a short line (letterhead, list) ends: prose wraps long lines, and a line
    ending with a hyphen or a connector (`Indo-`, `Chamber of`) goes on."""
    pieces = []
    line_start = text.rfind("\n", 0, start) + 1
    at = start
    while (brk := text.find("\n", at, end)) >= 0:
        line = text[line_start:brk].rstrip()
        if (
            brk - line_start < MIN_WRAPPED_LINE
            and not line.endswith("-")
            and (line.split() or [""])[-1] not in _CONNECTORS
        ):
            pieces.append((start, brk))
            start = brk + 1
        line_start = at = brk + 1
    pieces.append((start, end))
    return [(a, b) for a, b in pieces if text[a:b].strip()]


def head_runs(text: str, tagged: list[Found]) -> list[Found]:
    """Capitalised runs ending in a head noun (`American Jewish Joint Distribution\nCommittee`),
    where the tagger saw an organisation or a nationality in them: one ORG each."""
    runs = []
    for start, end in (
        piece for m in _HEAD_RUN.finditer(text) for piece in _line_pieces(text, m.start(), m.end())
    ):
        if text.startswith("The ", start):
            start += 4
        words = text[start:end].split()
        head_of = 3 <= len(words) <= 4 and words[0].lower() in HEADS and words[1].lower() in ("of", "for")
        if head_of:  # up to the end of the sentence or clause (`University of Rome. Italy`)
            stop = next((i for i, w in enumerate(words) if w[-1] in ".,;:"), len(words) - 1)
            words = words[: stop + 1]
            words[-1] = words[-1].rstrip(".,;:")
            head_of = len(words) >= 3
        while words and words[-1].lower() not in HEADS and not head_of:
            words.pop()  # keep `DEPARTMENT OF ENGLISH` whole: a head, `of` and a name
        listed = _LISTED_BEFORE.search(text, max(0, start - 30), start)
        if listed and "and" in words and not head_of:
            start = listed.start(1)  # `the Mind, Brain and Behavior Committee`: one name
            words = [listed.group(1) + ",", *words]
        if not 2 <= len(words) <= MAX_RUN_WORDS or words[-1] in ("of", "for", "and", "&", "on"):
            continue
        end = text.find(words[-1], start, end) + len(words[-1])
        if any(t.type in ("ORG", ner_norp()) and t.start < end and start < t.end for t in tagged):
            runs.append(Found(start, end, text[start:end], "ORG", "rule:org-name"))
    return runs


def ner_norp() -> str:
    from unsealed.enrich.ner import NORP

    return NORP


SUFFIX_RULE = "rule:company-suffix"
_SUFFIX_WORDS = frozenset("pte pty sdn bhd co inc ltd corp".split())
_SUFFIXED = re.compile(
    r"(?<![\w.&'’-])((?:[A-Z][\w.&'’-]*[ ]){0,5}[A-Z][\w.&'’-]*),?[ ]"
    r"(Inc|LLC|L\.L\.C\.|Ltd|PLLC|P\.[C0]\.?|LLP|L\.P\.|Corp|GmbH|PLC|plc|S\.A\.|N\.A\.)(?![\w&'’-])"
)


def suffixed_names(text: str) -> list[Found]:
    """A run of capitalised words ending with a company suffix (`Darren K Indyke, PLLC`, `THE MINTZ
    FRAADE LAW FIRM, P.C.`, `TowersInvestors.com, Inc`) is one organisation, persons inside included."""
    return [
        Found(m.start(), m.end(), m.group(), "ORG", SUFFIX_RULE)
        for m in _SUFFIXED.finditer(text)
        if "\n" not in m.group()
        and sum(c.isalpha() for c in m.group(1)) >= 3  # not `A Ltd`, `HY Corp` (high-yield corporates)
        and fold(m.group(1)) not in _SUFFIX_WORDS  # `Pte Ltd`
        and not text[max(0, m.start() - 4) : m.start()].endswith(("and ", "of ", "& ", "("))
    ]  # after `and`/`of`/`(`, the run is the tail of a longer name (`Shanghai Banking Corp`)
