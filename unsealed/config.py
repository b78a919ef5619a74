"""Settings, read once from environment variables (UNSEALED_*) and overridden by CLI flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal, TypeVar

from unsealed.errors import ConfigError

N = TypeVar("N", int, float)


def _env_number(name: str, default: N) -> N:
    """The variable parsed as the default's type (int or float); the default when unset or empty."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    kind = type(default)
    try:
        return kind(raw)
    except ValueError as exc:
        raise ConfigError(
            f"{name} must be {'an integer' if kind is int else 'a number'}, got {raw!r}"
        ) from exc


DEFAULT_ENGINE = "tesseract"


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


OcrMode = Literal["auto", "always", "never"]
OCR_MODES: tuple[str, ...] = ("auto", "always", "never")


@dataclass(frozen=True)
class PageOptions:
    """How pages are read; plain data, so it travels to worker processes."""

    ocr_mode: OcrMode = "auto"
    engine: str = DEFAULT_ENGINE
    ocr_dpi: float = 300.0
    page_timeout_s: float = 60.0  # one page's OCR; past it the page keeps its layer, with a reason
    document_timeout_s: float = 600.0  # all OCR of one document; later pages are not OCR'd
    min_layer_quality: float = 0.8  # auto mode: a layer scoring this much is kept without OCR
    detect_redactions: bool = True

    def __post_init__(self) -> None:
        if self.ocr_mode not in OCR_MODES:
            raise ConfigError(f"OCR mode must be one of {', '.join(OCR_MODES)}, got {self.ocr_mode!r}")

    @classmethod
    def from_env(cls) -> PageOptions:
        """UNSEALED_OCR, UNSEALED_OCR_ENGINE, UNSEALED_OCR_DPI, UNSEALED_OCR_PAGE_TIMEOUT,
        UNSEALED_OCR_DOCUMENT_TIMEOUT, UNSEALED_OCR_MIN_LAYER_QUALITY, UNSEALED_REDACTIONS (0/1)."""
        return cls(
            ocr_mode=_env("UNSEALED_OCR", cls.ocr_mode),  # type: ignore[arg-type]
            engine=_env("UNSEALED_OCR_ENGINE", cls.engine),
            ocr_dpi=_env_number("UNSEALED_OCR_DPI", cls.ocr_dpi),
            page_timeout_s=_env_number("UNSEALED_OCR_PAGE_TIMEOUT", cls.page_timeout_s),
            document_timeout_s=_env_number("UNSEALED_OCR_DOCUMENT_TIMEOUT", cls.document_timeout_s),
            min_layer_quality=_env_number("UNSEALED_OCR_MIN_LAYER_QUALITY", cls.min_layer_quality),
            detect_redactions=_env("UNSEALED_REDACTIONS", "1") not in ("0", "false", "no"),
        )

    def with_overrides(self, **changes: object) -> PageOptions:
        """A copy with the given fields replaced; None values (flag not given) are ignored."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Limits:
    """Per-file limits: a file past one of them is recorded as failed with the reason."""

    max_file_bytes: int = 2 * 1024**3
    max_pages: int = 20_000
    file_timeout_s: float = 900.0
    worker_memory_bytes: int = 4 * 1024**3

    @classmethod
    def from_env(cls) -> Limits:
        return cls(
            max_file_bytes=_env_number("UNSEALED_MAX_FILE_BYTES", cls.max_file_bytes),
            max_pages=_env_number("UNSEALED_MAX_PAGES", cls.max_pages),
            file_timeout_s=_env_number("UNSEALED_FILE_TIMEOUT", cls.file_timeout_s),
            worker_memory_bytes=_env_number("UNSEALED_WORKER_MEMORY", cls.worker_memory_bytes),
        )


def database_url() -> str | None:
    """UNSEALED_DATABASE_URL: a PostgreSQL URL that holds the records instead of the archive folder."""
    return os.environ.get("UNSEALED_DATABASE_URL") or None


def storage_url() -> str | None:
    """UNSEALED_STORAGE: an fsspec URL (s3://BUCKET/PREFIX with the standard AWS_ENDPOINT_URL,
    AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) that holds the blobs instead of the archive folder."""
    return os.environ.get("UNSEALED_STORAGE") or None


DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class QueueSettings:
    """The Celery queue (`unsealed worker`, `unsealed ingest --queue`)."""

    broker_url: str = DEFAULT_BROKER_URL
    result_backend: str | None = None  # default: the Redis broker itself, or rpc:// for RabbitMQ
    queue: str = "unsealed"
    retries: int = 2  # a file's reading retried this often (time limit, crash, store or database errors)
    retry_delay_s: float = 2.0
    max_lost: int = 3  # a file whose worker is lost this often (kill -9, OOM) is recorded failed
    restore_interval_s: float = 10.0  # how often Redis workers look for messages of lost workers
    poll_s: float = 0.5  # how often `ingest --queue` looks at the progress in the database
    visibility_timeout: float | None = None  # default: twice the file time limit, plus a minute

    @classmethod
    def from_env(cls) -> QueueSettings:
        """UNSEALED_BROKER_URL, UNSEALED_RESULT_BACKEND, UNSEALED_QUEUE, UNSEALED_TASK_RETRIES,
        UNSEALED_TASK_RETRY_DELAY, UNSEALED_MAX_LOST, UNSEALED_RESTORE_INTERVAL,
        UNSEALED_VISIBILITY_TIMEOUT."""
        return cls(
            broker_url=_env("UNSEALED_BROKER_URL", cls.broker_url),
            result_backend=os.environ.get("UNSEALED_RESULT_BACKEND") or None,
            queue=_env("UNSEALED_QUEUE", cls.queue),
            retries=_env_number("UNSEALED_TASK_RETRIES", cls.retries),
            retry_delay_s=_env_number("UNSEALED_TASK_RETRY_DELAY", cls.retry_delay_s),
            max_lost=_env_number("UNSEALED_MAX_LOST", cls.max_lost),
            restore_interval_s=_env_number("UNSEALED_RESTORE_INTERVAL", cls.restore_interval_s),
            visibility_timeout=_env_number("UNSEALED_VISIBILITY_TIMEOUT", 0.0) or None,
        )

    def visibility_timeout_s(self, limits: Limits) -> float:
        """How long the broker waits for an unacknowledged message before it hands it to another
        worker: longer than a file's time limit (one reading with retries), so that no live worker's
        file is handed out twice. UNSEALED_VISIBILITY_TIMEOUT sets it (a worker lost mid-file is
        then replaced sooner); one not longer than the file limit is refused."""
        if self.visibility_timeout is None:
            return 2 * limits.file_timeout_s + 60.0
        if self.visibility_timeout <= limits.file_timeout_s:
            raise ConfigError(
                f"UNSEALED_VISIBILITY_TIMEOUT ({self.visibility_timeout:g} s) must be longer than "
                f"UNSEALED_FILE_TIMEOUT ({limits.file_timeout_s:g} s): a file still being read "
                "would be handed to a second worker"
            )
        return self.visibility_timeout


@dataclass(frozen=True)
class ZipLimits:
    """Bomb limits for data-set zips: a member past one is refused and recorded as failed."""

    max_members: int = 1_000_000  # a zip with more members is refused whole
    max_ratio: float = 200.0  # uncompressed / compressed size of one member
    max_total_bytes: int = 500 * 1024**3  # the sum of the members' uncompressed sizes
    max_member_bytes: int = 2 * 1024**3  # one member, uncompressed (also bounded while reading)

    @classmethod
    def from_env(cls) -> ZipLimits:
        """UNSEALED_ZIP_MAX_MEMBERS, UNSEALED_ZIP_MAX_RATIO, UNSEALED_ZIP_MAX_TOTAL_BYTES,
        UNSEALED_ZIP_MAX_MEMBER_BYTES."""
        return cls(
            max_members=_env_number("UNSEALED_ZIP_MAX_MEMBERS", cls.max_members),
            max_ratio=_env_number("UNSEALED_ZIP_MAX_RATIO", cls.max_ratio),
            max_total_bytes=_env_number("UNSEALED_ZIP_MAX_TOTAL_BYTES", cls.max_total_bytes),
            max_member_bytes=_env_number("UNSEALED_ZIP_MAX_MEMBER_BYTES", cls.max_member_bytes),
        )


@dataclass(frozen=True)
class DedupOptions:
    """Near-duplicate clustering (MinHash LSH): shingle size, permutations, Jaccard threshold."""

    shingle: int = 3  # words per shingle
    permutations: int = 64
    rows: int = 4  # MinHash values per LSH band (permutations / rows bands)
    threshold: float = 0.6  # estimated Jaccard similarity at which two texts are copies (bench/dedup.py)

    @classmethod
    def from_env(cls) -> DedupOptions:
        """UNSEALED_DEDUP_SHINGLE, UNSEALED_DEDUP_PERMUTATIONS, UNSEALED_DEDUP_ROWS,
        UNSEALED_DEDUP_THRESHOLD."""
        return cls(
            shingle=_env_number("UNSEALED_DEDUP_SHINGLE", cls.shingle),
            permutations=_env_number("UNSEALED_DEDUP_PERMUTATIONS", cls.permutations),
            rows=_env_number("UNSEALED_DEDUP_ROWS", cls.rows),
            threshold=_env_number("UNSEALED_DEDUP_THRESHOLD", cls.threshold),
        )


MAX_WEB_WORKERS = 8  # each server process holds its own connections, caches and page renderers


def default_web_workers() -> int:
    """Server processes `unsealed serve` starts: one per CPU, at most MAX_WEB_WORKERS."""
    return max(1, min(MAX_WEB_WORKERS, os.cpu_count() or 1))


@dataclass(frozen=True)
class Settings:
    archive_dir: Path = Path("archive")
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    limits: Limits = field(default_factory=Limits)
    pages: PageOptions = field(default_factory=PageOptions)  # OCR mode/engine, limits, redactions
    queue: QueueSettings = field(default_factory=QueueSettings)
    zips: ZipLimits = field(default_factory=ZipLimits)
    dedup: DedupOptions | None = field(default_factory=DedupOptions)  # None: no signatures at ingest
    page_image_cache_bytes: int = 256 * 1024**2  # UNSEALED_PAGE_IMAGE_CACHE_MB: rendered page images kept
    render_workers: int = field(
        default_factory=lambda: min(4, os.cpu_count() or 1)
    )  # UNSEALED_RENDER_WORKERS
    follow_links: bool = False  # UNSEALED_FOLLOW_LINKS: read symlinked files that stay inside the input
    web_workers: int = field(default_factory=default_web_workers)  # UNSEALED_WEB_WORKERS
    fault: str = ""  # UNSEALED_FAULT: tests inject a failure into one file's work (worker.inject_fault)

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            archive_dir=Path(os.environ.get("UNSEALED_ARCHIVE", "archive")),
            workers=_env_number("UNSEALED_WORKERS", os.cpu_count() or 1),
            limits=Limits.from_env(),
            pages=PageOptions.from_env(),
            queue=QueueSettings.from_env(),
            zips=ZipLimits.from_env(),
            dedup=DedupOptions.from_env(),
            page_image_cache_bytes=_env_number("UNSEALED_PAGE_IMAGE_CACHE_MB", 256) * 1024**2,
            render_workers=_env_number("UNSEALED_RENDER_WORKERS", min(4, os.cpu_count() or 1)),
            follow_links=_env("UNSEALED_FOLLOW_LINKS", "0") not in ("0", "false", "no"),
            web_workers=_env_number("UNSEALED_WEB_WORKERS", default_web_workers()),
            fault=os.environ.get("UNSEALED_FAULT", ""),
        )

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given fields replaced; None values are ignored (flag not given)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]


# Settings the library reads where it needs them (at call time, so a test or a server can set them
# before opening an archive); every environment variable the project reads is read in this module.


def spacy_model(default: str) -> str:
    """UNSEALED_SPACY_MODEL: the spaCy pipeline entity extraction loads."""
    return os.environ.get("UNSEALED_SPACY_MODEL") or default


def phone_region() -> str:
    """UNSEALED_PHONE_REGION: the region phone numbers without a country code belong to."""
    return os.environ.get("UNSEALED_PHONE_REGION", "US").upper()


def email_timezone() -> str:
    """UNSEALED_EMAIL_TZ: the zone of printed e-mail dates that carry none."""
    return os.environ.get("UNSEALED_EMAIL_TZ", "UTC")


def tessdata_prefix() -> str | None:
    """TESSDATA_PREFIX: where Tesseract's language data lies (Tesseract's own variable)."""
    return os.environ.get("TESSDATA_PREFIX") or None


def sqlite_mmap_bytes() -> int:
    """UNSEALED_SQLITE_MMAP_MB: how much of an archive's SQLite file each connection reads through a
    memory map (default 2048, SQLite's own limit being just under 2 GiB; 0: read() calls and SQLite's
    2 MB page cache, several times slower on pages that read thousands of rows)."""
    return _env_number("UNSEALED_SQLITE_MMAP_MB", 2048) * 1024**2


def admin_token() -> str | None:
    """UNSEALED_ADMIN_TOKEN: when set, the web server accepts curator decisions carrying it;
    unset, the server is read-only."""
    return os.environ.get("UNSEALED_ADMIN_TOKEN") or None
