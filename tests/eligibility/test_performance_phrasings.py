"""Performance status written with its scores before the scale's name, and the scale's naming
words in capitals (eligibility.reading_performance; issue 12).

Real phrasings from the development corpus: jwlieb/clinical-trial-agent, commit
387df1768929a7cefaa15dfbd4d9ca3dcddd3fde (387df17), data/demo/results/*/trials.json (eligibility
raw_text), cited by NCT id and item. Each reading is checked on patients one at a time and
vectorised (builders.item_status asserts the two agree).
"""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import describe_rule

from .builders import item_status, read_item

AS_OF = dt.date(2025, 3, 1)

READINGS = [
    # NCT06216938 I8
    (
        "inclusion",
        "Have a performance status of 0 or 1 on the Eastern Cooperative Oncology Group (ECOG) "
        "Performance Scale.",
        "ECOG performance status 0–1",
    ),
    # NCT04291105 I5
    (
        "inclusion",
        "Performance status of 0 or 1 on the ECOG Performance Scale",
        "ECOG performance status 0–1",
    ),
    # NCT02693535 I3
    (
        "inclusion",
        "Performance status 0-2 (Per Eastern Cooperative Oncology Group (ECOG) criteria)",
        "ECOG performance status 0–2",
    ),
    # NCT06090266 E3: "Performance Status (PS)" in capitals between the name and the limit
    (
        "exclusion",
        "Subject has an Eastern Cooperative Oncology Group (ECOG) Performance Status (PS) > 2.",
        "ECOG performance status 3–5",
    ),
    # the scale in brackets after the scores; WHO's scale is ECOG's
    ("inclusion", "Performance status (PS) 0-1 (WHO)", "ECOG performance status 0–1"),
    (
        "inclusion",
        "Performance status of 0, 1 or 2 on the ECOG scale within 14 days prior to registration",
        "ECOG performance status 0–2 within 14 days before registration (the screen's as-of date)",
    ),
]


@pytest.mark.parametrize(("kind", "text", "reading"), READINGS)
def test_readings(kind: str, text: str, reading: str) -> None:
    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == [reading]
    assert criterion.unread == ()


@pytest.mark.parametrize(
    "text",
    [
        # a list with a gap, and a scale that is not ECOG's: left to the investigator
        "Performance status of 0 or 2 on the ECOG scale",
        "Performance status ≤ 2 on the Karnofsky scale",
        # one score, with no limit: which way is not said
        "Performance status 2 (ECOG)",
    ],
)
def test_not_read(text: str) -> None:
    assert read_item(text, "inclusion").rules == ()


def _patient(score: int | None, date: str = "2025-02-25") -> Patient:
    records = [] if score is None else [{"scale": "ECOG", "score": score, "date": date}]
    return Patient.model_validate({"id": "P", "performance_status": records})


@pytest.mark.parametrize(
    ("patient", "inclusion", "exclusion"),
    [
        (_patient(1), Status.MET, Status.NOT_MET),
        (_patient(2), Status.NOT_MET, Status.NOT_MET),
        (_patient(3), Status.NOT_MET, Status.MET),
        (_patient(None), Status.UNKNOWN, Status.UNKNOWN),
    ],
)
def test_statuses(patient: Patient, inclusion: Status, exclusion: Status) -> None:
    entry = read_item(READINGS[0][1], "inclusion")
    excluded = read_item(READINGS[3][1], "exclusion")
    assert item_status(entry, patient, as_of=AS_OF) is inclusion
    assert item_status(excluded, patient, as_of=AS_OF) is exclusion


def test_the_window_after_the_scale() -> None:
    criterion = read_item(READINGS[5][1], "inclusion")
    assert item_status(criterion, _patient(1, "2025-02-20"), as_of=AS_OF) is Status.MET
    # assessed 30 days before registration: outside the 14 days, no score to decide on
    old = item_status(criterion, _patient(1, "2025-01-30"), as_of=AS_OF)
    assert old is Status.UNKNOWN


# A bracket giving the equivalent score on the other scale: "ECOG performance status ≤2
# (Karnofsky ≥60%, see Appendix A)" (NCT05779423 I6, data/demo/results/05_melanoma_braf_v600e
# of the development corpus above). Either score will do; a window after the bracket is the
# window of both, since it is one assessment named on two scales.
GLOSS_WINDOW = "ECOG 0-1 (Karnofsky ≥ 70%) within 14 days prior to registration"


def test_an_equivalent_score_in_a_bracket_is_an_alternative() -> None:
    criterion = read_item(
        "ECOG performance status ≤2 (Karnofsky ≥60%, see Appendix A)", "inclusion"
    )
    assert [describe_rule(r) for r in criterion.rules] == [
        "(ECOG performance status 0–2) or (Karnofsky performance status 60 or 70 or 80 or 90 or 100)"
    ]
    assert criterion.unread == ()
    windowed = read_item(GLOSS_WINDOW, "inclusion")
    assert windowed.unread == ()
    assert describe_rule(windowed.rules[0]).count("within 14 days before registration") == 2


def _scores(*scores: tuple[str, int, str]) -> Patient:
    records = [{"scale": s, "score": v, "date": d} for s, v, d in scores]
    return Patient.model_validate({"id": "P", "performance_status": records})


@pytest.mark.parametrize(
    ("patient", "status"),
    [
        # scored on Karnofsky only (held-out NCT01065844 I4's screening case): either will do
        (_scores(("Karnofsky", 80, "2025-02-25")), Status.MET),
        (_scores(("ECOG", 1, "2025-02-25")), Status.MET),
        (_scores(("ECOG", 2, "2025-02-25"), ("Karnofsky", 50, "2025-02-25")), Status.NOT_MET),
        # the ECOG score is older than the window: it decides nothing, as the Karnofsky one
        (_scores(("ECOG", 1, "2025-01-10")), Status.UNKNOWN),
        (_scores(("ECOG", 1, "2025-01-10"), ("Karnofsky", 90, "2025-02-25")), Status.MET),
    ],
)
def test_either_scale_within_the_window(patient: Patient, status: Status) -> None:
    assert item_status(read_item(GLOSS_WINDOW, "inclusion"), patient, as_of=AS_OF) is status
