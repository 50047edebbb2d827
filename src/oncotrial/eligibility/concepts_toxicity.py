"""The toxicities of prior therapy that criteria except from recovery (issue 12): 'All
toxicities (except alopecia) from prior cancer treatments … must have resolved to ≤ Grade 1',
'… with the exception of alopecia, vitiligo, and …', '… except for grade 2 neuropathy',
'endocrinopathies controlled by replacement therapy'.

Each concept is a set of CTCAE v5.0 terms (NCI, 27 November 2017: the dictionary shipped as
``oncotrial/formats/data/CTCAE_v5.0.csv``; a test checks every term below is one of its terms),
since an adverse event of the patient record is a CTCAE term (``patient.AdverseEventRecord``):

- alopecia: the term Alopecia;
- vitiligo: Skin hypopigmentation, whose CTCAE definition is 'loss of skin pigment (e.g.,
  vitiligo)' — CTCAE v5.0 has no term of its own for vitiligo;
- skin pigmentation ('(skin) pigmentation', 'hyperpigmentation'): Skin hyperpigmentation and
  Skin hypopigmentation (hyperpigmentation alone: the first);
- hypothyroidism: the term Hypothyroidism (an endocrinopathy of its own);
- neuropathy ('neuropathy', 'peripheral neuropathy'): Peripheral sensory neuropathy and
  Peripheral motor neuropathy; sensory neuropathy: the first;
- endocrinopathy ('endocrinopathies', 'endocrine(-related) adverse events'): the terms of the
  CTCAE v5.0 system organ class Endocrine disorders — hyperglycemia (Metabolism and nutrition
  disorders) is not one of them, so an immune-related diabetes recorded as hyperglycemia is not
  excepted;
- anemia, fatigue: the terms Anemia and Fatigue.

An exception the criteria name that is none of these ('laboratory values defined in the
inclusion criteria', 'other toxicities not considered a safety risk per investigator') is not a
concept: the reader quotes it as unread and the rule keeps it (``ToxicityRule.unread``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TOXICITY_EXCEPTIONS", "ToxicityConcept", "term_key"]


def term_key(term: str) -> str:
    """A CTCAE term compared as the dictionary compares it: case and spacing aside."""
    return " ".join(term.split()).casefold()


@dataclass(frozen=True)
class ToxicityConcept:
    """A toxicity criteria except by name, as the CTCAE v5.0 terms it covers."""

    key: str
    name: str
    terms: tuple[str, ...]


_HYPER = "Skin hyperpigmentation"
_HYPO = "Skin hypopigmentation"
_SENSORY = "Peripheral sensory neuropathy"
# The CTCAE v5.0 system organ class "Endocrine disorders", term by term
_ENDOCRINE = (
    "Adrenal insufficiency",
    "Cushingoid",
    "Delayed puberty",
    "Endocrine disorders - Other, specify",
    "Growth accelerated",
    "Hyperparathyroidism",
    "Hyperthyroidism",
    "Hypoparathyroidism",
    "Hypophysitis",
    "Hypopituitarism",
    "Hypothyroidism",
    "Precocious puberty",
    "Testosterone deficiency",
    "Virilization",
)

TOXICITY_EXCEPTIONS: dict[str, ToxicityConcept] = {
    c.key: c
    for c in (
        ToxicityConcept("alopecia", "alopecia", ("Alopecia",)),
        ToxicityConcept("vitiligo", "vitiligo", (_HYPO,)),
        ToxicityConcept("skin_pigmentation", "skin pigmentation", (_HYPER, _HYPO)),
        ToxicityConcept("hyperpigmentation", "hyperpigmentation", (_HYPER,)),
        ToxicityConcept(
            "neuropathy", "peripheral neuropathy", (_SENSORY, "Peripheral motor neuropathy")
        ),
        ToxicityConcept("sensory_neuropathy", "sensory neuropathy", (_SENSORY,)),
        ToxicityConcept("endocrinopathy", "endocrinopathy", _ENDOCRINE),
        ToxicityConcept("hypothyroidism", "hypothyroidism", ("Hypothyroidism",)),
        ToxicityConcept("anemia", "anemia", ("Anemia",)),
        ToxicityConcept("fatigue", "fatigue", ("Fatigue",)),
    )
}
