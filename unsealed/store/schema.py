"""The archive's tables (SQLAlchemy Core): one schema for SQLite and PostgreSQL.

Column meanings are documented in docs/architecture.md. Text columns that hold JSON are plain TEXT so
the SQLite file stays readable by Datasette and `sqlite3`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("id", String(36), primary_key=True),  # uuid5(dataset, sha256): stable for the same content
    Column("dataset", String(200), nullable=False),
    Column("filename", Text, nullable=False),
    Column("storage_key", Text, nullable=False),
    Column("source_path", Text, nullable=False),
    Column("md5", String(32), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("mime_type", String(200), nullable=False),
    Column("page_count", Integer, nullable=False, default=0),
    Column("status", String(20), nullable=False),  # ok | failed
    Column("error", Text),
    Column("notes", Text),  # what reading the file took, e.g. "repaired by qpdf" (the text may be partial)
    Column("pipeline_version", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("bates_first", String(40)),
    Column("bates_last", String(40)),
    # Filled by document analysis / enrichment (later stages); NULL until then.
    Column("doc_type", String(40)),
    Column("language", String(16)),
    Column("title", Text),
    Column("doc_date", DateTime(timezone=True)),
    Column("enriched_at", DateTime(timezone=True)),  # entity mentions found (resolution bumps it)
    Column("emails_at", DateTime(timezone=True)),  # printed e-mail headers parsed (migration 0020)
    UniqueConstraint("dataset", "sha256", name="uq_documents_dataset_sha256"),
)
Index("ix_documents_sha256", documents.c.sha256)
Index("ix_documents_storage_key", documents.c.storage_key)
Index("ix_documents_filename", documents.c.filename)
Index("ix_documents_bates_first", documents.c.bates_first)
Index("ix_documents_status", documents.c.status)
Index("ix_documents_dataset_bates", documents.c.dataset, documents.c.bates_first)  # data set pages

# Every path a document's content was found at (a data set may hold the same bytes twice).
document_sources = Table(
    "document_sources",
    metadata,
    Column("document_id", String(36), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("storage_key", Text, primary_key=True),
    Column("source_path", Text, nullable=False),
    Column("first_seen", DateTime(timezone=True), nullable=False),
)
Index("ix_document_sources_storage_key", document_sources.c.storage_key)

pages = Table(
    "pages",
    metadata,
    Column("document_id", String(36), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),  # 1-based
    Column("text", Text, nullable=False, default=""),
    Column("char_count", Integer, nullable=False, default=0),
    Column("text_source", String(40), nullable=False),  # layer | ocr:<engine> | none
    Column("ocr_confidence", Float),  # 0-1, mean word confidence of the OCR engine
    Column("quality", Float),  # 0-1 text-quality score of the kept text
    Column("bates", String(40)),
    Column("bates_source", String(10)),  # stamped | inferred | loadfile
    Column("bates_printed", String(40)),  # the printed stamp where it disagrees with the load file
    Column("control_numbers", Text),  # secondary control numbers printed on it, space-separated
    Column("width", Float),  # page size in PDF points
    Column("height", Float),
    Column("redaction_count", Integer),
    Column("redactions", Text),  # JSON list of [x0, y0, x1, y1] boxes in page points
    Column("error", Text),  # a page-level problem (OCR time limit, ...) that did not fail the document
    Column("layer_text", Text),  # the file's own text layer, kept when OCR text replaced it
    Column("word_boxes", LargeBinary),  # OCR pages: words' spans in `text` and boxes (analysis/word_boxes.py)
)
Index("ix_pages_bates", pages.c.bates)

# Load-file (DAT) fields of a document, as the release's load file names them.
document_fields = Table(
    "document_fields",
    metadata,
    Column("document_id", String(36), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("name", Text, primary_key=True),  # as the DAT header writes it: "BegBates", "Custodian"
    Column("key", Text, nullable=False),  # the name in lower-case letters and digits: "begbates"
    Column("value", Text, nullable=False),
)
Index("ix_document_fields_key_value", document_fields.c.key, document_fields.c.value)

# Problems found in a data set's load files (malformed lines, missing images), per load file.
load_problems = Table(
    "load_problems",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dataset", String(200), nullable=False),
    Column("load_file", Text, nullable=False),  # its storage key
    Column("problem", Text, nullable=False),
)
Index("ix_load_problems_dataset", load_problems.c.dataset)

# Near-duplicate clusters (MinHash LSH): one row per document or page; canonical = most complete copy.
# `id` numbers the text for the band index (SQLite: the rowid, so the index's join is a rowid look-up).
near_duplicates = Table(
    "near_duplicates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", String(36), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("page_number", Integer, nullable=False),  # 0 = the whole document, 1.. = a page
    Column("cluster", String(48), nullable=False),  # the id of the cluster's first member (":N": a page)
    Column("canonical", Boolean, nullable=False),
    Column("signature", LargeBinary),  # MinHash values (uint32, little-endian); NULL: too few words
    Column("similarity", Float),  # estimated Jaccard with the copy it matched when it joined
    Column("bands", LargeBinary),  # its LSH band keys (int64, little-endian), as in near_duplicate_bands
    UniqueConstraint("document_id", "page_number", name="uq_near_duplicates_text"),
)
Index("ix_near_duplicates_cluster", near_duplicates.c.cluster)

# The LSH bands of the clustered texts: texts sharing a band are candidates (incremental look-up).
# Two integers, one clustered key and no other index (SQLite: WITHOUT ROWID), so the 16 rows a
# page adds are small and the look-up joins near_duplicates on its integer key. No foreign key:
# the near-duplicate stage removes a text's rows itself (`forget`, by band and id: indexed).
near_duplicate_bands = Table(
    "near_duplicate_bands",
    metadata,
    Column("band", BigInteger, primary_key=True),
    Column("text_id", Integer, primary_key=True),  # near_duplicates.id
    sqlite_with_rowid=False,
)

# The same, for texts clustered lately (an LSM-style second level): a small batch's rows go here,
# where they fill a few pages, instead of landing on most of the large index's pages; merged into
# near_duplicate_bands when it passes a few per cent of it. Look-ups read both.
near_duplicate_recent_bands = Table(
    "near_duplicate_recent_bands",
    metadata,
    Column("band", BigInteger, primary_key=True),
    Column("text_id", Integer, primary_key=True),  # near_duplicates.id
    sqlite_with_rowid=False,
)

# Printed e-mail headers found in a document (one row per message of a chain).
emails = Table(
    "emails",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", String(36), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),  # position: 0 = the top message, 1.. = quoted ones
    Column("page_number", Integer, nullable=False),
    Column("sender_name", Text),  # normalised name (`Last, First` → `First Last`)
    Column("sender_address", Text),  # normalised address (OCR fixes where unambiguous)
    Column("recipients", Text),  # JSON: {"to": [{"name", "address"}], "cc": [...], "bcc": [...]}
    Column("subject", Text),
    Column("sent_at", DateTime(timezone=True)),  # UTC
    Column("sent_raw", Text),  # the date as printed
    Column("line", Integer),  # 0-based line of its header on its page
    Column("kind", String(20)),  # header | original-message | on-wrote | forwarded
    Column("sender", Text),  # the From value as printed
    Column("sender_address_printed", Text),
    Column("sent_clock", DateTime),  # the printed clock, to the minute, no zone conversion
    Column("body_hash", String(64)),  # SHA-256 of the body without quoted parts
    UniqueConstraint("document_id", "seq", name="uq_emails_document_seq"),
)
Index("ix_emails_sender_address", emails.c.sender_address)
Index("ix_emails_body_hash", emails.c.body_hash)

# Who each printed e-mail names, one row per message, role and matching key: a person's name key or
# an address in lower case (owned by enrich/email_people.py; an entity's e-mails by its alias keys).
email_people = Table(
    "email_people",
    metadata,
    Column("document_id", String(36), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("seq", Integer, primary_key=True),  # = emails.seq
    Column("role", String(4), primary_key=True),  # from | to | cc | bcc
    Column("key", Text, primary_key=True),
    Column("other", Text),  # printed beside it: the address beside a name, the name beside an address
    Column("sent_at", DateTime(timezone=True)),  # = emails.sent_at: an entity's first e-mails by date
    sqlite_with_rowid=False,
)
# a key's first e-mails by date read in order (no join and sort of all of them); the addresses
# (names) printed beside a key from the index alone
Index(
    "ix_email_people_dated",
    email_people.c.key,
    email_people.c.role,
    email_people.c.sent_at,
    email_people.c.document_id,
    email_people.c.seq,
)
Index("ix_email_people_other", email_people.c.key, email_people.c.other)

# E-mail threads: each printed message's fingerprint, the message it is one appearance of, the
# message it quotes, and its thread (owned by pipeline/thread_stage.py).
email_threads = Table(
    "email_threads",
    metadata,
    Column("document_id", String(36), ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),  # = emails.seq
    Column("page_number", Integer, nullable=False),
    Column("sender", Text, nullable=False),  # normalised sender words ("" when redacted)
    Column("sender_display", Text),  # the name or address to show
    Column("clock", DateTime),  # printed clock, to the minute
    Column("minute", Integer),  # the clock's minute (the look-up key: time zones shift whole hours)
    Column("subject", Text, nullable=False),  # normalised, without Re:/Fw:
    Column("subject_display", Text),
    Column("body", LargeBinary),  # MinHash of the body without quotes
    Column("body_size", Integer),  # its distinct shingles
    Column("printed", LargeBinary),  # MinHash of the body with its `>` quotes, where it has some
    Column("printed_size", Integer),
    Column("recipients", Text),  # To/CC normalised as `sender`, one a line
    Column("replying", Boolean),  # the subject printed with Re:/Fw:
    Column("message", Text, nullable=False),  # "<document id>:<position>" of its first appearance
    Column("reply_to", Text),  # the message it quotes
    Column("thread", String(12), nullable=False),
)
Index("ix_email_threads_thread", email_threads.c.thread)
Index("ix_email_threads_minute", email_threads.c.minute, email_threads.c.clock)
Index("ix_email_threads_subject", email_threads.c.subject)

entities = Table(
    "entities",
    metadata,
    Column("id", String(36), primary_key=True),  # deterministic: uuid5(type, normalised key)
    Column("type", String(20), nullable=False),  # PERSON | ORG | LOCATION | EMAIL | PHONE | URL
    Column("name", Text, nullable=False),  # canonical display form
    Column("key", Text, nullable=False),  # normalised matching key
    Column("hidden", Boolean, nullable=False, default=False),
    Column("mention_count", Integer, nullable=False, default=0),
    Column("document_count", Integer, nullable=False, default=0),
    UniqueConstraint("type", "key", name="uq_entities_type_key"),
)
Index("ix_entities_name", entities.c.name)

mentions = Table(
    "mentions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("document_id", String(36), ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("page_number", Integer, nullable=False),
    Column("start", Integer, nullable=False),  # character span in the page's text
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),  # surface form as printed
    Column("type", String(20), nullable=False),
    Column("extractor", String(40), nullable=False),  # spacy:<model> | pattern:email | ...
    Column("entity_id", String(36), ForeignKey("entities.id", ondelete="SET NULL")),
    Column("rule", String(40)),  # which resolution rule linked it to its entity
)
# Each index also holds the other side, so co-mention counts and an entity's documents are read from
# the indexes alone (migration 0004).
Index("ix_mentions_document", mentions.c.document_id, mentions.c.page_number, mentions.c.entity_id)
Index("ix_mentions_entity", mentions.c.entity_id, mentions.c.document_id)
Index("ix_mentions_entity_order", mentions.c.entity_id, mentions.c.id)  # an entity's page of mentions

# Summaries of the mention links, written with them by resolution (owned by store/entity_links.py):
# how many mentions each document has of each entity, and how many documents each pair of entities
# shares (both directions). An entity's page reads its documents, timeline and co-mentions from
# these instead of every mention. No foreign keys on purpose: a row that outlives its document or
# entity is corrected by the next resolution, and readers join to the live rows.
document_entities = Table(
    "document_entities",
    metadata,
    Column("entity_id", String(36), primary_key=True),
    Column("document_id", String(36), primary_key=True),
    Column("mentions", Integer, nullable=False),
    Column("month", String(7)),  # 'YYYY-MM' of the document's date, else its e-mail's (the timeline)
    sqlite_with_rowid=False,
)
Index("ix_document_entities_ranked", document_entities.c.entity_id, document_entities.c.mentions)
Index("ix_document_entities_document", document_entities.c.document_id, document_entities.c.month)

# the timeline: each entity's mentions per month (the sums of document_entities by month, dated
# documents only), so an entity page reads its ~160 months instead of summing a hub's thousands of
# documents on every request
entity_months = Table(
    "entity_months",
    metadata,
    Column("entity_id", String(36), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("mentions", Integer, nullable=False),
    sqlite_with_rowid=False,
)

entity_pairs = Table(
    "entity_pairs",
    metadata,
    Column("entity_id", String(36), primary_key=True),
    Column("other_id", String(36), primary_key=True),
    Column("documents", Integer, nullable=False),  # documents mentioning both
    sqlite_with_rowid=False,
)
Index("ix_entity_pairs_ranked", entity_pairs.c.entity_id, entity_pairs.c.documents)

# and each entity's surface forms as printed, per resolution rule (its aliases and rules). The form
# is not in a key: mention text has no length limit, PostgreSQL's index entries have.
entity_forms = Table(
    "entity_forms",
    metadata,
    Column("entity_id", String(36), nullable=False),
    Column("text", Text, nullable=False),
    Column("rule", String(40), nullable=False),
    Column("mentions", Integer, nullable=False),
)
Index("ix_entity_forms_entity", entity_forms.c.entity_id)

# Curator decisions (merge / split / hide) replayed after every re-resolution.
curations = Table(
    "curations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action", String(20), nullable=False),
    Column("args", Text, nullable=False),  # JSON
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Which version of each document the search index holds (owned by unsealed/search/indexer.py).
# No foreign key on purpose: a row that outlives its document tells the indexer what to delete.
search_index_state = Table(
    "search_index_state",
    metadata,
    Column("document_id", String(36), primary_key=True),
    Column("generation", Integer, nullable=False),  # the index build it is in (unsealed-index.json)
    Column("doc_updated_at", DateTime(timezone=True)),  # documents.updated_at when indexed
    Column("doc_enriched_at", DateTime(timezone=True)),  # documents.enriched_at when indexed
    Column("page_count", Integer, nullable=False),
    Column("indexed_at", DateTime(timezone=True), nullable=False),
)

# Files handed to the Celery queue (`unsealed ingest --queue`): one row per data set and storage
# key, so that any machine can follow a run, and a worker can tell a redelivered file it already
# recorded (idempotent by data set and sha256). Owned by unsealed/store/work.py.
work_items = Table(
    "work_items",
    metadata,
    Column("dataset", String(200), primary_key=True),
    Column("storage_key", Text, primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("md5", String(32), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("source_path", Text, nullable=False),  # where the enqueuing machine found it
    Column("state", String(20), nullable=False),  # queued | running | done | failed
    Column("attempts", Integer, nullable=False, default=0),  # deliveries to a worker so far
    Column("worker", String(200)),  # the Celery worker (hostname) that last took it
    Column("document_id", String(36)),
    Column("action", String(20)),  # the writer's outcome: added | updated | duplicate | unchanged
    Column("pages", Integer),
    Column("ocr_pages", Integer),
    Column("error", Text),  # why it failed (or why the last attempt failed, while it is retried)
    Column("queued_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
)
Index("ix_work_items_dataset_state", work_items.c.dataset, work_items.c.state)
