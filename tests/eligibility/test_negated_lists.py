"""Sub-items of an inclusion that negates its list are never decided alone.

"No concurrent serious illness including, but not limited to, any of the following:" (NCT00602576
I2.11, round-5 tuning corpus) lists what excludes; a sub-item "Myocardial infarction within the
past 6 months" read as an inclusion of its own *required* a myocardial infarction, so every
patient without one failed (found by the wave/nyha helper). Such a sub-item now quotes the parent
and goes to the investigator.
"""

from __future__ import annotations

from oncotrial.eligibility.criteria import Eligibility, split_criteria
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.parser import read_eligibility

TEXT = """Inclusion Criteria:
- No concurrent serious illness including, but not limited to, any of the following:
    - Myocardial infarction within the past 6 months
- Patients must have the following:
    - ECOG performance status 0-1
- ECOG 0-1
"""


def _read() -> dict[str, tuple[bool, tuple[str, ...]]]:
    inclusion, exclusion = split_criteria(TEXT)
    readings = read_eligibility(Eligibility(inclusion=inclusion, exclusion=exclusion))
    return {
        r.criterion.id: (is_computable(r.criterion.rules, r.criterion.unread), r.criterion.unread)
        for r in readings
    }


def test_a_sub_item_of_a_negated_list_quotes_the_negation() -> None:
    computable, unread = _read()["I1.1"]
    assert not computable
    assert any(u.startswith("under the negation of item I1") for u in unread)


def test_a_sub_item_of_a_list_to_meet_is_read() -> None:
    readings = _read()
    assert readings["I2.1"] == (True, ())
    assert readings["I3"] == (True, ())
