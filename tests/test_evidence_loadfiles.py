"""Concordance load files: DAT fields per document, OPT page images grouped into documents, Bates
from the load file with printed disagreements kept, every problem recorded and none fatal."""

from __future__ import annotations

import zipfile
from pathlib import Path

from sqlalchemy import select

from tests.builders import write_pdf
from unsealed.config import Settings
from unsealed.ingest.loadfiles import parse_dat, parse_opt
from unsealed.pipeline.ingest import ingest
from unsealed.store.archive import Archive
from unsealed.store.schema import document_fields, documents, load_problems, pages

Q, S = "\u00fe", "\x14"
HEADER = ["BegBates", "EndBates", "BegAttach", "EndAttach", "Custodian", "DateSent", "Subject"]


def _dat_line(values: list[str]) -> str:
    return S.join(f"{Q}{v}{Q}" for v in values)


def write_release(root: Path, upper: bool = True) -> Path:
    """A volume as the DOJ ships one: DATA/VOL001.DAT + .OPT, IMAGES/0001/<Bates>.pdf, one page each."""
    images = root / "VOL001" / "IMAGES" / "0001"
    stamps = {1: "EFTA00000001", 2: "EFTA00000902", 3: "EFTA00000003", 4: "EFTA00000004"}
    for n, stamp in stamps.items():
        write_pdf(images / f"EFTA0000000{n}.pdf", [[f"memo page {n} about the flight logs"]], [stamp])
    lines = [
        _dat_line(HEADER),
        _dat_line(["EFTA00000001", "EFTA00000003", "EFTA00000001", "EFTA00000004", "Smith, J.",
                   "2004-03-07", "Flight logs\r\nsecond line of the subject"]),
        _dat_line(["EFTA00000004", "EFTA00000004", "EFTA00000001", "EFTA00000004", "Smith, J.",
                   "2004-03-07", "Attachment"]),
        f"{Q}EFTA00000005{Q}{S}{Q}broken",  # malformed: too few fields, unbalanced quote
        _dat_line(["EFTA00000006", "EFTA00000006", "", "", "Doe", "", "no file for this one"]),
    ]  # fmt: skip
    opt = [
        r"EFTA00000001,VOL001,IMAGES\0001\EFTA00000001.pdf,Y,,,3",
        r"EFTA00000002,VOL001,IMAGES\0001\EFTA00000002.pdf,,,,",
        r"EFTA00000003,VOL001,IMAGES\0001\EFTA00000003.pdf,,,,",
        r"EFTA00000004,VOL001,IMAGES\0001\EFTA00000004.pdf,Y,,,1",
        r"EFTA00000005,VOL001,IMAGES\0001\EFTA00000005.pdf,Y,,,1",  # missing image
        "this line is not an opticon line",
    ]
    data = root / "VOL001" / "DATA"
    data.mkdir(parents=True)
    dat_name, opt_name = ("VOL001.DAT", "VOL001.OPT") if upper else ("vol001.dat", "vol001.opt")
    (data / dat_name).write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    (data / opt_name).write_bytes("\r\n".join(opt).encode() + b"\r\n")
    return root


def test_parsers_keep_embedded_newlines_and_report_bad_lines(tmp_path):
    root = write_release(tmp_path / "rel")
    dat = parse_dat((root / "VOL001/DATA/VOL001.DAT").read_bytes())
    assert dat.names == HEADER
    assert [r["BegBates"] for r in dat.records] == ["EFTA00000001", "EFTA00000004", "EFTA00000006"]
    assert dat.records[0]["Subject"] == "Flight logs\nsecond line of the subject"
    assert [n for n, _ in dat.problems] == [5]  # physical line: the subject above spans two
    opt, problems = parse_opt((root / "VOL001/DATA/VOL001.OPT").read_bytes())
    assert [p.document_break for p in opt] == [True, False, False, True, True]
    assert problems == [(6, "malformed OPT line: expected Bates,Volume,ImagePath,Break,...")]


def _check(archive: Archive, dataset: str) -> None:
    with archive.engine.connect() as conn:
        docs = {
            r.bates_first: r for r in conn.execute(select(documents).where(documents.c.dataset == dataset))
        }
        assert sorted(docs) == ["EFTA00000001", "EFTA00000004"]
        first = docs["EFTA00000001"]
        assert (first.page_count, first.bates_last, first.status) == (3, "EFTA00000003", "ok")
        rows = conn.execute(
            select(pages.c.number, pages.c.bates, pages.c.bates_source, pages.c.bates_printed, pages.c.text)
            .where(pages.c.document_id == first.id)
            .order_by(pages.c.number)
        ).all()
        assert [(r.bates, r.bates_source, r.bates_printed) for r in rows] == [
            ("EFTA00000001", "loadfile", None),
            ("EFTA00000002", "loadfile", "EFTA00000902"),
            ("EFTA00000003", "loadfile", None),
        ]
        assert "memo page 2" in rows[1].text
        fields = dict(
            conn.execute(
                select(document_fields.c.name, document_fields.c.value).where(
                    document_fields.c.document_id == first.id
                )
            ).all()
        )
        assert fields["Custodian"] == "Smith, J."
        assert fields["Subject"] == "Flight logs\nsecond line of the subject"
        problems = [
            r.problem for r in conn.execute(select(load_problems).where(load_problems.c.dataset == dataset))
        ]
    assert any("line 5: malformed line" in p for p in problems)
    assert any("missing image IMAGES\\0001\\EFTA00000005.pdf (EFTA00000005)" in p for p in problems)
    assert any("line 6: malformed OPT line" in p for p in problems)
    assert any("no file for document EFTA00000006" in p for p in problems)


def test_a_volume_folder_with_load_files(tmp_path):
    root = write_release(tmp_path / "rel")
    settings = Settings(archive_dir=tmp_path / "archive", workers=1)
    with Archive.open(settings.archive_dir) as archive:
        report = ingest(archive, [root], "ds1", settings, stages=[])
        assert report.added == 2
        _check(archive, "ds1")
        again = ingest(archive, [root], "ds1", settings, stages=[])
        assert (again.added, again.updated) == (0, 0)
        _check(archive, "ds1")


def test_a_zipped_volume_with_lower_case_load_files(tmp_path):
    root = write_release(tmp_path / "rel", upper=False)
    release = tmp_path / "release.zip"
    with zipfile.ZipFile(release, "w") as z:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(root).as_posix())
    settings = Settings(archive_dir=tmp_path / "archive", workers=1)
    with Archive.open(settings.archive_dir) as archive:
        ingest(archive, [release], "ds2", settings, stages=[])
        _check(archive, "ds2")


def test_load_file_bates_shown_in_the_canonical_form(tmp_path):
    """An OPT that writes `HOUSE OVERSIGHT 013482` (spaces, any case): every page shows
    HOUSE_OVERSIGHT_013482, and a stamp printed the same way is no disagreement."""
    from tests.builders import write_pdf as pdf

    images = tmp_path / "VOL" / "IMAGES"
    pdf(
        images / "HO1.pdf",
        [["first page"], ["second page"]],
        ["HOUSE OVERSIGHT 013482", "HOUSE OVERSIGHT 013483"],
    )
    (tmp_path / "VOL" / "VOL.OPT").write_text(
        "HOUSE OVERSIGHT 013482,VOL,IMAGES\\HO1.pdf,Y,,,2\r\n"
        "house oversight 013483,VOL,IMAGES\\HO1.pdf,,,,\r\n"
    )
    archive = Archive.open(tmp_path / "archive")
    try:
        ingest(archive, [tmp_path / "VOL"], "house", Settings.from_env().with_overrides(workers=1))
        with archive.engine.connect() as conn:
            rows = conn.execute(select(pages.c.bates, pages.c.bates_printed).order_by(pages.c.number)).all()
            doc = conn.execute(select(documents.c.bates_first, documents.c.bates_last)).one()
    finally:
        archive.close()
    assert [tuple(r) for r in rows] == [("HOUSE_OVERSIGHT_013482", None), ("HOUSE_OVERSIGHT_013483", None)]
    assert tuple(doc) == ("HOUSE_OVERSIGHT_013482", "HOUSE_OVERSIGHT_013483")
