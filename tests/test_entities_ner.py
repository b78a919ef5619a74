"""The spaCy pipeline the extraction loads: only what NER reads, and the same entities as the model
with its shared embedding layer kept."""

from __future__ import annotations

import spacy

from unsealed.enrich import ner
from unsealed.sample.real import load_corpus


def test_the_pipeline_runs_ner_alone_with_the_entities_of_the_shipped_layers() -> None:
    nlp = ner.load_nlp()
    assert nlp.pipe_names == ["ner"]  # en_core_web_sm's NER has an embedding of its own

    kept = spacy.load(ner.model_name(), exclude=list(ner.UNNEEDED_COMPONENTS))
    assert kept.pipe_names == ["tok2vec", "ner"]
    pages = [page for document in load_corpus()[::20] for page in document.pages][:40]
    assert sum(map(len, pages)) > 20_000

    def entities(pipeline: spacy.Language) -> list[list[tuple[int, int, str]]]:
        return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in pipeline.pipe(pages)]

    found = entities(nlp)
    assert sum(map(len, found)) > 100
    assert found == entities(kept)


def test_a_shared_layer_that_ner_listens_to_is_kept() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec")
    model = {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner",
        "extra_state_tokens": False,
        "hidden_width": 64,
        "maxout_pieces": 2,
        "use_upper": True,
        "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"},
    }
    nlp.add_pipe("ner", config={"model": model})
    nlp.initialize()
    assert nlp.get_pipe("tok2vec").listening_components == ["ner"]
    assert ner._without_idle_tok2vec(nlp).pipe_names == ["tok2vec", "ner"]
