"""'Active' conditions in the prescreening query (tests/eligibility/test_active_conditions.py).

OMOP's condition_occurrence records no clinical status (FHIR Condition.clinicalStatus): an
active rule is unknown for a person with a record of the condition not ended by the as-of date,
not met for one without, never met; the compiled query equals the in-memory engine on the same
rows. Phrasings: jwlieb/clinical-trial-agent@387df1768929a7cefaa15dfbd4d9ca3dcddd3fde,
data/demo/results/01_nsclc_kras_g12c_standard/trials.json (NCT06720987, NCT06561386,
NCT06814496; NCT06561386's E7 read as an inclusion item).
"""

from __future__ import annotations

import pytest

from oncotrial.eligibility.criteria import Eligibility

from .conftest import EQUIVALENCE_PATIENTS
from .test_equivalence import _assert_equal, _proposed, sql_and_memory

ITEMS = (
    ("I1", "Participants must not have an active autoimmune disease."),
    ("E1", "Active interstitial lung disease"),
    ("E2", "Has evidence of interstitial lung disease or active, non-infectious pneumonitis."),
    ("E3", "History of interstitial lung disease"),
)


def _eligibility() -> Eligibility:
    return _proposed(ITEMS)


@pytest.mark.slow
@pytest.mark.parametrize(
    "target", ["duckdb_omop", pytest.param("postgres_omop", marks=pytest.mark.postgres)]
)
def test_active_conditions_equal_memory(target: str, request: pytest.FixtureRequest) -> None:
    sql, memory = sql_and_memory(request.getfixturevalue(target), _eligibility())
    _assert_equal(sql, memory, EQUIVALENCE_PATIENTS)
    table = sql.table
    # no clinical status in OMOP: a record found is unknown, none is not met, never met
    assert set(table["E1"]) == {"unknown", "not met"}
    assert set(table["I1"]) <= {"unknown", "met"}
    # the plain rule beside it still decides on the same records
    assert "met" in set(table["E3"])
    # (unknown for both where the person has no observation period: no closed world)
    assert (table.loc[table["E1"] == "unknown", "E3"] != "not met").all()
    # a record ended before the as-of date counts for the plain rule, not for the active one
    assert set(table.loc[table["E3"] == "met", "E1"]) == {"unknown", "not met"}
