"""Qualified conditions in the prescreening query (tests/eligibility/test_qualified_conditions.py).

A condition named with words no record shows ("that required steroids", rules.QUALIFIER): the
compiled query gives unknown for a person with a record of the condition, not met for one
without, never met — on DuckDB and PostgreSQL as in the in-memory engine; the current
condition beside it ("or has current pneumonitis") reads no clinical status in OMOP and is
unknown where a record is not ended (test_active_conditions_sql.py). The other-malignancy rule
stays unmapped (unknown), with or without its qualifier. Phrasings:
jwlieb/clinical-trial-agent@387df1768929a7cefaa15dfbd4d9ca3dcddd3fde,
data/demo/results/01_nsclc_kras_g12c_standard/trials.json (NCT04317534, NCT06345729) and
data/demo/results/05_melanoma_braf_v600e/trials.json (NCT06090266, NCT05677490).
"""

from __future__ import annotations

import pytest

from oncotrial.eligibility.criteria import Eligibility

from .conftest import EQUIVALENCE_PATIENTS
from .test_equivalence import _assert_equal, _proposed, sql_and_memory

ITEMS = (
    (
        "E1",
        "Has a history of (non-infectious) pneumonitis/interstitial lung disease that required "
        "steroids or has current pneumonitis/interstitial lung disease.",
    ),
    ("E2", "Prior pneumonitis requiring systemic corticosteroid therapy."),
    (
        "E3",
        "Known additional malignancy that is progressing or has required active treatment within "
        "the past 3 years",
    ),
    ("E4", "History of interstitial lung disease"),
    ("I1", "Patients must not have a history of noninfectious pneumonitis requiring steroids"),
)


def _eligibility() -> Eligibility:
    return _proposed(ITEMS)


@pytest.mark.slow
@pytest.mark.parametrize(
    "target", ["duckdb_omop", pytest.param("postgres_omop", marks=pytest.mark.postgres)]
)
def test_qualified_conditions_equal_memory(target: str, request: pytest.FixtureRequest) -> None:
    sql, memory = sql_and_memory(request.getfixturevalue(target), _eligibility())
    _assert_equal(sql, memory, EQUIVALENCE_PATIENTS)
    table = sql.table
    # a record found is unknown, none is not met, never met
    assert set(table["E1"]) == {"unknown", "not met"}
    assert set(table["E2"]) == {"unknown", "not met"}
    assert set(table["I1"]) == {"unknown", "met"}
    # the plain rule on the same records decides
    assert "met" in set(table["E4"])
    assert set(table.loc[table["E4"] == "met", "E1"]) == {"unknown"}
    # the other malignancy is not compiled to SQL: unknown for everyone
    assert set(table["E3"]) == {"unknown"}
    assert any("other malignancy" in u.reason for u in sql.unmapped)
