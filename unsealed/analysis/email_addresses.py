"""Names and addresses printed in From/To/CC values, with OCR damage normalised beside the print.

`Jeffrey Epstein [jeeyacation@gmail.com]`, `"Smith, John" <john@x.com>; Jane <j@d.org>`, a To list
wrapped over lines with `;`, `[`, `]`, `<`, `>` debris. An address is normalised only where the
fix is unambiguous: a misread common domain (`grnail.corn` → `gmail.com`), a lost `@` in front of a
known domain (`jeevacationegmail.com`), or one address of the same document (or archive) that is a
letter or two away and was printed clean.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

ADDRESS = re.compile(r"[A-Za-z0-9][\w.+'-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_DOMAINS = ("gmail.com", "yahoo.com", "hotmail.com", "aol.com", "mac.com", "me.com", "icloud.com")
_TLD_FIX = {"corn": "com", "con": "com", "cam": "com", "coin": "com", "org.": "org"}
_CONFUSIONS = (("y", "v"), ("rn", "m"), ("1", "l"), ("0", "o"), ("vv", "w"), ("cl", "d"), ("ii", "u"))
_LOST_AT = re.compile(
    r"\b([a-z0-9][\w.+-]{2,})[e@©®0]\s?(" + "|".join(re.escape(d) for d in _DOMAINS) + r")\b", re.I
)


@dataclass
class Address:
    """One sender or recipient: the name printed, the address normalised, the address printed."""

    name: str | None
    address: str | None
    printed: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "address": self.address}

    @property
    def label(self) -> str | None:
        """What a reader calls it: the name if one was printed, else the address."""
        return self.name or self.address


def _fix_domain(domain: str) -> str:
    parts = domain.lower().split(".")
    if parts and parts[-1] in _TLD_FIX:
        parts[-1] = _TLD_FIX[parts[-1]]
    fixed = ".".join(parts)
    for known in _DOMAINS:
        distance = Levenshtein.distance(fixed, known)
        if fixed != known and fixed.endswith(known[-4:]) and len(fixed) >= len(known) - 1:
            if distance == 1 or (distance == 2 and fixed[0] == known[0]):
                return known
    return fixed


def normalise_address(printed: str, known: Iterable[str] = ()) -> str:
    """`jeeyacation@grnail.corn` → `jeeyacation@gmail.com`, then to the one `known` clean address
    a letter or two away (`jeevacation@gmail.com`), when exactly one is."""
    local, _, domain = printed.lower().strip(".").partition("@")
    address = f"{local}@{_fix_domain(domain)}"
    known = set(known)
    variants = {f"{v}@{address.split('@')[1]}" for v in _misreadings(local)} & known
    return variants.pop() if len(variants) == 1 else address


def _misreadings(local: str) -> set[str]:
    """The local part with one OCR misreading undone (`jeeyacation` → `jeevacation`)."""
    out = set()
    for wrong, right in _CONFUSIONS:
        for m in re.finditer(re.escape(wrong), local):
            out.add(local[: m.start()] + right + local[m.end() :])
    return out


_SPACED_AT = re.compile(r"(?<=[\w.])\s?@\s?(?=[A-Za-z0-9])")


def find_address(text: str) -> tuple[str, str] | None:
    """The first address in the text as printed and as read, a lost `@` restored in front of a
    common domain (`jeevacationegmail.com` → `jeevacation@gmail.com`), spaces OCR put around an
    `@` dropped (`jeevacation @ gmail.com`)."""
    text = _SPACED_AT.sub("@", text)
    match = ADDRESS.search(text)
    if match:
        return match.group(), match.group()
    lost = _LOST_AT.search(text)
    return (lost.group(), f"{lost.group(1)}@{lost.group(2)}") if lost else None


_INITIALS = re.compile(r"(?:[A-HJ-Z]\.?)(?:\s?[A-Z]\.?){0,2}")  # `J`, `J E`, `J.E.` (not a lone `I`: `|`)


def person_name(raw: str) -> str | None:
    """The name without mailto/brackets/addresses/debris; `Last, First` → `First Last`."""
    bare = re.sub(r"\[[^\]]*\]?|<[^>]*>?|[\s;,]+$", " ", raw).strip()
    if _INITIALS.fullmatch(bare):
        return bare  # a sender or recipient known by initials (`From: J`, `To: J E`)
    name = ADDRESS.sub(" ", raw)
    name = _LOST_AT.sub(" ", name)
    name = re.sub(r"\[[^\]]*\]?|<[^>]*>?|\([^)]*\)?|\S*\.(?:com|org|net|edu|gov)\b\S*", " ", name)
    name = re.sub(r"/[a-z]\S*", " ", name)  # Lotus Notes: `Prateek Jain/db/dbcom@DBCOEX`
    name = re.sub(r"mailto:?|[<>\[\]()\"{}|»«]|_{2,}|\.{2,}", " ", name, flags=re.IGNORECASE)
    name = re.sub(r"-\s*\n\s*", "-", name)
    name = re.sub(r"\s+", " ", name).strip(" ,;:'_-=")
    while re.search(r"(?:^|\s)[Iil|1e]$", name) and len(name) > 2:  # `I;` `e;` debris of `|;`
        name = name[:-1].strip(" ,;:'_-=")
    name = re.sub(r"^[Iil|1]\s+(?=[A-Z])", "", name)
    name = re.sub(r"(\w{3,})\.$", r"\1", name)  # `Lisa Randall.` but `Jeffrey E.`
    name = _drop_debris(name)
    if not name or not re.search(r"[A-Za-z]{2}", name):
        return None
    if name.count(",") == 1 and "@" not in raw:
        last, first = (p.strip() for p in name.split(","))
        if last and first and len(last.split()) <= 2 and len(first.split()) <= 3:
            name = f"{first} {last}"
    return name


_BAR_GLYPHS = re.compile(r"^[MIWNl1|]{2,}$")  # a redaction bar read as letters


def _drop_debris(name: str) -> str:
    """`Joi Ito 1.1111`, `Michael Wolff MM`, `Barry J. Cohen a =S`, `Steve Bannon K` → the name:
    trailing words with digits or symbols, redaction-bar letters, a lone letter after a full name."""
    words = name.split()
    while len(words) > 1:
        last = words[-1]
        lone = len(last) == 1 and len(words) > 2
        digits = sum(c.isdigit() for c in last)
        junk = re.search(r"[^A-Za-z0-9.'’/-]", last) or digits * 2 >= len(last)
        if junk or _BAR_GLYPHS.match(last) or lone:
            words.pop()
        else:
            break
    return " ".join(words).strip(" ,;:'_-=")


_NO_AT = re.compile(r"\b([a-z0-9][\w.+-]{2,})(" + "|".join(re.escape(d) for d in _DOMAINS) + r")\b", re.I)


def _known_without_at(text: str, known: Iterable[str]) -> tuple[str, str] | None:
    """`jeevacationdgmail.com`: an address whose `@` was lost or misread as a letter, taken only
    when the repaired address is one the document or archive prints clean."""
    known = set(known)
    for m in _NO_AT.finditer(text):
        local, domain = m.group(1).lower(), m.group(2).lower()
        for candidate in (f"{local[:-1]}@{domain}", f"{local}@{domain}"):
            if candidate in known:
                return m.group(), candidate
    return None


_MAILTO = re.compile(r"mailto\s*:\s*(" + ADDRESS.pattern + ")", re.I)


def one_address(part: str, known: Iterable[str] = ()) -> Address | None:
    # A `mailto:` link prints the address again, often cleaner than the text beside it
    # (`j=evacation@gmail.com <mailto:jeevacation@gmail.com>`, quoted-printable damage).
    part = _SPACED_AT.sub("@", part)
    link = _MAILTO.search(part)
    found = (link.group(1), link.group(1)) if link else find_address(part) or _known_without_at(part, known)
    name = person_name(part)
    if name and found and _part_of_address(name, found[1]):
        name = None  # `'eevacation` printed before the address it is a piece of
    if not name and not found:
        return None
    if found is None:
        return Address(name, None, None)
    return Address(name, normalise_address(found[1], known), found[0])


def _part_of_address(name: str, address: str) -> bool:
    """A one-word "name" that is a broken piece of the address (`'eevacation` before
    `jeevacation@gmail.com`); a name the same as the local part (`lhsoffice`) is kept."""
    word, local = re.sub(r"[^a-z0-9]", "", name.lower()), address.lower().split("@")[0]
    return " " not in name.strip() and len(word) >= 4 and word in local and word != local


def _split_lines(part: str) -> list[str]:
    """A `;` piece that holds two names on two lines (`Wayne Salit` / `Yoonsun Chung <a>.`)."""
    lines = [t.strip() for t in part.split("\n") if t.strip()]
    out: list[str] = []
    for line in lines:
        previous = out[-1] if out else ""
        whole = len(re.findall(r"[A-Za-z]{2,}", person_name(previous) or "")) >= 2
        starts_name = bool(re.match(r"[\W_]*[A-Z][a-z]+\s+[A-Z]", line))
        if out and whole and starts_name and not previous.endswith("-"):
            out.append(line)
        elif out:
            out[-1] += ("" if previous.endswith("-") else " ") + line
        else:
            out.append(line)
    return out


def _split_commas(part: str) -> list[str]:
    """`John Doerr, Jeffrey Epstein` (a `;` read as `,`) but not `Weingarten, Reid`."""
    pieces = part.split(",")
    if len(pieces) > 1 and all(len(re.findall(r"[A-Za-z]{2,}", p)) >= 2 for p in pieces):
        return pieces
    return [part]


_LINKED = re.compile(r"([\w.+'=-]*@[\w.=-]+)\s*[<\[]\s*mailto\s*:?\s*([^<>\[\]»;\s]*)[>\]»]*", re.I)


def _one_of_linked(m: re.Match[str]) -> str:
    """The printed address, or the link's when OCR or quoted-printable damaged the printed one."""
    printed, link = m.group(1), m.group(2)
    return printed if ADDRESS.fullmatch(printed) or not ADDRESS.fullmatch(link) else link


_FLOWED = 45  # a list line this long was wrapped at the margin, not ended after a name


def _whole_name(piece: str) -> bool:
    """Two or more words, the last no initial: `Kshitij Golani`, not `Mary C` or `Olivier`."""
    words = re.findall(r"[A-Za-z][A-Za-z'’.-]*", person_name(piece) or "")
    return len(words) >= 2 and len(words[-1].strip(".")) >= 2 and not piece.rstrip().endswith((",", "-"))


def _mark_line_breaks(value: str) -> str:
    """A `;` put where a list printed one person a line and OCR lost the separator
    (`Ian Salters` / `Zbynek Kozelsky <`, `Prashant Mahendru` / `zia Memon`): the line before is
    short (not wrapped at the margin) and ends with a whole name, and the next begins a word."""
    lines = value.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        previous = out[-1]
        last_piece = previous.rsplit(";", 1)[-1]
        if (
            len(previous.strip()) < _FLOWED
            and not previous.rstrip().endswith(";")
            and ADDRESS.search(last_piece) is None
            and _whole_name(last_piece)
            and re.match(r"[\W_]*[A-Za-z]{2}", line)
            and not re.match(r"\s*[;>\]]", line)
        ):
            out[-1] = previous + ";"
        out.append(line)
    return "\n".join(out)


def split_recipients(value: str) -> list[str]:
    """A printed recipient list (its lines kept) cut into one piece per person."""
    # `Name <a@b.com <mailto:a@b.com>>`: the link repeats the address before it, one person.
    value = _LINKED.sub(_one_of_linked, value)
    value = re.sub(r"([>\]])\s*,", r"\1;", value)
    value = _mark_line_breaks(value)
    if ";" in value:
        return [c for p in value.split(";") for line in _split_lines(p) for c in _split_commas(line)]
    value = re.sub(r"\s+", " ", value)
    if len(ADDRESS.findall(value)) > 1:
        parts = re.split(r"(?<=[>\]\w])\s*,\s*(?=[^,]*@)", value)
        if len(parts) == 1:
            parts = re.findall(r"[^@]*?" + ADDRESS.pattern + r"[>\]]?", value)
        return parts
    return [value]


def parse_addresses(value: str, known: Iterable[str] = ()) -> list[Address]:
    """`Name <a@b>; "Last, First" <c@d>` → each person once, in printed order."""
    out: list[Address] = []
    seen: set[str] = set()
    known = tuple(known)
    for part in split_recipients(value):
        found = one_address(part, known)
        if found is None:
            continue
        key = (found.address or found.name or "").lower()
        if key not in seen:
            seen.add(key)
            out.append(found)
    return out


def clean_addresses(texts: Iterable[str]) -> set[str]:
    """Addresses printed whole with a common, undamaged domain: the evidence for local fixes."""
    found = set()
    for text in texts:
        for match in ADDRESS.finditer(text):
            address = match.group().lower().strip(".")
            if address.split("@")[1] in _DOMAINS or "." in address.split("@")[1]:
                found.add(address)
    return found
