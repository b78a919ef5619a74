"""Walk the input paths into SourceFiles with their storage keys."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from unsealed.domain import check_dataset_name, display_path, key_part, storage_key
from unsealed.errors import ConfigError
from unsealed.model import SourceFile


def walk_sources(paths: Sequence[Path], dataset: str, skip: Path | None = None) -> Iterator[SourceFile]:
    """Every regular file under `paths` (recursively, in name order), keyed relative to its root.

    Symlinked folders are not followed (a link loop would never end); symlinked files are. The
    folder `skip` (the archive itself, when it lies inside a folder being read) is left out.
    """
    check_dataset_name(dataset)
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
