"""Driver alterations named as present or absent (eligibility.reading_driver_markers; issue 12).

Real phrasings from the development corpus: jwlieb/clinical-trial-agent, commit
387df1768929a7cefaa15dfbd4d9ca3dcddd3fde (387df17), data/demo/results/*/trials.json (eligibility
raw_text), cited by NCT id and item; statuses one patient at a time and vectorised
(builders.item_status asserts the two agree).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import item_status, read_item

AS_OF = dt.date(2025, 3, 1)

# NCT06385262 E2, its first sentence
KNOWN = "Participants with known EGFR mutations, ALK translocation, or ROS1 translocation."
# NCT07288034 I7
ABSENCE = "Absence of sensitizing EGFR mutation or ALK/ROS1 alteration"
# NCT06973564 I4
KRAS = "Patients must have KRAS alterations."
# the usual exclusion of immunotherapy trials in NSCLC, as these records write it
EXCLUDED = "Patients with known EGFR sensitizing mutations or ALK translocations are excluded."


@pytest.mark.parametrize(
    ("kind", "text", "readings"),
    [
        ("exclusion", KNOWN, ["EGFR detected", "ALK detected", "ROS1 detected"]),
        ("inclusion", ABSENCE, ["EGFR not detected", "ALK not detected", "ROS1 not detected"]),
        ("inclusion", KRAS, ["KRAS detected"]),
        ("exclusion", EXCLUDED, ["EGFR detected", "ALK detected"]),
        (
            "inclusion",
            "No known EGFR mutation or ALK rearrangement",
            ["EGFR not detected", "ALK not detected"],
        ),
        # to enter with either alteration: one any-of rule, never both required
        (
            "inclusion",
            "EGFR mutation or ALK rearrangement",
            ["(EGFR detected) or (ALK detected)"],
        ),
    ],
)
def test_readings(kind: str, text: str, readings: list[str]) -> None:
    item = read_item(text, kind)
    assert [describe_rule(r) for r in item.rules] == readings
    assert item.unread == ()


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        # a variant is read by reading_variants (NCT05074810 I3 "Known KRAS G12C mutation",
        # test_biomarker_variants.py), never as the marker's status; NCT04585477 I2: exon 19 deletion or L858R
        (
            "inclusion",
            "Adenocarcinoma patients must NOT be positive for EGFR Exon 19 deletion or L858R "
            "mutation, or ALK or ROS1 rearrangement.",
        ),
        # "ALK mutation" is no rearrangement (NCT06695845 E16)
        (
            "exclusion",
            "Non-Small Cell Lung Cancer (NSCLC) participants with known ALK, EGFR mutations and "
            "ROS1 fusion.",
        ),
        # the test, not the result
        ("inclusion", "EGFR mutation status must be known"),
        # BRAF's concept is V600E: "BRAF mutation" is wider
        ("exclusion", "Known BRAF mutation or EGFR mutation"),
        # an absence in an exclusion, and "and" to enter
        ("exclusion", "Patients without EGFR mutation"),
        ("inclusion", "EGFR and ALK alterations"),
    ],
)
def test_not_read(kind: str, text: str) -> None:
    assert not any(r.kind in {"biomarker", "any_of"} for r in read_item(text, kind).rules)


def _patient(**results: Any) -> Patient:
    biomarkers = [
        {"marker": marker, "status": status, "date": "2025-02-01"}
        for marker, status in results.items()
    ]
    return Patient.model_validate({"id": "P", "biomarkers": biomarkers})


@pytest.mark.parametrize(
    ("patient", "excluded", "absent"),
    [
        (_patient(EGFR="detected", ALK="not_detected"), Status.MET, Status.NOT_MET),
        (
            _patient(EGFR="not_detected", ALK="not_detected", ROS1="not_detected"),
            Status.NOT_MET,
            Status.MET,
        ),
        # not tested for ALK: unknown, never taken as free of it
        (_patient(EGFR="not_detected"), Status.UNKNOWN, Status.UNKNOWN),
        (_patient(EGFR="failed", ALK="not_detected"), Status.UNKNOWN, Status.UNKNOWN),
        (_patient(), Status.UNKNOWN, Status.UNKNOWN),
    ],
)
def test_statuses(patient: Patient, excluded: Status, absent: Status) -> None:
    assert item_status(read_item(EXCLUDED, "exclusion"), patient, as_of=AS_OF) is excluded
    # the absence of both to enter: a marker not tested leaves it unknown
    absence = read_item("No known EGFR mutation or ALK rearrangement", "inclusion")
    assert item_status(absence, patient, as_of=AS_OF) is absent


def test_either_alteration_to_enter() -> None:
    item = read_item("EGFR mutation or ALK rearrangement", "inclusion")
    assert item_status(item, _patient(ALK="detected"), as_of=AS_OF) is Status.MET
    both_absent = _patient(EGFR="not_detected", ALK="not_detected")
    assert item_status(item, both_absent, as_of=AS_OF) is Status.NOT_MET
    assert item_status(item, _patient(EGFR="not_detected"), as_of=AS_OF) is Status.UNKNOWN
