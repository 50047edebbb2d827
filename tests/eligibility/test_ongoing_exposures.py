"""A medication with no end date is still being taken (``MedicationRecord.end``: none if
ongoing), so it is within any window up to the first dose.

The windowed evaluation took the start date as the last day taken: "At least 3 months since
prior trastuzumab" passed a patient who started trastuzumab five months ago and is still on it
(found by the wave/drugs helper). Per patient, vectorised and (for OMOP data) in the prescreening
SQL alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient

from .builders import item_status, read_item

AS_OF = dt.date(2025, 3, 1)


@pytest.mark.parametrize(
    ("medications", "status"),
    [
        ([{"text": "trastuzumab", "start": "2024-10-01"}], Status.NOT_MET),  # still taken
        ([{"text": "trastuzumab", "start": "2024-10-01", "end": "2024-10-20"}], Status.MET),
        ([{"text": "trastuzumab", "start": "2025-01-10", "end": "2025-01-20"}], Status.NOT_MET),
        ([{"text": "trastuzumab"}], Status.UNKNOWN),  # when: not recorded
        ([], Status.MET),
    ],
)
def test_no_end_date_is_taken_up_to_now(medications: list[dict[str, Any]], status: Status) -> None:
    criterion = read_item("At least 3 months since prior trastuzumab", "inclusion")
    patient = Patient.model_validate({"id": "P", "medications": medications})
    assert item_status(criterion, patient, as_of=AS_OF) is status


def test_an_exclusion_window_counts_an_ongoing_chemotherapy() -> None:
    criterion = read_item("Chemotherapy within 4 weeks prior to the first dose", "exclusion")
    patient = Patient.model_validate(
        {"id": "P", "medications": [{"text": "carboplatin", "start": "2024-06-01"}]}
    )
    assert item_status(criterion, patient, as_of=AS_OF) is Status.MET
