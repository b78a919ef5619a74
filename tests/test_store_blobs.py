"""The blob store writes whole blobs only, locally (os calls), through fsspec (memory://) and on the
S3 server scripts/services.sh starts (s3fs)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from tests.queue_support import s3_env
from unsealed.errors import ConfigError
from unsealed.store.blobs import BlobStore


@pytest.fixture(params=["local", "memory", "s3"])
def store(request, tmp_path: Path, monkeypatch) -> BlobStore:
    if request.param == "local":
        return BlobStore(tmp_path / "blobs")
    if request.param == "s3":
        for key, value in s3_env(f"unsealed-test-{uuid.uuid4().hex[:12]}").items():
            monkeypatch.setenv(key, value)
        return BlobStore(os.environ["UNSEALED_STORAGE"])
    return BlobStore(f"memory://blobs-{uuid.uuid4().hex}")


def _parts(store: BlobStore) -> list[str]:
    return [p for p in store.fs.find(store.root) if p.endswith(".part")]


def test_files_and_bytes_land_in_new_folders_and_replace_old_content(store, tmp_path) -> None:
    source = tmp_path / "a.pdf"
    source.write_bytes(b"first")
    store.put_file("ds/sub/a.pdf", source)
    assert store.read_bytes("ds/sub/a.pdf") == b"first"
    source.write_bytes(b"second")
    store.put_file("ds/sub/a.pdf", source)
    store.put_bytes("_derived/x/1.png", b"png")
    assert store.read_bytes("ds/sub/a.pdf") == b"second"
    assert store.read_bytes("_derived/x/1.png") == b"png"
    assert _parts(store) == []


def test_a_failed_copy_leaves_no_blob_and_no_temporary_file(store, tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        store.put_file("ds/missing.pdf", tmp_path / "missing.pdf")
    assert not store.exists("ds/missing.pdf")
    assert _parts(store) == []


def test_keys_cannot_escape_the_store(store, tmp_path) -> None:
    with pytest.raises(ConfigError):
        store.put_bytes("../outside", b"x")
