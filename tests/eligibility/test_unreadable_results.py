"""A warehouse result the scale does not know ("moderate" on a dipstick scale of negative, trace,
1+ …) leaves the criterion unknown for that patient, with everyone else decided: never a crash
of the whole screen, never a silent "not met" (the prescreen memory engine reads OMOP rows that
no patient-file check has seen; issue 16's equivalence found the crash)."""

from __future__ import annotations

import datetime as dt

from oncotrial.eligibility.batch import frames_from_patients, rule_statuses
from oncotrial.eligibility.criteria import Criterion, Eligibility
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import LabResultRule

AS_OF = dt.date(2025, 3, 10)


def test_an_unknown_ordinal_result_is_unknown_not_an_error() -> None:
    rule = LabResultRule(
        kind="lab_result",
        id="I1-1",
        description="urine protein < 2+",
        analyte="urine_protein_dipstick",
        comparator="<",
        result="2+",
    )
    eligibility = Eligibility(
        inclusion=(Criterion(id="I1", kind="inclusion", text="Urine protein < 2+", rules=(rule,)),)
    )
    patients = [
        Patient.model_validate(
            {
                "id": pid,
                "observations": [
                    {"analyte": "urine_protein_dipstick", "result": r, "date": "2025-03-01"}
                ],
            }
        )
        for pid, r in (("P1", "trace"), ("P2", "3+"), ("P3", "trace"))
    ]
    frames = frames_from_patients(patients)
    observations = frames.observations.copy()
    observations.loc[observations["patient"] == 2, "result"] = "moderate"
    frames = type(frames)(**{**vars(frames), "observations": observations})
    statuses = rule_statuses(eligibility, frames, as_of=AS_OF)
    column = next(c for c in statuses.columns if "I1" in str(c))
    assert list(statuses[column]) == ["met", "not met", "unknown"]
