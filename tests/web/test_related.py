"""Related trials by TF-IDF: the documented formula recomputed independently, and the seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from oncotrial.formats.protocol_files import bundled_protocols
from oncotrial.web.related import FIELD_WEIGHTS, rank_related, trial_fields


@pytest.fixture(scope="module")
def seeds():
    return {p.trial_id: p for p in bundled_protocols()}


def _reference_scores(target, others) -> dict[str, float]:
    """docs/web.md's formula with matrices: one column per (field, word)."""
    corpus = [target, *others]
    fields = [trial_fields(p) for p in corpus]
    n = len(corpus)
    blocks = []
    for field, weight in FIELD_WEIGHTS.items():
        vocabulary = sorted({w for f in fields for w in f[field]})
        counts = np.array([[f[field].count(w) for w in vocabulary] for f in fields], dtype=float)
        df = (counts > 0).sum(axis=0)
        idf = np.log((1 + n) / (1 + df)) + 1
        tf = np.where(counts > 0, 1 + np.log(np.maximum(counts, 1)), 0.0)
        x = tf * idf
        norms = np.linalg.norm(x, axis=1, keepdims=True)
        x = np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)
        blocks.append(weight * x)
    matrix = np.hstack(blocks)
    unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    cosine = unit[1:] @ unit[0]
    return {p.trial_id: float(c) for p, c in zip(others, cosine, strict=True)}


def test_scores_follow_the_documented_formula(seeds) -> None:
    for target in seeds.values():
        others = [p for p in seeds.values() if p.trial_id != target.trial_id]
        expected = _reference_scores(target, others)
        ranked = rank_related(target, others, limit=10)
        for item in ranked:
            assert item.score == pytest.approx(expected[item.trial_id], abs=1e-4)
        shown = [r.trial_id for r in ranked]
        ordered = [k for k, v in sorted(expected.items(), key=lambda kv: (-kv[1], kv[0])) if v > 0]
        assert shown == ordered


def test_seed_neighbours_make_clinical_sense(seeds) -> None:
    serplulimab = rank_related(seeds["NCT07064876"], list(seeds.values()))
    assert serplulimab[0].trial_id == "000"  # both: PD-1 inhibitor + cryoablation in NSCLC
    assert "cryoablation" in serplulimab[0].shared
    regorafenib = rank_related(seeds["003"], list(seeds.values()))
    assert regorafenib[0].trial_id == "000" and "toripalimab" in regorafenib[0].shared
    assert all(r.trial_id != "003" for r in regorafenib)


def test_no_shared_word_means_not_related(seeds) -> None:
    target = seeds["000"]
    stranger = target.model_copy(
        update={
            "identity": target.identity.model_copy(
                update={
                    "local_id": "X",
                    "brief_title": "Zebrafish husbandry",
                    "official_title": None,
                }
            ),
            "conditions": ("Fin rot",),
            "interventions": (),
            "keywords": (),
            "description": target.description.model_copy(update={"brief_summary": None}),
        }
    )
    assert rank_related(target, [stranger]) == []
    assert rank_related(target, [target]) == []  # a trial is not its own relative
    copy = target.model_copy(
        update={"identity": target.identity.model_copy(update={"local_id": "Y"})}
    )
    twin = rank_related(target, [stranger, copy])
    assert len(twin) == 1 and math.isclose(twin[0].score, 1.0, abs_tol=1e-9)
