"""Write the sample release: three data sets of Bates-stamped PDFs, scans, an image, broken files.

Deterministic: the same bytes on every machine, so document ids and hashes in docs and tests hold.
A manifest.json beside the data sets says what each file is, for tests and curious readers.
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pikepdf

from unsealed.sample.content import EMAILS, MEMOS, DocumentSpec, flight_log, long_report, seed_article
from unsealed.sample.layout import PageSpec, build_pdf, scan_image, wrap


@dataclass(frozen=True)
class SampleFile:
    dataset: str
    name: str
    kind: str
    expect: str  # ok | failed
    pages: int


def _bates(prefix: str, number: int) -> str:
    return f"{prefix}{number:08d}"


class _DatasetWriter:
    def __init__(self, root: Path, dataset: str, first_bates: int):
        self.folder = root / dataset
        self.folder.mkdir(parents=True, exist_ok=True)
        self.dataset = dataset
        self.next_bates = first_bates
        self.files: list[SampleFile] = []

    def document(self, spec: DocumentSpec, kind: str, seed: int, subfolder: str = "") -> Path:
        scanned = spec.scanned if isinstance(spec.scanned, list) else [spec.scanned] * len(spec.pages)
        pages = [
            PageSpec(lines, _bates("EFTA", self.next_bates + i), spec.font, scanned=is_scan)
            for i, (lines, is_scan) in enumerate(zip(spec.pages, scanned, strict=True))
        ]
        name = f"{_bates('EFTA', self.next_bates)}{spec.extension}"
        target = self.folder / subfolder / name if subfolder else self.folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(build_pdf(pages, seed=seed))
        self.files.append(
            SampleFile(self.dataset, str(target.relative_to(self.folder)), kind, "ok", len(pages))
        )
        self.next_bates += len(pages)
        return target

    def raw(self, name: str, data: bytes, kind: str, expect: str, pages: int = 0) -> Path:
        target = self.folder / name
        target.write_bytes(data)
        self.files.append(SampleFile(self.dataset, name, kind, expect, pages))
        return target


def _encrypted_pdf(plain: bytes) -> bytes:
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(plain)) as pdf:
        pdf.save(
            out,
            encryption=pikepdf.Encryption(owner="owner", user="secret", R=3, aes=False, metadata=False),
            static_id=True,
        )
    return out.getvalue()


AGE_GATE_HTML = b"""<!DOCTYPE html>
<html><head><title>Age verification</title></head>
<body><h1>Are you 18 or older?</h1><form><button>Yes</button><button>No</button></form></body></html>
"""


def write_sample_corpus(root: Path) -> list[SampleFile]:
    """Write the sample release under `root` (dataset_8, dataset_9, dataset_10, manifest.json)."""
    root.mkdir(parents=True, exist_ok=True)
    seed_text = resources.files("unsealed.sample").joinpath("texts/EFTA01197902.txt").read_text("utf-8")

    memos = _DatasetWriter(root, "dataset_8", 8001)
    for i, spec in enumerate(MEMOS):
        memos.document(spec, "memo" if not spec.scanned else "scanned memo", seed=100 + i)
    memos.document(flight_log(), "flight log", seed=120, subfolder="logs")
    memos.document(
        long_report(
            "Summary of financial records reviewed by the task force, including transfers between Northgate "
            "Capital LLC and Voss & Partners. ",
            pages=3,
        ),
        "report",
        seed=121,
    )
    note = PageSpec(["Call H. Voss re: Santa Fe", "before Friday", "(212) 555-0134"], size=22, scanned=True)
    png = io.BytesIO()
    scan_image(note, random.Random(7), dpi=150).save(png, format="PNG", dpi=(150, 150))
    memos.raw(f"{_bates('EFTA', memos.next_bates)}.png", png.getvalue(), "scanned image", "ok", 1)

    emails = _DatasetWriter(root, "dataset_9", 1197902)
    seed_path = emails.document(seed_article(seed_text), "printed e-mail (seed)", seed=200)
    for i, spec in enumerate(EMAILS):
        emails.document(spec, "printed e-mail" if not spec.scanned else "scanned e-mail", seed=210 + i)

    mixed = _DatasetWriter(root, "dataset_10", 2000001)
    for i, spec in enumerate(EMAILS[:5]):
        scanned = DocumentSpec(spec.pages, scanned=True)
        mixed.document(scanned, "scanned e-mail", seed=300 + i, subfolder="scans")
    fax = [
        scan_image(
            PageSpec(
                wrap(f"FAX page {n} of 2. To: Helena Voss, Geneva. From: Northgate Capital LLC. " * 4),
                size=14,
                scanned=True,
            ),
            random.Random(n),
        )
        for n in (1, 2)
    ]
    tiff = io.BytesIO()
    fax[0].save(
        tiff, format="TIFF", save_all=True, append_images=fax[1:], compression="tiff_deflate", dpi=(150, 150)
    )
    mixed.raw(
        f"{_bates('EFTA', mixed.next_bates)}.tif", tiff.getvalue(), "two-page scanned fax (TIFF)", "ok", 2
    )
    mixed.next_bates += 2
    mixed.raw(seed_path.name, seed_path.read_bytes(), "exact duplicate of dataset_9's seed e-mail", "ok", 6)
    plain = build_pdf([PageSpec(["A memo that will be encrypted."], "EFTA02000100")])
    mixed.raw("EFTA02000100.pdf", _encrypted_pdf(plain), "encrypted PDF", "failed")
    mixed.raw("EFTA02000101.pdf", plain[: len(plain) // 2], "truncated PDF", "ok-or-failed")
    mixed.raw("EFTA02000102.pdf", AGE_GATE_HTML, "HTML age-gate page saved as .pdf", "failed")
    mixed.raw("EFTA02000103.pdf", b"", "zero-byte placeholder", "failed")
    mixed.raw("EFTA02000104.pdf", random.Random(4).randbytes(4096), "random bytes", "failed")

    files = memos.files + emails.files + mixed.files
    manifest = [f.__dict__ for f in files]
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return files
