"""The tail of bench/e2e.py's ingest leg alone: the post-ingest stages over an archive whose files
(and the mentions the workers found) are written, timed again and again from copies of it.

    python bench/e2e_tail.py build DIR [--docs 100] [--shape a|b|b2]
    python bench/e2e_tail.py run DIR [--repeat 3]

`build` ingests shape (a) (or the first data set of (b); `b2`: the first data set of (b) whole, then
the second, its copies) as bench/e2e.py does but stops the last ingest before the stages (the
archive is saved in DIR with the ids the stages take). `run` copies it, loads what the
ingest process has loaded by then (models, gazetteers, country tables) and runs the default stages
`--repeat` times, printing for each the wall seconds, this process's CPU seconds (the serial part)
and its children's (the background stage worker). Run `run` from two trees on the same DIR, taking
turns, to compare their tails under the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.e2e import write_shapes  # noqa: E402
from unsealed.config import PageOptions, Settings  # noqa: E402
from unsealed.pipeline import ingest as ingest_module  # noqa: E402
from unsealed.pipeline.executor import LocalExecutor  # noqa: E402
from unsealed.pipeline.ingest import SilentObserver, run_stages  # noqa: E402
from unsealed.pipeline.stages import post_ingest_stages  # noqa: E402
from unsealed.sample.real import load_corpus  # noqa: E402
from unsealed.store.archive import Archive  # noqa: E402


def build(directory: Path, docs: int, shape: str) -> None:
    corpus = load_corpus()
    chosen = corpus[:: max(1, len(corpus) // docs)][:docs]
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="unsealed-tail-") as tmp_name:
        tmp = Path(tmp_name)
        write_shapes(chosen, tmp)
        dataset = {"a": "once", "b": "one", "b2": "two"}[shape]
        folder = tmp / dataset
        settings = Settings(archive_dir=directory / "archive", workers=2, pages=PageOptions(ocr_mode="never"))
        if shape == "b2":  # the first data set whole, stages and all
            with Archive.open(directory / "archive") as archive:
                ingest_module.ingest(archive, [tmp / "one"], "one", settings)
        held: dict[str, list[str]] = {}
        original = ingest_module.run_stages

        def hold(archive: Archive, ids: list[str], *_: object) -> None:
            held["changed"] = list(ids)

        ingest_module.run_stages = hold  # type: ignore[assignment]
        try:
            with Archive.open(directory / "archive") as archive:
                report = ingest_module.ingest(archive, [folder], dataset, settings)
        finally:
            ingest_module.run_stages = original
        ids = {"changed": held["changed"], "analysed": sorted(report.analysed_ids)}
        (directory / "ids.json").write_text(json.dumps(ids))
    print(f"built {directory}: {len(ids['changed'])} documents")


def _cpu() -> tuple[float, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def run(directory: Path, repeat: int) -> None:
    from unsealed.enrich import extract, names

    extract.preload()
    names.warm_up()
    ids = json.loads((directory / "ids.json").read_text())
    settings = Settings(archive_dir=directory / "archive", workers=2, pages=PageOptions(ocr_mode="never"))
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="unsealed-tail-run-") as tmp_name:
            copy = Path(tmp_name) / "archive"
            shutil.copytree(directory / "archive", copy)
            with Archive.open(copy) as archive:
                stages = post_ingest_stages(LocalExecutor(settings), set(ids["analysed"]))
                start, (own, children) = time.perf_counter(), _cpu()
                run_stages(archive, ids["changed"], SilentObserver(), stages)
                wall = time.perf_counter() - start
                own_now, children_now = _cpu()
        print(
            json.dumps(
                {
                    "wall_s": round(wall, 3),
                    "parent_cpu_s": round(own_now - own, 3),
                    "children_cpu_s": round(children_now - children, 3),
                    "load": [round(x, 2) for x in os.getloadavg()],
                }
            ),
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["build", "run"])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--shape", choices=["a", "b", "b2"], default="a")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.action == "build":
        build(args.directory, args.docs, args.shape)
    else:
        run(args.directory, args.repeat)


if __name__ == "__main__":
    main()
