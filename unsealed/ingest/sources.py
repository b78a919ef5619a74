"""Walk the input paths into SourceFiles with their storage keys."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from unsealed.config import ZipLimits
from unsealed.domain import check_dataset_name, display_path, key_part, storage_key
from unsealed.errors import ConfigError
from unsealed.ingest.zips import is_zip, read_member, zip_sources
from unsealed.model import SourceFile


def walk_sources(
    paths: Sequence[Path], dataset: str, skip: Path | None = None, zips: ZipLimits | None = None
) -> Iterator[SourceFile]:
    """Every regular file under `paths` (recursively, in name order), keyed relative to its root.

    Symlinked folders are not followed (a link loop would never end); symlinked files are. The
    folder `skip` (the archive itself, when it lies inside a folder being read) is left out. A zip
    yields its members (ingest/zips.py): given as a path, keyed `<dataset>/<member path>`; found in a
    folder, keyed under the zip's own key.
    """
    check_dataset_name(dataset)
    for source in _walk(paths, dataset, skip):
        if is_zip(source.path):
            prefix = dataset if source.path in paths else source.storage_key
            yield from zip_sources(source.path, prefix, dataset, zips or ZipLimits())
        else:
            yield source


def read_source(source: SourceFile, max_bytes: int) -> bytes:
    """A source's whole content (a file, or a zip member read in memory)."""
    if source.member:
        return read_member(source.path, source.member, max_bytes)
    return source.path.read_bytes()


def _walk(paths: Sequence[Path], dataset: str, skip: Path | None) -> Iterator[SourceFile]:
    skipped = skip.resolve() if skip is not None else None
    for root in paths:
        if not root.exists():
            raise ConfigError(f"no such file or folder: {display_path(root)}")
        if root.is_file():
            yield SourceFile(root, dataset, storage_key(dataset, Path(root.name)))
            continue
        for folder, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if (Path(folder) / d).resolve() != skipped)
            here = Path(folder)
            prefix = storage_key(dataset, here.relative_to(root))  # once per folder, not per file
            for name in sorted(filenames):
                path = here / name
                if os.path.isfile(path):
                    yield SourceFile(path, dataset, f"{prefix}/{key_part(name)}")
