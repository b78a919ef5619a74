"""Load files applied to the files of a data set before they are read.

The `.DAT`/`.OPT` files found among the sources are parsed (in the parent process) and taken out of
the list; single-page images that an OPT groups into one document become one SourceFile with
`parts`; each document's load-file Bates per page and DAT fields are kept by storage key, travel
with its task and are put on the worker's result (`apply_load`). Every problem (a malformed line,
an image the OPT names but the release lacks, a DAT row with no file) is kept as `(key, reason)`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from unsealed.analysis.bates import printed_stamps
from unsealed.domain import bates_from_filename, canonical_bates, parse_bates
from unsealed.ingest.loadfiles import BEGIN_NAMES, load_kind, opt_documents, parse_dat, parse_opt
from unsealed.model import FileResult, SourceFile


@dataclass
class DocumentLoad:
    bates: list[str] = field(default_factory=list)  # per page, from the OPT
    fields: dict[str, str] = field(default_factory=dict)  # from the DAT


@dataclass
class LoadPlan:
    sources: list[SourceFile]
    documents: dict[str, DocumentLoad] = field(default_factory=dict)  # by storage key
    problems: list[tuple[str, str]] = field(default_factory=list)


def apply_load(result: FileResult, load: DocumentLoad) -> None:
    """Put the load file's Bates and fields on a worker's result (before it is written); a printed
    stamp that disagrees is kept on the page."""
    result.fields = dict(load.fields)
    for index, page in enumerate(result.pages):
        bates = _page_bates(load.bates, index, page.bates)
        if bates is None:
            continue
        if page.bates != bates or page.bates_source != "stamped":  # else the page prints this number
            printed = printed_stamps(page.text, page.bottom_text)
            if printed and bates not in printed:
                page.bates_printed = printed[0]
        page.bates, page.bates_source = bates, "loadfile"


def _page_bates(numbers: list[str], index: int, printed: str | None) -> str | None:
    """The page's Bates number from the OPT, in the canonical form every display shows (a load
    file may write `HOUSE OVERSIGHT 013482`), numbered on from the last one for pages it lacks.
    `printed`: the number read on the page (canonical), the usual value."""
    if index < len(numbers):
        number = numbers[index]
        return number if number == printed else canonical_bates(number)
    if not numbers:
        return None
    parsed = parse_bates(numbers[-1])
    return str(parsed[0].shifted(index - len(numbers) + 1)) if parsed else None


def _relative(source: SourceFile) -> str:
    return source.storage_key.split("/", 1)[-1].lower()


class _Finder:
    """Sources by the image paths a load file writes (any case, `\\` or `/`, any leading folders)."""

    def __init__(self, sources: Sequence[SourceFile]):
        self._by_suffix: dict[str, SourceFile | None] = {}
        self._by_stem: dict[str, SourceFile] = {}
        self._images: dict[str, SourceFile | None] = {}  # an OPT names each file once per page
        for source in sources:
            parts = _relative(source).split("/")
            for start in range(len(parts)):
                suffix = "/".join(parts[start:])
                self._by_suffix[suffix] = None if suffix in self._by_suffix else source
            stem = bates_from_filename(source.filename)
            if stem is not None:
                self._by_stem[str(stem).lower()] = source

    def image(self, path: str) -> SourceFile | None:
        if path in self._images:
            return self._images[path]
        parts = [p for p in path.replace("\\", "/").lower().split("/") if p not in ("", ".")]
        found = None
        for start in range(len(parts)):
            found = self._by_suffix.get("/".join(parts[start:]))
            if found is not None:
                break
        self._images[path] = found
        return found

    def bates(self, bates: str) -> SourceFile | None:
        return self._by_stem.get(bates.lower())


def plan_load_files(sources: Sequence[SourceFile], read: Callable[[SourceFile], bytes]) -> LoadPlan:
    """Parse the load files among `sources` and return the files to read with what they carry."""
    loads = [s for s in sources if load_kind(s.filename) and s.refused is None]
    if not loads:
        return LoadPlan(list(sources))
    rest = [s for s in sources if not load_kind(s.filename)]
    plan = LoadPlan(rest)
    finder = _Finder(rest)
    first_image: dict[str, SourceFile] = {}  # a document's first Bates -> its file
    absorbed: set[str] = set()
    for load in sorted(loads, key=lambda s: load_kind(s.filename) != "opt"):  # OPTs before DATs
        try:
            data = read(load)
        except Exception as exc:  # noqa: BLE001 - an unreadable load file is a problem, not a crash
            plan.problems.append((load.storage_key, f"could not read the load file: {exc}"))
            continue
        if load_kind(load.filename) == "opt":
            _apply_opt(plan, finder, load.storage_key, data, first_image, absorbed)
        else:
            _apply_dat(plan, finder, load.storage_key, data, first_image)
    plan.sources = [s for s in plan.sources if s.storage_key not in absorbed]
    return plan


def _apply_opt(
    plan: LoadPlan,
    finder: _Finder,
    key: str,
    data: bytes,
    first_image: dict[str, SourceFile],
    absorbed: set[str],
) -> None:
    pages, problems = parse_opt(data)
    plan.problems.extend((key, f"line {n}: {reason}") for n, reason in problems)
    replaced: dict[str, SourceFile] = {}
    for document in opt_documents(pages):
        files: list[SourceFile] = []
        bates: list[str] = []  # of the pages whose image is there
        for page in document:
            found = finder.image(page.image)
            if found is None:
                plan.problems.append((key, f"line {page.line}: missing image {page.image} ({page.bates})"))
                continue
            bates.append(page.bates)
            if not files or files[-1].storage_key != found.storage_key:
                files.append(found)
        if not files:
            continue
        head = files[0]
        if len(files) > 1:  # single-page images: one document of many pages
            replaced[head.storage_key] = replace(head, parts=tuple(files[1:]))
            absorbed.update(f.storage_key for f in files[1:])
        load = plan.documents.setdefault(head.storage_key, DocumentLoad())
        load.bates = bates
        first_image[canonical_bates(document[0].bates).lower()] = head
    plan.sources = [replaced.get(s.storage_key, s) for s in plan.sources]


def _apply_dat(
    plan: LoadPlan, finder: _Finder, key: str, data: bytes, first_image: dict[str, SourceFile]
) -> None:
    dat = parse_dat(data)
    plan.problems.extend((key, f"line {n}: {reason}") for n, reason in dat.problems)
    for record in dat.records:
        begin = dat.value(record, BEGIN_NAMES)
        if begin is None:
            plan.problems.append((key, "a record without a Begin Bates field"))
            continue
        source = first_image.get(canonical_bates(begin).lower()) or finder.bates(begin)
        if source is None:
            plan.problems.append((key, f"no file for document {begin}"))
            continue
        fields = {name: value for name, value in record.items() if value != ""}
        plan.documents.setdefault(source.storage_key, DocumentLoad()).fields.update(fields)
