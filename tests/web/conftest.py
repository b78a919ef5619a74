"""Fixtures of the web tests: one sample archive per session, a live server, a Chromium browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_support import CHROMIUM, CHROMIUM_ARGS, LiveServer, build_sample_archive, live_server

from unsealed.store.archive import Archive
from unsealed.web import create_app


@pytest.fixture(scope="session")
def sample_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    archive = build_sample_archive(tmp_path_factory.mktemp("web-sample"))
    yield archive
    archive.close()


@pytest.fixture(scope="session")
def client(sample_archive: Archive) -> TestClient:
    return TestClient(create_app(sample_archive))


@pytest.fixture(scope="session")
def server(sample_archive: Archive) -> Iterator[LiveServer]:
    with live_server(sample_archive) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/setup.sh (Debian package chromium)")
    with playwright_api.sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
