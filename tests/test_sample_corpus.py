"""The bundled sample release: deterministic, and ingested as its manifest says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unsealed.sample.corpus import write_sample_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    write_sample_corpus(root)
    return root


def test_the_sample_is_the_same_bytes_every_time(corpus, tmp_path):
    again = tmp_path / "again"
    write_sample_corpus(again)
    first = sorted(p.relative_to(corpus) for p in corpus.rglob("*") if p.is_file())
    assert first == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert all((corpus / p).read_bytes() == (again / p).read_bytes() for p in first)
    assert 25 <= len(first) - 1 <= 40  # ~30 files besides the manifest


def test_the_sample_ingests_as_its_manifest_says(corpus, cli, show_json):
    manifest = json.loads((corpus / "manifest.json").read_text())
    for dataset in sorted({entry["dataset"] for entry in manifest}):
        result = cli("ingest", corpus / dataset, "--dataset", dataset)
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr
    for entry in manifest:
        doc = show_json(f"{entry['dataset']}/{entry['name']}")
        if entry["expect"] in ("ok", "failed"):
            assert doc["status"] == entry["expect"], (entry, doc["error"])
        if doc["status"] == "ok":
            assert doc["page_count"] == entry["pages"], entry

    seed = show_json("EFTA01197904")
    assert seed["page"] == 3 and seed["dataset"] == "dataset_9"
    assert all(p["bates_source"] == "stamped" for p in seed["pages"])
    assert "Mosbe Ya'alon" in seed["pages"][0]["text"]
    assert [o["dataset"] for o in seed["also_in"]] == ["dataset_10"]
    status = json.loads(cli("status", "--json", check=True).stdout)
    assert [d["name"] for d in status["datasets"]] == ["dataset_8", "dataset_9", "dataset_10"]
