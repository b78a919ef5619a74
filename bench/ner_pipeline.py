"""spaCy's NER as the pipeline loads it, next to the variants it was chosen over, on real corpus pages.

    python bench/ner_pipeline.py [--pages 300] [--repeat 3]

Variants, in one process, taking turns (CPU seconds of `nlp.pipe` over the same pages, best and all):

* loaded: `ner.load_nlp()` (the shared tok2vec removed when nothing listens to it);
* shared_tok2vec: the model with only the non-NER components excluded (the shared tok2vec kept, as
  the pipeline loaded it before 123a839);
* numpy_blas: as `loaded`, with thinc's NumpyOps told not to use blis (numpy's BLAS; run this script
  with OPENBLAS_NUM_THREADS=1 to compare one thread with one thread).

Each variant's entities are compared with `loaded`'s (`same_entities`). Pages: every third document
of ../shared/corpus. Writes bench/results/ner_pipeline.json.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import spacy  # noqa: E402
from thinc.api import NumpyOps, get_current_ops, set_current_ops  # noqa: E402

from bench.common import write_result  # noqa: E402
from unsealed.enrich import ner  # noqa: E402
from unsealed.sample.real import load_corpus  # noqa: E402


def _entities(nlp: Any, pages: list[str]) -> list[list[tuple[int, int, str]]]:
    docs = nlp.pipe(pages, batch_size=ner.BATCH_SIZE)
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in docs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pages = [page for document in load_corpus()[::3] for page in document.pages][: args.pages]
    name = ner.model_name()
    variants: dict[str, Any] = {
        "loaded": ner.load_nlp(),
        "shared_tok2vec": spacy.load(name, exclude=list(ner.UNNEEDED_COMPONENTS)),
    }
    default_ops = get_current_ops()
    set_current_ops(NumpyOps(use_blis=False))  # the models loaded now compute with these ops
    variants["numpy_blas"] = ner._without_idle_tok2vec(
        spacy.load(name, exclude=list(ner.UNNEEDED_COMPONENTS))
    )
    set_current_ops(default_ops)
    reference = _entities(variants["loaded"], pages)
    result: dict[str, Any] = {
        "pages": len(pages),
        "characters": sum(map(len, pages)),
        "entities": sum(map(len, reference)),
        "pipes": {key: nlp.pipe_names for key, nlp in variants.items()},
        "same_entities": {key: _entities(nlp, pages) == reference for key, nlp in variants.items()},
    }
    runs: dict[str, list[float]] = {key: [] for key in variants}
    for _ in range(args.repeat):
        for key, nlp in variants.items():
            start = time.process_time()
            _entities(nlp, pages)
            runs[key].append(round(time.process_time() - start, 2))
            print(key, runs[key][-1], flush=True)
    result["cpu_s"] = runs
    result["cpu_s_best"] = {key: min(values) for key, values in runs.items()}
    best = result["cpu_s_best"]
    result["loaded_vs_shared_tok2vec"] = round(best["loaded"] / best["shared_tok2vec"], 3)
    result["numpy_blas_vs_loaded"] = round(best["numpy_blas"] / best["loaded"], 3)
    print(write_result("ner_pipeline", result).read_text())


if __name__ == "__main__":
    main()
