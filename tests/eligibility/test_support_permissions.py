"""A permission to reach a blood-count limit with transfusions or growth factors
(reading_lab_support): the limit is decided on the value recorded, the permission consumed; a
permission that goes on to restrict stays unread.

Records: jwlieb/clinical-trial-agent ``data/demo/*/*/trials.json`` at
387df1768929a7cefaa15dfbd4d9ca3dcddd3fde (records in no corpus of these tests), cited by NCT id
and item.
"""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient

from .builders import assert_read_whole, assert_undecided, item_status, read_item

AS_OF = dt.date(2025, 6, 2)


@pytest.mark.parametrize(
    ("source", "text", "reading"),
    [
        (
            "NCT05997056 I8.3",
            "Hemoglobin ≥8.0 g/dL (transfusion and/or growth factor support allowed)",
            "Hemoglobin ≥ 8 g/dL",
        ),
        (
            "NCT03971409 I5.4",
            "Hemoglobin \\>= 9 g/dL (may have been transfused)",
            "Hemoglobin ≥ 9 g/dL",
        ),
        (
            "NCT01174121 I16",
            "Hemoglobin \\> 8.0 g/dL. Subjects may be transfused to reach this cut-off.",
            "Hemoglobin > 8 g/dL",
        ),
        (
            "NCT04633512 I14",
            "Platelet count ≥75,000/μL (may receive transfusions)",
            "Platelet count ≥ 75000 /uL",
        ),
        (
            "NCT04266730 I5.3",
            "Hemoglobin \\>8 g/dL (use of transfusion to reach this threshold prior to study "
            "initiation is acceptable)",
            "Hemoglobin > 8 g/dL",
        ),
        (
            "NCT03971409 I5.2",
            "Absolute neutrophil count (ANC) \\>= 1.0 x 10\\^9/L (may have received growth factor)",
            "Absolute neutrophil count ≥ 1 × 10^9/L",
        ),
    ],
)
def test_a_permission_is_read_with_its_limit(source: str, text: str, reading: str) -> None:
    assert_read_whole(text, "inclusion", [reading], source)


@pytest.mark.parametrize(
    "text",
    [
        # NCT05576896 I8: allowed, "but no more than 2 units of pRBC in the prior 4 weeks"
        "Hemoglobin (Hgb) ≥ 9 g/dL NOTE: Transfusions will be allowed to achieve this, but no "
        "more than 2 units of pRBC in the prior 4 weeks.",
        # NCT06124118 I9.3: allowed for one cohort only, for one cause only
        "Hemoglobin ≥ 10 g/dL (transfusions are allowed for Device Duration Level 2 only if "
        "anemia is due to prior therapy.)",
        # NCT05154487 I15.3: the next sentence restricts the transfusion's timing
        "Hemoglobin greater than or equal to 8 g/dL (Patients may receive erythrocyte "
        "transfusions to achieve this hemoglobin level at the discretion of the investigator. "
        "Initial treatment must not begin earlier than the day after erythrocyte transfusion)",
    ],
)
def test_a_permission_that_goes_on_to_restrict_stays_unread(text: str) -> None:
    assert_undecided(text)


def test_decided_on_the_value_recorded() -> None:
    criterion = read_item("Hemoglobin \\>= 9 g/dL (may have been transfused)", "inclusion")

    def patient(value: float | None) -> Patient:
        observations = (
            [{"analyte": "hemoglobin", "value": value, "unit": "g/dL", "date": "2025-05-30"}]
            if value is not None
            else []
        )
        return Patient.model_validate({"id": "P", "observations": observations})

    assert item_status(criterion, patient(9.5), as_of=AS_OF) is Status.MET
    assert item_status(criterion, patient(8.5), as_of=AS_OF) is Status.NOT_MET
    assert item_status(criterion, patient(None), as_of=AS_OF) is Status.UNKNOWN
