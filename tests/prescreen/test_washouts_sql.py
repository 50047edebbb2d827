"""Washout rules in the prescreening query (issue 12; reading_washout, concepts_washout).

Neither an investigational agent nor systemic anticancer therapy is one OMOP concept set of
ingredients (the record says a drug is investigational; an anticancer drug oncotrial cannot
classify is unknown): the rules are unmapped, so unknown for every person in the query and in
the in-memory reference alike, and reported, never "not met". A window to registration runs back
from the as-of date, as every window of the query does (there is no planned first dose in the
warehouse).
"""

from __future__ import annotations

import pandas as pd
import pytest

from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.parser import propose_rules
from oncotrial.prescreen.concepts import map_eligibility

from .test_equivalence import sql_and_memory

# jwlieb/clinical-trial-agent data/demo/*/*/trials.json @387df17: NCT06248606 E7,
# NCT06997497 E6, NCT04929223 E3
ITEMS = (
    ("E1", "Treatment with any investigational drug within 28 days prior to registration."),
    (
        "E2",
        "Has received prior systemic anticancer therapy including investigational agents within "
        "4 weeks before randomization",
    ),
    (
        "E3",
        "Treatment with investigational therapy within 28 days prior to initiation of study "
        "treatment",
    ),
)


def _eligibility() -> Eligibility:
    return propose_rules(
        Eligibility(
            exclusion=tuple(Criterion(id=i, kind=CriterionKind.EXCLUSION, text=t) for i, t in ITEMS)
        )
    )


def test_washout_rules_are_reported_unmapped() -> None:
    eligibility = _eligibility()
    assert all(c.rules and not c.unread for c in eligibility.exclusion)
    _, unmapped = map_eligibility(eligibility)
    assert {u.rule_id.split("-")[0] for u in unmapped} == {"E1", "E2", "E3"}


@pytest.mark.parametrize(
    "target", ["small_duckdb", pytest.param("postgres_omop", marks=pytest.mark.postgres)]
)
def test_query_and_reference_agree(target: str, request: pytest.FixtureRequest) -> None:
    eligibility = _eligibility()
    sql, memory = sql_and_memory(request.getfixturevalue(target), eligibility)
    columns = ["person_id", "E1", "E2", "E3"]
    pd.testing.assert_frame_equal(
        sql.table[columns].reset_index(drop=True), memory.table[columns].reset_index(drop=True)
    )
    for item in ("E1", "E2", "E3"):
        assert set(sql.table[item]) == {"unknown"}
