"""The read layer's typed models: what `--json`, `/api/v1` (as response models) and the templates render.

One model per thing a reader looks at (document, page, entity, network, status, data set, search
results). The CLI prints `model.model_dump(mode="json")`, the API returns the model itself (so
`/openapi.json` documents every body), and the templates read the same attributes.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr


class Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    def json_data(self) -> Any:
        """The model as JSON-ready data: what the CLI's `--json` prints and the API sends."""
        return self.model_dump(mode="json", by_alias=True)


class Paging(Model):
    page: int
    pages: int
    per_page: int
    total: int

    @property
    def first(self) -> int:
        """1-based index of the first item on this page (0 when there are none)."""
        return 0 if self.total == 0 else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return min(self.total, self.page * self.per_page)


def paging(page: int, per_page: int, total: int) -> Paging:
    return Paging(page=page, pages=max(1, -(-total // per_page)), per_page=per_page, total=total)


# ---------------------------------------------------------------- documents


class Page(Model):
    number: int
    text: str | None = None  # None where the listing leaves text out
    char_count: int
    text_source: str
    ocr_confidence: float | None = None
    quality: float | None = None
    bates: str | None = None
    bates_source: str | None = None
    width: float | None = None
    height: float | None = None
    redaction_count: int | None = None
    redactions: list[list[float]] = Field(default_factory=list, description="[x0, y0, x1, y1] in page points")
    error: str | None = None
    bates_printed: str | None = Field(default=None, description="the stamp printed, where it disagrees")
    hits: int = 0
    image_url: str = ""


class Source(Model):
    storage_key: str


class OtherCopy(Model):
    id: str
    dataset: str
    storage_key: str


class Person(Model):
    name: str | None = None
    address: str | None = None


class Email(Model):
    seq: int
    page: int
    sender: Person = Field(alias="from")
    to: list[Person] = Field(default_factory=list)
    cc: list[Person] = Field(default_factory=list)
    bcc: list[Person] = Field(default_factory=list)
    subject: str | None = None
    sent_at: str | None = None
    sent_raw: str | None = None
    kind: str | None = Field(default=None, description="header | original-message | on-wrote | forwarded")
    line: int | None = Field(default=None, description="the header's first line on its page")
    from_printed: str | None = None
    from_address_printed: str | None = None
    sent_clock: str | None = Field(default=None, description="the printed clock time, HH:MM")
    body_hash: str | None = None


class EmailRef(Email):
    """An e-mail header with the document it is printed in (entity pages)."""

    document_id: str
    filename: str


class MentionSpan(Model):
    page: int
    start: int
    end: int
    text: str
    rule: str | None = None


class DocumentEntity(Model):
    id: str
    type: str
    name: str
    count: int
    first_page: int
    first_anchor: str
    mentions: list[MentionSpan]


class EntityGroup(Model):
    type: str
    label: str
    count: int
    entities: list[DocumentEntity]


class DocumentEntities(Model):
    extracted: bool
    total: int
    groups: list[EntityGroup]


class Processing(Model):
    state: str  # ok | processing | failed
    message: str


class SearchInPage(Model):
    number: int
    bates: str | None
    hits: int


class DocumentSearch(Model):
    q: str
    terms: list[str]
    total_hits: int
    pages: list[SearchInPage]


class DocumentLinks(Model):
    html: str
    original: str
    api: str


# ---------------------------------------------------------------- evidence (issue 13)


class LoadField(Model):
    """One load-file (DAT) field of a document, its name as the load file writes it."""

    name: str
    value: str


class FamilyMember(Model):
    id: str
    bates: str | None = None
    filename: str


class Attachments(Model):
    """The family a load file's attachment range gives: the parent, or the attachments."""

    parent: FamilyMember | None = None
    children: list[FamilyMember] = Field(default_factory=list)


class Copy(Model):
    id: str
    dataset: str
    filename: str
    bates_first: str | None = None
    bates_last: str | None = None
    canonical: bool = Field(description="the most complete copy of the cluster")
    exact: bool = Field(description="byte for byte the same file as this document")
    url: str


class Copies(Model):
    """The document's near-duplicate cluster (`cluster` null before the near-duplicate stage ran)."""

    cluster: str | None = None
    count: int = Field(default=0, description="documents in the cluster, this one included")
    canonical: str | None = Field(default=None, description="id of the most complete copy")
    copies: list[Copy] = Field(default_factory=list, description="the other copies")


class RedactionDiff(Model):
    """One page against one copy of it where either is redacted: what each shows that the other hides."""

    page: int
    bates: str | None = None
    redactions: int
    other_document: str
    other_page: int
    other_bates: str | None = None
    other_redactions: int
    revealed_by_other: list[str] = Field(description="words the other copy prints where this one differs")
    revealed_here: list[str] = Field(description="words this copy prints where the other differs")
    url: str


class ThreadRef(Model):
    """A thread a document's printed messages belong to."""

    id: str
    messages: int
    url: str


class ThreadAppearance(Model):
    """Where a message is printed: the page to cite."""

    document_id: str
    filename: str
    dataset: str
    page: int
    position: int = Field(description="0 for the document's top message, 1 for the first quoted one, ...")
    bates: str | None = None
    url: str


class ThreadMessage(Model):
    id: str = Field(description="the message key: `<document id>:<position>` of its first appearance")
    sender: str | None = None
    sent: str | None = Field(default=None, description="the printed clock, to the minute")
    subject: str | None = None
    reply_to: str | None = Field(default=None, description="the id of the message it quotes or answers")
    depth: int = Field(description="its depth in the thread's tree (0 for a root)")
    appearances: list[ThreadAppearance]


class ThreadLinks(Model):
    html: str
    api: str


class Thread(Model):
    """An e-mail thread (`thread ID --json`, `/api/v1/threads/{id}`): its tree in reading order
    (each message after the one it replies to), each message once with every page it is printed on."""

    id: str
    subject: str | None = None
    message_count: int
    appearance_count: int
    messages: list[ThreadMessage]
    links: ThreadLinks


class TimelineFilters(Model):
    start: str = ""
    end: str = ""
    entity: str = ""
    sender: str = ""
    dataset: str = ""


class TimelineMonth(Model):
    month: str
    count: int
    url: str = Field(description="the timeline narrowed to this month")


class TimelineEvent(Model):
    when: str = Field(description="ISO date-time to the minute")
    kind: str = Field(description="`e-mail`, `document`, or `load file <field>`")
    label: str
    document_id: str
    page: int
    bates: str | None = None
    dataset: str
    filename: str
    thread: str | None = None
    url: str


class Timeline(Model):
    """Dated events with citations and a histogram by month (`timeline --json`, `/api/v1/timeline`)."""

    filters: TimelineFilters
    total: int
    histogram: list[TimelineMonth]
    max_count: int
    events: list[TimelineEvent]
    truncated: bool = Field(description="more events matched than are listed")


class Document(Model):
    """A document with its pages, e-mail headers and entities (`show --json`, `/api/v1/documents/{id}`)."""

    id: str
    dataset: str
    filename: str
    storage_key: str
    md5: str
    sha256: str
    size_bytes: int
    mime_type: str
    page_count: int
    status: str
    error: str | None = None
    notes: str | None = None
    pipeline_version: str
    created_at: str | None = None
    updated_at: str | None = None
    bates_first: str | None = None
    bates_last: str | None = None
    doc_type: str | None = None
    language: str | None = None
    title: str | None = None
    doc_date: str | None = None
    enriched_at: str | None = None
    page: int | None = Field(default=None, description="the page a Bates number named, when looked up by one")
    processing: Processing
    sources: list[Source]
    also_in: list[OtherCopy]
    email: Email | None = Field(
        default=None, description="the document's own header (seq 0), if it is an e-mail"
    )
    emails: list[Email]
    entities: DocumentEntities
    pages: list[Page]
    search: DocumentSearch
    links: DocumentLinks
    # the evidence layer (issue 13): load-file fields, attachments, near-duplicate copies, what other
    # copies reveal under this one's redactions, the e-mail threads it belongs to
    fields: list[LoadField] = Field(default_factory=list)
    attachments: Attachments = Field(default_factory=Attachments)
    copies: Copies = Field(default_factory=Copies)
    redaction_diff: list[RedactionDiff] = Field(default_factory=list)
    threads: list[ThreadRef] = Field(default_factory=list)
    _hit_spans: dict[int, list[tuple[int, int]]] = PrivateAttr(default_factory=dict)


class Located(Model):
    bates: str | None = None
    document_id: str
    page: int | None
    url: str
    api: str


# ---------------------------------------------------------------- entities


class EntitySummary(Model):
    id: str
    type: str
    name: str
    hidden: bool
    mention_count: int
    document_count: int


class EntityList(Model):
    type: str | None
    filter: str = ""
    entities: list[EntitySummary]
    paging: Paging


class Alias(Model):
    text: str
    count: int


class EntityDocument(Model):
    id: str
    filename: str
    dataset: str
    doc_type: str | None = None
    bates_first: str | None = None
    doc_date: str | None = None
    mentions: int


class Snippet(Model):
    before: str
    match: str
    after: str


class EntityMention(Model):
    id: int
    document_id: str
    page_number: int
    start: int
    end: int
    bates: str | None = None
    filename: str
    dataset: str
    snippet: Snippet


class CoMention(Model):
    id: str
    type: str
    name: str
    documents: int


class LinkCount(Model):
    """An address a person wrote from or to (or a name an address was used under), and how often."""

    value: str
    count: int


class MonthCount(Model):
    month: str
    mentions: int


class EntityLinks(Model):
    html: str
    api: str
    network: str
    all_documents: str = Field(default="", description="a search for every document that mentions it")


class Entity(EntitySummary):
    """An entity (`entity X --json`, `/api/v1/entities/{id}`)."""

    key: str
    aliases: list[Alias]
    rules: dict[str, int]
    documents: list[EntityDocument] = Field(
        description="the documents with most mentions (at most 50; links.all_documents finds all)"
    )
    mentions: list[EntityMention]
    paging: Paging
    co_mentions: list[CoMention]
    linked: list[LinkCount] = Field(description="addresses of a person, or names of an address")
    emails_sent: list[EmailRef] = Field(description="the first 25 by date")
    emails_received: list[EmailRef] = Field(description="the first 25 by date")
    emails_sent_total: int = 0
    emails_received_total: int = 0
    timeline: list[MonthCount]
    links: EntityLinks


class Node(Model):
    id: str
    name: str
    type: str
    center: bool
    documents: int = 0


class Edge(Model):
    source: str
    target: str
    documents: int


class Network(Model):
    center: EntitySummary
    nodes: list[Node]
    edges: list[Edge]
    min_shared: int = 1
    types: list[str] = Field(default_factory=list)


class SharedDocuments(Model):
    a: EntitySummary
    b: EntitySummary
    documents: list[EntityDocument]


# ---------------------------------------------------------------- archive


class DatasetSummary(Model):
    name: str
    documents: int
    ok: int
    pages: int
    failed: int
    enriched: int
    last_update: str | None = None
    bates_first: str | None = None
    bates_last: str | None = None


class Totals(Model):
    documents: int
    ok: int
    failed: int
    pages: int
    enriched: int = Field(description="documents (not failed) whose entities and e-mails are extracted")
    last_update: str | None = None


class FailedFile(Model):
    id: str
    dataset: str
    filename: str
    storage_key: str
    error: str | None = None


class IndexState(Model):
    engine: str
    exists: bool
    pages: int
    documents_indexed: int
    documents_pending: int
    documents_orphaned: int
    needs_rebuild: str | None = None
    in_step: bool
    summary: str


class Queue(Model):
    datasets: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="per data set: files queued, running, done, failed"
    )
    workers: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="per worker: files running, done, failed"
    )


class Status(Model):
    """Ingest status (`status --json`, `/api/v1/status`)."""

    totals: Totals
    pages_by_source: dict[str, int]
    entities: int
    mentions: int
    datasets: list[DatasetSummary]
    failed: list[FailedFile]
    search_index: IndexState
    queue: Queue = Field(default_factory=Queue, description="files handed to the queue")


class Home(Model):
    totals: Totals
    entities: int
    datasets: list[DatasetSummary]
    failed: list[FailedFile]
    top_entities: list[EntitySummary]


class TypeCount(Model):
    type: str | None
    documents: int


class DocumentRow(Model):
    id: str
    dataset: str
    filename: str
    doc_type: str | None = None
    title: str | None = None
    doc_date: str | None = None
    page_count: int
    size_bytes: int
    status: str
    error: str | None = None
    bates_first: str | None = None
    bates_last: str | None = None


class DatasetSort(Model):
    by: str
    order: str
    type: str | None = None


class Dataset(Model):
    dataset: DatasetSummary
    types: list[TypeCount]
    documents: list[DocumentRow]
    paging: Paging
    sort: DatasetSort
    failed: list[FailedFile]


# ---------------------------------------------------------------- search


class HitSnippet(Model):
    text: str
    highlights: list[list[int]]
    html: str


class HitCopy(Model):
    document_id: str
    page: int
    bates: str | None = None
    dataset: str
    filename: str
    citation: str


class Hit(Model):
    document_id: str
    dataset: str
    filename: str
    page: int
    bates: str | None = None
    citation: str
    doc_type: str | None = None
    date: str | None = None
    score: float
    snippet: HitSnippet | None = None
    url: str = ""
    copies: list[HitCopy] = Field(default_factory=list, description="near-identical pages collapsed into it")
    copy_count: int = Field(default=1, description="pages in its near-duplicate cluster")


class ResultGroup(Model):
    """Hits of one document: its title (e-mail subject and sender, else file name) and best pages."""

    document_id: str
    title: str
    sender: str | None = None
    date: str | None = None
    dataset: str
    filename: str
    doc_type: str | None = None
    matching_pages: int
    hits: list[Hit]
    more_hits: int = Field(default=0, description="matching pages of this document beyond the ones shown")
    copy_count: int = Field(default=1, description="documents in its near-duplicate cluster, itself included")
    also_in: list[OtherCopy] = Field(
        default_factory=list,
        description="its copies (near-identical documents, the same file in other data sets), collapsed "
        "into it",
    )


class Facet(Model):
    value: str
    count: int
    refine: str
    selected: bool = False


class SearchResults(Model):
    """One page of results (`search --json`, `/api/v1/search`)."""

    query: str
    total: int = Field(description="matching pages")
    result_count: int = Field(
        default=0,
        description="results over all pages: pages, or groups (documents; copies collapsed) when "
        "grouped or collapsed",
    )
    result_count_exact: bool = Field(default=True, description="false: result_count is a lower bound")
    took_ms: float = 0.0
    warnings: list[str] = Field(default_factory=list)
    next_cursor: str | None = None
    sort: str = "relevance"
    group: str = "page"
    copies: str = Field(default="collapse", description="collapse: copies are one result; all: every copy")
    filters: list[str] = Field(default_factory=list, description="facet clauses the query is narrowed by")
    hits: list[Hit] = Field(default_factory=list)
    groups: list[ResultGroup] | None = Field(default=None, description="set when grouped by document")
    facets: dict[str, list[Facet]] = Field(default_factory=dict)
