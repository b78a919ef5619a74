"""Data-set zips: members listed and read streamed, never unpacked to disk.

Each member becomes a SourceFile keyed `<dataset>/<member path>` that names the zip and the member;
the worker reads the member's bytes from the zip itself. Members that could escape the store or
exhaust the machine are refused here, before anything is read, and recorded as failures: `..` or
absolute paths, symlinks, a compression ratio, a member size or a running total past ZipLimits, and
a zip with more members than allowed. A zip inside the zip is opened too (one level deep).
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path, PurePosixPath

from unsealed.config import ZipLimits
from unsealed.domain import key_part
from unsealed.errors import ExtractionError
from unsealed.model import SourceFile

RATIO_MIN_BYTES = 1024 * 1024  # the ratio limit applies to members at least this large
READ_CHUNK = 1024 * 1024


def is_zip(path: Path) -> bool:
    return path.suffix.lower() == ".zip"


def member_parts(name: str) -> tuple[str, ...] | None:
    """The member's path parts, or None when the path is unsafe (absolute, `..`, a drive)."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = tuple(p for p in PurePosixPath(name).parts if p not in ("", "."))
    if not parts or ".." in parts:
        return None
    return parts


def _refusal(info: zipfile.ZipInfo, limits: ZipLimits, total: int) -> str | None:
    if stat.S_ISLNK(info.external_attr >> 16):
        return "refused: the zip member is a symbolic link"
    if member_parts(info.filename) is None:
        return f"refused: unsafe zip member path {info.filename!r}"
    if info.file_size > limits.max_member_bytes:
        return (
            f"refused: zip member of {info.file_size} bytes is over the limit of "
            f"{limits.max_member_bytes} (UNSEALED_ZIP_MAX_MEMBER_BYTES)"
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size >= RATIO_MIN_BYTES and ratio > limits.max_ratio:
        return (
            f"refused: zip member compression ratio {ratio:.0f} is over the limit of "
            f"{limits.max_ratio:g} (UNSEALED_ZIP_MAX_RATIO)"
        )
    if total > limits.max_total_bytes:
        return (
            f"refused: the zip's members add up to more than {limits.max_total_bytes} bytes "
            "(UNSEALED_ZIP_MAX_TOTAL_BYTES)"
        )
    return None


def _key(prefix: str, name: str) -> str:
    parts = member_parts(name) or (key_part(name.replace("/", "_")) or "member",)
    return "/".join([prefix, *(key_part(p) for p in parts)])


def zip_sources(path: Path, prefix: str, dataset: str, limits: ZipLimits) -> Iterator[SourceFile]:
    """The members of the zip at `path` as SourceFiles keyed under `prefix` (refused ones included)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield SourceFile(path, dataset, prefix, refused=f"broken zip: {exc}")
        return
    with archive:
        yield from _members(archive, path, prefix, dataset, limits, ())


def _members(
    archive: zipfile.ZipFile,
    path: Path,
    prefix: str,
    dataset: str,
    limits: ZipLimits,
    outer: tuple[str, ...],
) -> Iterator[SourceFile]:
    infos = [info for info in archive.infolist() if not info.is_dir()]
    if len(infos) > limits.max_members:
        too_many = (
            f"refused: the zip has {len(infos)} members, over the limit of {limits.max_members} "
            "(UNSEALED_ZIP_MAX_MEMBERS)"
        )
        yield SourceFile(path, dataset, prefix, member=outer, refused=too_many)
        return
    total = 0
    for info in sorted(infos, key=lambda i: i.filename):
        total += info.file_size
        key = _key(prefix, info.filename)
        member = (*outer, info.filename)
        reason: str | None = _refusal(info, limits, total)
        if reason is None and is_zip(Path(info.filename)):
            if outer:
                reason = "refused: a zip nested more than one level deep"
            else:
                try:
                    inner = zipfile.ZipFile(io.BytesIO(read_member(path, member, limits.max_member_bytes)))
                except (zipfile.BadZipFile, ExtractionError) as exc:
                    reason = f"broken nested zip: {exc}"
                else:
                    with inner:
                        yield from _members(inner, path, key, dataset, limits, member)
                    continue
        yield SourceFile(path, dataset, key, member=member, refused=reason)


@lru_cache(maxsize=2)
def _open_zip(path: str, mtime: float) -> zipfile.ZipFile:
    """The zip opened once per worker process (its central directory is read once, not per member)."""
    return zipfile.ZipFile(path)


def _read_bounded(archive: zipfile.ZipFile, name: str, max_bytes: int) -> bytes:
    """The member's bytes, read in chunks and stopped past `max_bytes` whatever the header says."""
    buffer = bytearray()
    with archive.open(name) as fh:
        while chunk := fh.read(READ_CHUNK):
            buffer += chunk
            if len(buffer) > max_bytes:
                raise ExtractionError(f"zip member is larger than {max_bytes} bytes once inflated")
    return bytes(buffer)


@lru_cache(maxsize=2)
def _nested(path: str, mtime: float, name: str, max_bytes: int) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(_read_bounded(_open_zip(path, mtime), name, max_bytes)))


def read_member(path: Path, member: tuple[str, ...], max_bytes: int) -> bytes:
    """The bytes of a zip member (`member` = names outermost first), read from the zip in memory."""
    try:
        mtime = path.stat().st_mtime
        archive = _open_zip(str(path), mtime)
        if len(member) == 2:
            archive = _nested(str(path), mtime, member[0], max_bytes)
        return _read_bounded(archive, member[-1], max_bytes)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, zlib.error, NotImplementedError) as exc:
        raise ExtractionError(f"could not read zip member: {type(exc).__name__}: {exc}") from exc
