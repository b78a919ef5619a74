"""Dump what bench/e2e.py's ingest leg leaves in the archive, to compare two trees' results.

    python bench/e2e_check.py OUT.json [--docs 100] [--shape a|b] [--archive DIR]

Ingests the same shapes as bench/e2e.py (default settings, 2 workers, OCR never) into a fresh
archive and writes, per table, a digest and row count of its rows in a canonical order (ids that
are database sequence numbers left out): mentions with their entity links, entities, entity_pairs,
document_entities, entity_forms, e-mails, e-mail people, threads, near-duplicate clusters (not which
copy is canonical), documents' types.
Run it with PYTHONPATH at each tree and compare the two files (`diff`).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from bench.e2e import write_shapes  # noqa: E402
from unsealed.config import PageOptions, Settings  # noqa: E402
from unsealed.pipeline.ingest import ingest  # noqa: E402
from unsealed.sample.real import load_corpus  # noqa: E402
from unsealed.store import schema  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402

TABLES = {
    "mentions": ("id",),
    "entities": (),
    "entity_pairs": (),
    "document_entities": (),
    "entity_forms": (),
    "emails": ("id",),
    "email_people": (),
    "email_threads": (),
    # `canonical` left out: which copy of a cluster is canonical varies from run to run on main
    # too where copies tie (shape b: 24 of 985 rows differed between two runs of the same tree)
    "near_duplicates": ("id", "canonical"),
}


def dump(archive: Archive) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with archive.engine.connect() as conn:
        for name, skip in TABLES.items():
            table = getattr(schema, name)
            cols = [c for c in table.c if c.name not in skip]
            rows = sorted(repr(tuple(r)) for r in conn.execute(select(*cols)))
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]
            out[name] = {"rows": len(rows), "sha": digest}
        typed = conn.execute(select(schema.documents.c.id, schema.documents.c.doc_type))
        types = sorted(repr(tuple(r)) for r in typed)
        out["document_types"] = hashlib.sha256("\n".join(types).encode()).hexdigest()[:16]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--shape", choices=["a", "b"], default="a")
    parser.add_argument("--archive", type=Path, help="keep the archive here")
    args = parser.parse_args()
    corpus = load_corpus()
    docs = corpus[:: max(1, len(corpus) // args.docs)][: args.docs]
    with tempfile.TemporaryDirectory(prefix="unsealed-check-") as tmp_name:
        tmp = Path(tmp_name)
        write_shapes(docs, tmp)
        folders = [(tmp / "once", "once")]
        if args.shape == "b":
            folders = [(tmp / "one", "one"), (tmp / "two", "two")]
        archive_dir = args.archive or tmp / "archive"
        shutil.rmtree(archive_dir, ignore_errors=True)
        settings = Settings(archive_dir=archive_dir, workers=2, pages=PageOptions(ocr_mode="never"))
        with Archive.open(archive_dir) as archive:
            for folder, dataset in folders:
                report = ingest(archive, [folder], dataset, settings)
                assert not report.failures, report.failures[:3]
            result = dump(archive)
    Path(args.out).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
