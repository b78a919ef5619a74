"""Where the time of bench/e2e.py's shape (a) goes: CPU per phase of each leg, measured inside.

    python bench/e2e_phases.py [--docs 100] [--workers 2] [--repeat 3]

Worker side, in process pools of `--workers` forked from one parent that has loaded the model (as
both legs of e2e.py are), runs alternating: the raw leg's PDFium text and spaCy (`nlp.pipe` over
whole pages), against ours per file: reading the pages as ingest does, spaCy (`ner.find_names`
over the paragraphs the content-hash cache has not seen, in this process), and the per-document
rules after NER. Parent side: one whole `unsealed ingest` of the same files, CPU of the parent per
stage (the serial tail after the workers) and of all workers. Best of `--repeat` for each figure.
Writes bench/results/e2e_phases.json.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import write_result  # noqa: E402
from bench.e2e import raw_page_texts  # noqa: E402
from unsealed.config import Limits, PageOptions, Settings  # noqa: E402
from unsealed.enrich import extract, ner, tagging  # noqa: E402
from unsealed.pipeline.ingest import SilentObserver, ingest  # noqa: E402
from unsealed.pipeline.worker import read_pages  # noqa: E402
from unsealed.sample.real import load_corpus, write_corpus  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402

_spacy = [0.0, 0, 0]  # CPU seconds, docs and characters given to spaCy in this process
_find_names = ner.find_names


def _timed_find_names(texts: Any, name: str | None = None) -> Any:
    texts = list(texts)
    start = time.process_time()
    found = _find_names(texts, name)
    _spacy[0] += time.process_time() - start
    _spacy[1] += len(texts)
    _spacy[2] += sum(map(len, texts))
    return found


def _raw_file(path: str) -> dict[str, float]:
    start = time.process_time()
    texts = raw_page_texts(path)
    read = time.process_time()
    for _ in ner.load_nlp().pipe(texts, batch_size=ner.BATCH_SIZE):
        pass
    return {
        "read": read - start,
        "spacy": time.process_time() - read,
        "spacy_docs": len(texts),
        "spacy_chars": sum(map(len, texts)),
    }


def _our_file(path: str) -> dict[str, float]:
    start = time.process_time()
    pages = read_pages(Path(path), "application/pdf", Limits(), [], PageOptions(ocr_mode="never"))
    read = time.process_time()
    before = list(_spacy)
    extract.extract_document([(p.number, p.text) for p in pages], cache=tagging.process_cache())
    spacy = _spacy[0] - before[0]
    return {
        "read": read - start,
        "spacy": spacy,
        "rules": time.process_time() - read - spacy,
        "spacy_docs": _spacy[1] - before[1],
        "spacy_chars": _spacy[2] - before[2],
    }


def _fresh_cache() -> None:
    tagging._process_cache = None  # each pool starts with an empty paragraph cache, as ingest's


def _leg(function: Any, files: list[str], workers: int) -> dict[str, float]:
    with get_context("fork").Pool(workers, initializer=_fresh_cache) as pool:
        results = pool.map(function, files, chunksize=2)
    return {key: round(sum(r[key] for r in results), 3) for key in results[0]}


class _StageClock(SilentObserver):
    """Parent CPU seconds of each post-ingest stage."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def stage_started(self, stage: str, documents: int) -> None:
        self._current = (stage, time.process_time())

    def stage_done(self, stage: str) -> None:
        assert self._current is not None
        self.cpu[stage] = round(time.process_time() - self._current[1], 3)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _ingest_once(folder: Path, archive_dir: Path, workers: int) -> dict[str, Any]:
    shutil.rmtree(archive_dir, ignore_errors=True)
    settings = Settings(archive_dir=archive_dir, workers=workers, pages=PageOptions(ocr_mode="never"))
    clock = _StageClock()
    with Archive.open(archive_dir) as archive:
        parent, children = time.process_time(), _children_cpu()
        ingest(archive, [folder], "once", settings, observer=clock)
        parent, children = time.process_time() - parent, _children_cpu() - children
    tail = sum(clock.cpu.values())
    return {
        "parent_cpu_s": round(parent, 3),
        "parent_during_files_cpu_s": round(parent - tail, 3),
        "stages_cpu_s": clock.cpu,
        "workers_cpu_s": round(children, 3),
    }


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in runs[0].items():
        if isinstance(value, dict):
            out[key] = _best([r[key] for r in runs])
        elif isinstance(value, float):
            out[key] = min(r[key] for r in runs)
        else:
            out[key] = value
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100, help="documents of the corpus (an even spread)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ner.find_names = _timed_find_names  # counted in the forked workers too
    corpus = load_corpus()
    docs = corpus[:: max(1, len(corpus) // args.docs)][: args.docs]
    extract.preload()
    with tempfile.TemporaryDirectory(prefix="unsealed-e2e-phases-") as tmp_name:
        tmp = Path(tmp_name)
        files = [str(p) for p in write_corpus(docs, tmp / "once")]
        raw, ours, whole = [], [], []
        for _ in range(args.repeat):
            raw.append(_leg(_raw_file, files, args.workers))
            ours.append(_leg(_our_file, files, args.workers))
            whole.append(_ingest_once(tmp / "once", tmp / "archive", args.workers))
    result = {
        "documents": len(docs),
        "workers": args.workers,
        "repeat": args.repeat,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "raw_worker_cpu_s": _best(raw),
        "ours_worker_cpu_s": _best(ours),
        "ingest": _best(whole),
    }
    r, o = result["raw_worker_cpu_s"], result["ours_worker_cpu_s"]
    print(f"raw  (workers, CPU-s): PDFium {r['read']:.2f}, spaCy {r['spacy']:.2f} on {r['spacy_docs']} pages")
    print(
        f"ours (workers, CPU-s): reading {o['read']:.2f}, spaCy {o['spacy']:.2f} on {o['spacy_docs']} "
        f"paragraphs, rules {o['rules']:.2f}"
    )
    i = result["ingest"]
    print(
        f"whole ingest: workers {i['workers_cpu_s']:.2f}, parent {i['parent_cpu_s']:.2f} (of which stages "
        f"after the workers: {', '.join(f'{k} {v:.2f}' for k, v in i['stages_cpu_s'].items())})"
    )
    print(f"wrote {write_result('e2e_phases', result)}")


if __name__ == "__main__":
    main()
