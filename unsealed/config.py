"""Settings, read once from environment variables (UNSEALED_*) and overridden by CLI flags."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from unsealed.errors import ConfigError
from unsealed.ingest.page_options import PageOptions

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


@dataclass(frozen=True)
class Settings:
    archive_dir: Path = Path("archive")
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    limits: Limits = field(default_factory=Limits)
    pages: PageOptions = field(default_factory=PageOptions)  # OCR mode/engine, limits, redactions

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            archive_dir=Path(os.environ.get("UNSEALED_ARCHIVE", "archive")),
            workers=_env_number("UNSEALED_WORKERS", os.cpu_count() or 1),
            limits=Limits.from_env(),
            pages=PageOptions.from_env(),
        )

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given fields replaced; None values are ignored (flag not given)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})  # type: ignore[arg-type]
