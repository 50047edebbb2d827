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
from oncotrial.eligibility.rules import MedicationRule, Window
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


def _half_life_rule(therapy: str) -> Eligibility:
    # "within 4 weeks or 5 half-lives (whichever is shorter)" (NCT06074588 E8, jwlieb/clinical-
    # trial-agent data/demo/results/05_melanoma_braf_v600e @387df17) on a drug class the query
    # knows: the window is not compiled to SQL, so the rule is unmapped (rule_window)
    rule = MedicationRule(
        kind="medication",
        id="E1-1",
        description="d",
        therapy=therapy,
        within=Window(value=4, unit="weeks", half_lives=5, whichever="shorter"),
    )
    return Eligibility(
        exclusion=(Criterion(id="E1", kind=CriterionKind.EXCLUSION, text="x", rules=(rule,)),)
    )


def test_a_window_of_half_lives_is_unmapped_on_a_known_class() -> None:
    _, unmapped = map_eligibility(_half_life_rule("chemotherapy"))
    assert [u.reason for u in unmapped] == ["a window of half-lives (not compiled to SQL yet)"]


def test_a_window_of_half_lives_is_unknown_in_the_query_and_the_reference(
    small_duckdb: str,
) -> None:
    sql, memory = sql_and_memory(small_duckdb, _half_life_rule("chemotherapy"))
    columns = ["person_id", "E1"]
    pd.testing.assert_frame_equal(
        sql.table[columns].reset_index(drop=True), memory.table[columns].reset_index(drop=True)
    )
    assert set(sql.table["E1"]) == {"unknown"}
