"""Resolution rules that look at one document at a time.

Each rule rewrites the (type, key, form) of some mentions of the document and names itself in the
mention's rule trail. They run after the archive-wide type vote, before OCR-variant merging.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from unsealed.enrich.furniture import is_place
from unsealed.enrich.given_names import is_given_name
from unsealed.enrich.names import country_code, fold, name_key, ocr_skeleton, ocr_variant_of
from unsealed.enrich.orgs import HEADS, is_company_name
from unsealed.enrich.resolve_types import Item
from unsealed.enrich.statements import word_fits

STOPWORDS = frozenset("of and the for & in on at to de la".split())


def _initials(key: str) -> str:
    return "".join(w[0] for w in key.split() if w not in STOPWORDS)


def repair_ocr_tokens(items: list[Item]) -> None:
    """A word of a person's name seen once is replaced by the recurring name word it is an OCR
    variant of (`avinoam clan` → `avinoam idan` where `Idan` recurs in the document)."""
    counts: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for it in items:
        if it.type in ("PERSON", "ORG", "LOCATION"):
            for word in it.form.split():
                folded = fold(word)
                counts[folded] += 1
                surfaces[folded][word.strip("'\".,;:")] += 1
    for it in items:
        if it.type != "PERSON" or len(it.key.split()) < 2:
            continue
        tokens = it.key.split()
        changed = False
        for i, tok in enumerate(tokens):
            if counts[tok] == 1:
                target = ocr_variant_of(tok, counts, min_count=2)
                if target is not None:
                    tokens[i] = target
                    changed = True
        if changed:
            words = [surfaces[t].most_common(1)[0][0] if surfaces[t] else t.title() for t in tokens]
            it.set(it.type, " ".join(tokens), " ".join(words), "ocr_token_in_document")


def join_surnames(items: list[Item]) -> None:
    """A lone surname (of any name type: taggers often call it ORG or GPE) joins the one full
    person name of the same document that ends with it, also when OCR damaged it (`liarpaz`)."""
    full: dict[str, set[str]] = defaultdict(set)
    forms: dict[str, str] = {}
    for it in items:
        if it.type == "PERSON" and len(it.key.split()) >= 2:
            full[ocr_skeleton(it.key.split()[-1])].add(it.key)
            forms.setdefault(it.key, it.form)
    for it in items:
        if it.type not in ("PERSON", "ORG", "LOCATION") or " " in it.key or len(it.key) < 3:
            continue
        owners = full.get(ocr_skeleton(it.key))
        if owners and len(owners) == 1:
            key = next(iter(owners))
            it.set("PERSON", key, forms[key], "surname_in_document")


def join_longer_names(items: list[Item]) -> None:
    """A person's name with words before another full name of the same document (`State Hillary
    Clinton`, `Congresswoman Kay Granger` beside `Hillary Clinton`) is that name: the tagger took
    a title or the word before it in."""
    full = {it.key: it.form for it in items if it.type == "PERSON" and len(it.key.split()) >= 2}
    for it in items:
        words = it.key.split()
        if it.type != "PERSON" or len(words) < 3:
            continue
        for i in range(1, len(words) - 1):
            tail = " ".join(words[i:])
            if tail in full:
                it.set("PERSON", tail, full[tail], "longer_name_in_document")
                break


def join_first_names(items: list[Item]) -> None:
    """A lone first name (`Diana`, tagged any name type) joins the one full person name of the same
    document that starts with it (`Diana DeGette`); not when two people share it (`Jeff Bezos`,
    `Jeff Skoll`), and never a place of the gazetteer (`Austin` the city stays a place)."""
    full: dict[str, set[str]] = defaultdict(set)
    forms: dict[str, str] = {}
    for it in items:
        words = it.key.split()
        if it.type == "PERSON" and len(words) >= 2 and len(words[0]) >= 3:
            full[words[0]].add(it.key)
            forms.setdefault(it.key, it.form)
    if not full:
        return
    for it in items:
        if it.type not in ("PERSON", "ORG", "LOCATION") or " " in it.key or len(it.key) < 3:
            continue
        owners = full.get(it.key)
        if owners and len(owners) == 1 and not (it.type == "LOCATION" and is_place(it.form)):
            key = next(iter(owners))
            it.set("PERSON", key, forms[key], "first_name_in_document")


def vote_types_in_document(items: list[Item]) -> None:
    """A form the document tags both PERSON and ORG/LOCATION takes the type of most of its mentions
    there (`Carlo` twice PERSON, once ORG); a tie makes a common given name a person's, and changes
    nothing else. ORG against LOCATION alone is left
    as tagged: the `White House` is a building and an institution, and context tells which."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for it in items:
        if it.type in ("PERSON", "ORG", "LOCATION"):
            votes[fold(it.form)][it.type] += 1
    winners = {}
    for form, counts in votes.items():
        if len(counts) > 1 and "PERSON" in counts:
            (top, n), (_, second) = counts.most_common(2)
            if n > second:
                winners[form] = top
            elif counts["PERSON"] == n and " " not in form and is_given_name(form):
                winners[form] = "PERSON"  # a tie, and the form is a common given name (`Carlo`)
    for it in items:
        voted = winners.get(fold(it.form))
        if voted and voted != it.type and it.type in ("PERSON", "ORG", "LOCATION"):
            it.set(voted, name_key(it.form, voted), it.form, "type_vote_in_document")


def _abbreviates(short: str, full: str) -> bool:
    """Every word of `short` fits the word of `full` at its place (`w palm bch` / `west palm bea`)."""
    a, b = short.split(), full.split()
    return len(a) == len(b) and all(
        word_fits(x, y, i == len(a) - 1) or word_fits(y, x, i == len(a) - 1)
        for i, (x, y) in enumerate(zip(a, b, strict=True))
    )


def join_abbreviated_places(items: list[Item]) -> None:
    """Places printed cut short or abbreviated in one document (`W PALM BCH`, `WEST PALM BEA`, a
    statement's city column) join its most printed form they fit, word by word."""
    counts = Counter(it.key for it in items if it.type == "LOCATION" and " " in it.key)
    if len(counts) < 2:
        return
    forms = {it.key: it.form for it in items if it.type == "LOCATION"}
    ranked = [k for k, _ in counts.most_common()]
    target: dict[str, str] = {}
    for i, key in enumerate(ranked):
        for top in ranked[:i]:
            if top not in target and _abbreviates(key, top):
                target[key] = top
                break
    for it in items:
        if it.type == "LOCATION" and it.key in target:
            top = target[it.key]
            it.set("LOCATION", top, forms[top], "abbreviated_place_in_document")


def _blend(short: str, words: list[str], used: int = 0) -> bool:
    """`stanchart` is made of the starts of `standard chartered`, word after word (two or more)."""
    if not short:
        return used >= 2
    if not words:
        return False
    word = words[0]
    return any(
        short.startswith(word[:n]) and _blend(short[n:], words[1:], used + 1) for n in range(len(word), 1, -1)
    )


def _short_form_owner(it: Item, by_short: dict[str, set[str]], orgs: dict[str, str]) -> str | None:
    owners = by_short.get(it.key)
    if owners and len(owners) == 1:
        return next(iter(owners))
    if owners and it.type == "ORG":  # `Harvard` with Harvard University and Harvard Medical School
        plain = [
            k for k in owners if len(k.split()) == 2 and k.split()[0] == it.key and k.split()[1] in HEADS
        ]
        if len(plain) == 1:
            return plain[0]  # the institution itself, not one of its parts
    if it.type != "ORG":
        return None
    blends = [k for k in orgs if " " in k and _blend(it.key, k.split())]
    if not blends and it.form.isupper() and len(it.key) >= 3:  # `JPM` printed beside `JPMorgan`
        blends = [k for k in orgs if k != it.key and k.startswith(it.key) and not orgs[k].isupper()]
    return blends[0] if len(blends) == 1 else None


def _blends_with_head(orgs: dict[str, str]) -> dict[str, str]:
    """`stanchart bank` → `standard chartered`: a short form of another organisation of the
    document + a head noun names that organisation."""
    out = {}
    for key in orgs:
        words = key.split()
        if len(words) == 2 and words[1] in HEADS:
            blends = [k for k in orgs if k != key and " " in k and _blend(words[0], k.split())]
            if len(blends) == 1:
                out[key] = blends[0]
    return out


def join_org_short_forms(items: list[Item]) -> None:
    """`AJC` or `JNS` joins the one longer organisation name of the same document it abbreviates
    (initials), begins (first word: also a lone `Pomona` tagged as a person beside `Pomona
    Capital`, unless it is a place), or blends (`StanChart` / `Standard Chartered`, `JPM` /
    `JPMorgan`)."""
    by_short: dict[str, set[str]] = defaultdict(set)
    by_first: dict[str, set[str]] = defaultdict(set)
    orgs: dict[str, str] = {}
    for it in items:
        words = it.key.split()
        if it.type == "ORG":
            orgs.setdefault(it.key, it.form)
        if it.type == "ORG" and len(words) >= 2:
            by_short[words[0]].add(it.key)
            if is_company_name(it.form):  # `Pomona Capital`, not `ADAM GRAEV` mistagged
                by_first[words[0]].add(it.key)
            for initials in {_initials(it.key), "".join(w[0] for w in words if w not in ("the", "and", "&"))}:
                if len(initials) >= 2:
                    by_short[initials].add(it.key)  # `AJC`; `DOJ` for Department of Justice
    renamed = _blends_with_head(orgs)
    for it in items:
        if it.type == "ORG" and it.key in renamed:
            it.set("ORG", renamed[it.key], orgs[renamed[it.key]], "org_short_form_in_document")
            continue
        if " " in it.key or len(it.key) < 2:
            continue
        if it.type == "ORG":
            key = _short_form_owner(it, by_short, orgs)
            key = renamed.get(key, key) if key is not None else None
        elif (
            it.type in ("PERSON", "LOCATION") and len(by_first.get(it.key, ())) == 1 and not is_place(it.form)
        ):
            key = next(iter(by_first[it.key]))
        else:
            continue
        if key is not None:
            it.set("ORG", key, orgs[key], "org_short_form_in_document")


def _reordered(key: str) -> str | None:
    """`justice department` for `department of justice` (and back): one name in two word orders."""
    words = key.split()
    if len(words) >= 3 and words[1] == "of" and words[0] in HEADS:
        return " ".join([*words[2:], words[0]])
    if len(words) >= 2 and words[-1] in HEADS and "of" not in words:
        return " ".join([words[-1], "of", *words[:-1]])
    return None


def join_org_word_orders(items: list[Item]) -> None:
    """`Justice Department` joins `Department of Justice` when the same document prints both; with
    `DOJ` joined to one of them by initials, the three are one organisation (evidence: the document)."""
    present = {it.key: it.form for it in items if it.type == "ORG"}
    for it in items:
        if it.type != "ORG":
            continue
        other = _reordered(it.key)
        if other in present and " of " in f" {other} ":
            it.set("ORG", other, present[other], "org_word_order_in_document")


def join_org_country_prefix(items: list[Item]) -> None:
    """`U.S. State Department` joins `State Department` when the same document prints both: a
    country's name before an organisation's says whose it is."""
    present = {it.key: it.form for it in items if it.type == "ORG"}
    for it in items:
        words = it.form.split()
        if it.type != "ORG" or len(words) < 3:
            continue
        for n in (1, 2):
            rest = name_key(" ".join(words[n:]), "ORG")
            if rest in present and rest != it.key and country_code(" ".join(words[:n])):
                it.set("ORG", rest, present[rest], "org_country_prefix_in_document")
                break


def apply_document_rules(items: list[Item]) -> None:
    vote_types_in_document(items)
    repair_ocr_tokens(items)
    join_longer_names(items)
    join_surnames(items)
    join_first_names(items)
    join_abbreviated_places(items)
    join_org_word_orders(items)
    join_org_country_prefix(items)
    join_org_short_forms(items)
