"""Plain JSON for what the Celery executor sends and gets back: the pipeline's dataclasses, named.

Only the types in WIRE_TYPES are rebuilt from a message, so a message can carry data and nothing
that runs (Celery's pickle would run whatever the broker hands it, and refuses to run as root).
"""

from __future__ import annotations

import base64
from dataclasses import fields, is_dataclass
from pathlib import Path, PurePath
from typing import Any

from unsealed.config import DedupOptions, Limits, PageOptions
from unsealed.ingest.loadplan import DocumentLoad
from unsealed.model import DocumentAnalysis, ExtractedPage, FileResult, SourceFile
from unsealed.pipeline.reprocess import ReprocessTask
from unsealed.pipeline.worker import FileTask, WorkerOptions

WIRE_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        SourceFile,
        ExtractedPage,
        FileResult,
        Limits,
        PageOptions,
        WorkerOptions,
        FileTask,
        ReprocessTask,
        DocumentLoad,
        DocumentAnalysis,
        DedupOptions,
    )
}


def encode(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if WIRE_TYPES.get(name) is not type(value):
            raise TypeError(f"{name} does not travel to workers (add it to WIRE_TYPES)")
        return {"__type__": name, **{f.name: encode(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, PurePath):
        return {"__path__": str(value)}
    if isinstance(value, bytes):  # a near-duplicate signature, OCR word boxes
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {key: encode(v) for key, v in value.items()}
    return value


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if "__path__" in value:
            return Path(value["__path__"])
        if "__bytes__" in value:
            return base64.b64decode(value["__bytes__"])
        if "__tuple__" in value:
            return tuple(decode(v) for v in value["__tuple__"])
        if "__type__" in value:
            cls = WIRE_TYPES[value["__type__"]]
            return cls(**{key: decode(v) for key, v in value.items() if key != "__type__"})
        return {key: decode(v) for key, v in value.items()}
    return value
