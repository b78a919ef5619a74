"""How pages are read (OCR mode and engine, limits, redactions): plain settings, cheap to import.

Read from UNSEALED_* environment variables and overridden by CLI flags; travels to worker processes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Literal

from unsealed.errors import ConfigError

DEFAULT_ENGINE = "tesseract"


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _env_number(name: str, default: float) -> float:
    raw = _env(name, str(default))
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


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

    def check_engine(self) -> None:
        """Probe the OCR engine once, before a run: a missing one is one clear error."""
        if self.ocr_mode != "never":
            from unsealed.ocr import get_engine  # engines import PDFium; settings stay light

            get_engine(self.engine).check()
