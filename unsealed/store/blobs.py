"""The blob store: original files (and derived page images) under their storage keys, via fsspec."""

from __future__ import annotations

import contextlib
import os
import posixpath
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import fsspec
from fsspec.implementations.local import LocalFileSystem

from unsealed.domain import original_key
from unsealed.errors import ConfigError


def safe_key(key: str) -> str:
    """Reject keys that could escape the store (absolute, `..`, empty components)."""
    parts = key.split("/")
    if key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ConfigError(f"unsafe storage key: {key!r}")
    return key


class BlobStore:
    """Files addressed by storage key under a root URL (a local folder, or s3://bucket/prefix).

    Writes are atomic: a blob is written under a temporary name and renamed into place, so no reader
    (and no crash) ever sees half a blob. A local folder is written with os calls directly, which
    skips fsspec's per-call path handling and its makedirs before every write (the folder is made
    only when the first write into it fails for want of it).
    """

    def __init__(self, root: str | Path):
        self.url = str(root)
        self.fs, self.root = fsspec.core.url_to_fs(self.url)
        self.fs.makedirs(self.root, exist_ok=True)
        self._local = isinstance(self.fs, LocalFileSystem)
        # S3 and the like (s3fs): no folders, and every PUT replaces the whole object at once.
        self._object_store = _protocols(self.fs) & OBJECT_STORES != set()

    def _path(self, key: str) -> str:
        return posixpath.join(self.root, safe_key(key))

    def exists(self, key: str) -> bool:
        if self._object_store:  # another worker may have written it since this process listed it
            self.fs.invalidate_cache(posixpath.dirname(self._path(key)))
        return bool(self.fs.exists(self._path(key)))

    def put_file(self, key: str, source: Path) -> None:
        """Copy a file in atomically (temp name, then rename), so a crash never leaves half a blob."""
        target = self._path(key)
        tmp = _temp_name(target)
        if self._local:
            _local_atomic(target, tmp, lambda: shutil.copyfile(source, tmp))
            return
        if self._object_store:  # an object PUT is atomic already: no temporary name, no copy
            self.fs.put_file(str(source), target)
            return
        self.fs.makedirs(posixpath.dirname(target), exist_ok=True)
        self.fs.put_file(str(source), tmp)
        self.fs.mv(tmp, target)

    def put_bytes(self, key: str, data: bytes) -> None:
        target = self._path(key)
        tmp = _temp_name(target)
        if self._local:
            _local_atomic(target, tmp, lambda: Path(tmp).write_bytes(data))
            return
        if self._object_store:
            self.fs.pipe_file(target, data)
            return
        self.fs.makedirs(posixpath.dirname(target), exist_ok=True)
        self.fs.pipe_file(tmp, data)
        self.fs.mv(tmp, target)

    def open(self, key: str) -> BinaryIO:
        return self.fs.open(self._path(key), "rb")  # type: ignore[no-any-return]

    def read_bytes(self, key: str) -> bytes:
        return bytes(self.fs.cat_file(self._path(key)))

    def local_path(self, key: str) -> Path | None:
        """The file's path when the store is a local folder (for libraries that want a path)."""
        if self.fs.protocol in ("file", ("file", "local")) or "file" in self.fs.protocol:
            return Path(self._path(key))
        return None

    def copy_to(self, key: str, target: Path) -> None:
        """The blob into the local file `target`; FileNotFoundError when there is none."""
        if self._object_store:  # one GET, streamed to the file (open() would ask for its size first)
            self.fs.get_file(self._path(key), str(target))
            return
        with self.open(key) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)


def _temp_name(target: str) -> str:
    """A temporary name beside `target` that fits any file system's 255-byte name limit, whatever
    the target's own name (a blob is renamed into place only once it is whole)."""
    return posixpath.join(posixpath.dirname(target), f".{uuid.uuid4().hex}.part")


def original_in_store(store: BlobStore, sha256: str, storage_key: str) -> str | None:
    """The blob key holding an original: its content key, or (archives written before originals
    were stored by content) its storage key; None when neither is there."""
    key = original_key(sha256)
    if store.exists(key):
        return key
    return storage_key if store.exists(storage_key) else None


def fetch_original(store: BlobStore, sha256: str, storage_key: str, target: Path) -> None:
    """The original into the local file `target`, with one request when it is stored by content
    (`original_in_store` asks first; a worker that was just told the content need not)."""
    try:
        store.copy_to(original_key(sha256), target)
    except FileNotFoundError:
        store.copy_to(storage_key, target)


OBJECT_STORES = {"s3", "s3a", "gs", "gcs", "abfs", "az"}


def _protocols(fs: fsspec.AbstractFileSystem) -> set[str]:
    protocol = fs.protocol
    return {protocol} if isinstance(protocol, str) else set(protocol)


def _local_atomic(target: str, tmp: str, write: Callable[[], object]) -> None:
    """Write `tmp` (making its folder if missing), then rename it over `target`; no `.part` is left."""
    try:
        try:
            write()
        except FileNotFoundError:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            write()
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
