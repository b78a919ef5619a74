"""Near-duplicate clusters over real ingested PDFs: exact and near copies across data sets, the
most complete copy as canonical, the redaction diff naming both Bates numbers, re-runs idempotent."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from tests.builders import write_pdf
from tests.helpers_ocr import image_pdf, scan
from unsealed.config import DedupOptions, Settings
from unsealed.pipeline import dedup_stage
from unsealed.pipeline.ingest import ingest
from unsealed.store.archive import Archive
from unsealed.store.schema import (
    documents,
    near_duplicate_bands,
    near_duplicate_recent_bands,
    near_duplicates,
)
from unsealed.views.document import document_view

MEMO = [
    "On the morning of March 7 the pilot filed a plan for the northern route",
    "and the passengers named on the manifest were met at the hangar by",
    "John Smith who signed for the fuel and the catering before departure",
    "the flight landed at the island at noon and returned two days later",
]
OTHER = [
    "Quarterly budget review for the facilities department covering leases",
    "maintenance contracts and the replacement of the heating system in",
    "building four which was approved by the board in its autumn meeting",
]


def _release(root: Path) -> tuple[Path, Path]:
    one, two = root / "one", root / "two"
    write_pdf(one / "EFTA00000100.pdf", [MEMO, OTHER], ["EFTA00000100", "EFTA00000101"])
    write_pdf(
        one / "EFTA00000300.pdf", [OTHER[::-1] + ["a wholly different page of notes"]], ["EFTA00000300"]
    )
    redacted = [line.replace("John Smith", "\u2588" * 10) for line in MEMO]
    write_pdf(two / "EFTA00000200.pdf", [[*redacted, "Produced to the Committee"], OTHER],
              ["EFTA00000200", "EFTA00000201"])  # fmt: skip
    (two / "copy").mkdir()
    (two / "copy" / "EFTA00000100.pdf").write_bytes((one / "EFTA00000100.pdf").read_bytes())
    return one, two


def test_copies_across_data_sets_and_the_redaction_diff(tmp_path):
    one, two = _release(tmp_path)
    settings = Settings(archive_dir=tmp_path / "archive", workers=1)
    stages = [dedup_stage.stage()]
    with Archive.open(settings.archive_dir) as archive:
        ingest(archive, [one], "one", settings, stages=stages)
        ingest(archive, [two], "two", settings, stages=stages)
        with archive.engine.connect() as conn:
            ids = {(r.dataset, r.bates_first): r.id for r in conn.execute(select(documents))}
            original = document_view(conn, ids[("one", "EFTA00000100")]).json_data()
            redacted = document_view(conn, ids[("two", "EFTA00000200")]).json_data()
            rows = conn.execute(select(func.count()).select_from(near_duplicates)).scalar()
        copies = original["copies"]
        assert copies["count"] == 3
        assert {(c["dataset"], c["bates_first"], c["exact"]) for c in copies["copies"]} == {
            ("two", "EFTA00000200", False),
            ("two", "EFTA00000100", True),
        }
        # the two exact copies tie (same redactions, text and Bates): the lower document id wins
        assert copies["canonical"] == min(ids[("one", "EFTA00000100")], ids[("two", "EFTA00000100")])
        assert not any(c["bates_first"] == "EFTA00000300" for c in copies["copies"])
        assert redacted["copies"]["canonical"] != ids[("two", "EFTA00000200")]  # the redacted copy is not
        diff = [d for d in redacted["redaction_diff"] if d["page"] == 1]
        assert diff, redacted["redaction_diff"]
        assert diff[0]["bates"] == "EFTA00000200"
        assert diff[0]["other_bates"] == "EFTA00000100"
        assert diff[0]["redactions"] >= 1
        assert any("John Smith" in words for words in diff[0]["revealed_by_other"])
        # a re-run over the same documents leaves the same clusters
        with archive.engine.connect() as conn:
            before = sorted(conn.execute(select(near_duplicates.c.document_id, near_duplicates.c.page_number,
                                                near_duplicates.c.cluster)).all())  # fmt: skip
        # a text that joined no copy has its own key (written by the database: `cluster_key` in SQL)
        sizes = Counter(c for *_, c in before)
        alone = [(d, p, c) for d, p, c in before if sizes[c] == 1]
        assert alone
        assert all(c == dedup_stage.cluster_key(d, p) for d, p, c in alone), alone
        dedup_stage.run_stage(archive, list(ids.values()))
        with archive.engine.connect() as conn:
            after = conn.execute(
                select(
                    near_duplicates.c.document_id, near_duplicates.c.page_number, near_duplicates.c.cluster
                )
            ).all()
            clusters_before = {c for *_, c in before}
            assert rows == len(after) == len(before)
            assert len({c for *_, c in after}) == len(clusters_before)


def _document_rows(archive: Archive) -> dict[str, dict[int, tuple[str, bytes | None, float | None, bool]]]:
    """Near-duplicate rows by file name, then page number: (cluster, signature, similarity, canonical)."""
    out: dict[str, dict[int, tuple[str, bytes | None, float | None, bool]]] = {}
    query = select(documents.c.storage_key, near_duplicates).join(
        near_duplicates, near_duplicates.c.document_id == documents.c.id
    )
    with archive.engine.connect() as conn:
        for r in conn.execute(query):
            name = r.storage_key.rsplit("/", 1)[-1]
            out.setdefault(name, {})[r.page_number] = (r.cluster, r.signature, r.similarity, r.canonical)
    return out


def test_reprocess_re_signs_and_re_clusters_a_document_whose_text_changed(cli, open_archive, tmp_path):
    folder = tmp_path / "in"
    write_pdf(folder / "EFTA00000400.pdf", [MEMO], ["EFTA00000400"])  # typed, with a text layer
    image_pdf(folder / "EFTA00000500.pdf", [scan(MEMO, dpi=200, font_pt=11)])  # the same memo, scanned
    cli("ingest", folder, "--dataset", "ds", "--ocr", "never", check=True)
    with open_archive() as archive:
        before = _document_rows(archive)
    typed, scanned = before["EFTA00000400.pdf"], before["EFTA00000500.pdf"]
    assert scanned[0][1] is None and scanned[1][1] is None  # nothing read: no text to sign
    assert scanned[0][0] != typed[0][0] and scanned[1][0] != typed[1][0]  # so no copy of the memo

    result = cli("reprocess", "--dataset", "ds", "--ocr", "auto", check=True)
    assert "1 re-read" in result.stdout
    with open_archive() as archive:
        after = _document_rows(archive)
        with archive.engine.connect() as conn:
            indexed = set(
                conn.execute(
                    select(near_duplicates.c.document_id, near_duplicates.c.page_number).join(
                        near_duplicate_bands, near_duplicate_bands.c.text_id == near_duplicates.c.id
                    )
                )
            ) | set(
                conn.execute(
                    select(near_duplicates.c.document_id, near_duplicates.c.page_number).join(
                        near_duplicate_recent_bands,
                        near_duplicate_recent_bands.c.text_id == near_duplicates.c.id,
                    )
                )
            )
            scanned_id = conn.execute(
                select(documents.c.id).where(documents.c.storage_key.endswith("EFTA00000500.pdf"))
            ).scalar_one()
    typed, scanned = after["EFTA00000400.pdf"], after["EFTA00000500.pdf"]
    for number in (0, 1):  # the document and its page now belong with the typed copy
        cluster, signature, similarity, _ = scanned[number]
        assert signature is not None
        assert cluster == typed[number][0]
        assert similarity is not None and similarity >= DedupOptions().threshold
        assert [typed[number][3], scanned[number][3]].count(True) == 1  # one canonical copy
        assert (scanned_id, number) in indexed  # its new bands are in the index
    assert typed[0][1] == before["EFTA00000400.pdf"][0][1]  # the typed copy was not re-signed


def _lines(rng: random.Random) -> list[str]:
    vocabulary = "flight passenger island ledger account board payment hangar pilot island memo fund".split()
    words = [f"{rng.choice(vocabulary)}{rng.randrange(1000)}" for _ in range(60)]
    return [" ".join(words[i : i + 10]) for i in range(0, 60, 10)]


def _rows_of(archive: Archive, table: object) -> int:
    with archive.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_a_small_batch_goes_to_the_recent_band_level_is_found_there_and_merged(tmp_path):
    """24 documents clustered, then one new text (its 32 band rows are under 5 % of the index: the
    recent level), then a near copy of it, found through the recent level; that batch takes the
    recent level past its share, so it is merged into the main one."""
    rng = random.Random(7)
    settings = Settings(archive_dir=tmp_path / "archive", workers=1)
    stages = [dedup_stage.stage()]
    for n in range(24):
        write_pdf(tmp_path / "base" / f"EFTA{n + 1:08d}.pdf", [_lines(rng)], [f"EFTA{n + 1:08d}"])
    new = _lines(rng)
    write_pdf(tmp_path / "a" / "EFTA00000500.pdf", [new], ["EFTA00000500"])
    near = [line.replace(line.split()[3], "redacted") if i == 2 else line for i, line in enumerate(new)]
    write_pdf(tmp_path / "b" / "EFTA00000600.pdf", [near], ["EFTA00000600"])
    with Archive.open(settings.archive_dir) as archive:
        ingest(archive, [tmp_path / "base"], "base", settings, stages=stages)
        main = _rows_of(archive, near_duplicate_bands)
        assert main == 24 * 2 * 16 and _rows_of(archive, near_duplicate_recent_bands) == 0
        ingest(archive, [tmp_path / "a"], "a", settings, stages=stages)
        assert _rows_of(archive, near_duplicate_recent_bands) == 2 * 16  # the document and its page
        assert _rows_of(archive, near_duplicate_bands) == main
        ingest(archive, [tmp_path / "b"], "b", settings, stages=stages)
        assert _rows_of(archive, near_duplicate_recent_bands) == 0  # merged
        assert _rows_of(archive, near_duplicate_bands) == main + 2 * 2 * 16
        rows = _document_rows(archive)
    assert rows["EFTA00000600.pdf"][0][0] == rows["EFTA00000500.pdf"][0][0]  # found in the recent level
    assert rows["EFTA00000600.pdf"][1][0] == rows["EFTA00000500.pdf"][1][0]
    assert len({r[0][0] for name, r in rows.items()}) == 25
