"""`oncotrial simulate omop`: the synthetic OMOP population written to a warehouse.

Generation is pure (``oncotrial.simulate.omop``); this module slices the persons into chunks
(so that 10^6 persons never sit in memory at once), adds the vocabulary and cdm_source rows a
CDM instance carries, and writes everything with ``warehouse.write_tables``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pandas as pd

from oncotrial.eligibility.criteria import Eligibility
from oncotrial.eligibility.rules import DiagnosisRule, iter_rules
from oncotrial.prescreen.concepts import ConceptMap, concept_map
from oncotrial.prescreen.reading import PRIMARY_CANCERS
from oncotrial.prescreen.warehouse import metadata_tables, write_tables
from oncotrial.simulate.omop import omop_population

__all__ = ["CHUNK", "write_population"]

CHUNK = 50_000  # persons generated and written at a time (part of the seed's meaning)


def target_condition(eligibility: Eligibility) -> str:
    """The primary cancer the protocol's diagnosis rule names (else NSCLC)."""
    for criterion in eligibility.criteria:
        for rule in iter_rules(criterion.rules):
            if isinstance(rule, DiagnosisRule) and rule.condition in PRIMARY_CANCERS:
                return rule.condition
    return PRIMARY_CANCERS[0]


def _chunks(
    cmap: ConceptMap,
    n: int,
    seed: int,
    as_of: dt.date,
    condition: str,
    progress: Callable[[int], None],
) -> Iterator[dict[str, pd.DataFrame]]:
    yield metadata_tables(cmap, as_of)
    vocab = cmap.vocabulary()
    for first in range(0, n, CHUNK):
        size = min(CHUNK, n - first)
        yield omop_population(
            vocab,
            size,
            seed=seed,
            as_of=as_of,
            target_condition=condition,
            first_person_id=first + 1,
        )
        progress(first + size)


def write_population(
    target: str,
    eligibility: Eligibility,
    n: int,
    *,
    seed: int,
    as_of: dt.date,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Generate ``n`` persons for the protocol and write them to ``target``; rows per table."""
    cmap = concept_map()
    condition = target_condition(eligibility)
    return write_tables(
        target, _chunks(cmap, n, seed, as_of, condition, progress or (lambda _: None))
    )
