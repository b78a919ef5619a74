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
    paths: Sequence[Path],
    dataset: str,
    skip: Path | None = None,
    zips: ZipLimits | None = None,
    follow_links: bool = False,
) -> Iterator[SourceFile]:
    """Every regular file under `paths` (recursively, in name order), keyed relative to its root.

    Symlinked folders are not followed (a link loop would never end). A symlinked file is refused
    (a SourceFile with `refused` set, recorded as that file's failure): a link could publish any file
    of the host. With `follow_links`, links whose target stays inside the input root are read. The
    folder `skip` (the archive itself, when it lies inside a folder being read) is left out. A zip
    yields its members (ingest/zips.py): given as a path, keyed `<dataset>/<member path>`; found in a
    folder, keyed under the zip's own key.
    """
    check_dataset_name(dataset)
    for source in _walk(paths, dataset, skip, follow_links):
        if source.refused is None and is_zip(source.path):
            prefix = dataset if source.path in paths else source.storage_key
            yield from zip_sources(source.path, prefix, dataset, zips or ZipLimits())
        else:
            yield source


def read_source(source: SourceFile, max_bytes: int) -> bytes:
    """A source's whole content (a file, or a zip member read in memory)."""
    if source.member:
        return read_member(source.path, source.member, max_bytes)
    return source.path.read_bytes()


def _walk(paths: Sequence[Path], dataset: str, skip: Path | None, follow_links: bool) -> Iterator[SourceFile]:
    skipped = skip.resolve() if skip is not None else None
    for root in paths:
        if not root.exists():
            raise ConfigError(f"no such file or folder: {display_path(root)}")
        if root.is_file():
            yield SourceFile(root, dataset, storage_key(dataset, Path(root.name)))
            continue
        inside = root.resolve()
        for folder, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if (Path(folder) / d).resolve() != skipped)
            here = Path(folder)
            prefix = storage_key(dataset, here.relative_to(root))  # once per folder, not per file
            for name in sorted(filenames):
                path = here / name
                key = f"{prefix}/{key_part(name)}"
                if os.path.islink(path):
                    refused = _link_refusal(path, inside, follow_links)
                    if refused is None and not os.path.isfile(path):
                        continue
                    yield SourceFile(path, dataset, key, refused=refused)
                elif os.path.isfile(path):
                    yield SourceFile(path, dataset, key)


def _link_refusal(path: Path, root: Path, follow_links: bool) -> str | None:
    """Why a symlinked file is not read, or None when it may be (following is on, target inside)."""
    if not follow_links:
        return (
            "a symbolic link, not read (it could point at any file of this machine); set "
            "UNSEALED_FOLLOW_LINKS=1 to read links that stay inside the input folder"
        )
    target = path.resolve()
    if not target.is_relative_to(root):
        return "a symbolic link to a file outside the input folder, not read"
    return None
