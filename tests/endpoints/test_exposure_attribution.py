"""Treatment window from the first intervention of any kind, exposure, EAIR and attribution.

On a simulated trial 002 (cryoablation, then serplulimab 300 mg Q3W up to 6 cycles) made by the
simulator from the reviewed protocol: the first intervention is the procedure, AEs after it count
as treatment-emergent, relatedness is read per intervention. Hand-made records pin the numbers.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from oncotrial.endpoints.attribution import (
    attribution_categories,
    flag_name,
    relatedness_flags,
)
from oncotrial.endpoints.exposure import (
    exposure_adjusted_incidence,
    intervention_window,
    summarise_exposure,
)
from oncotrial.endpoints.safety import ae_incidence, derive_adae
from oncotrial.errors import ValueProblem
from oncotrial.formats.ctcae import load_ctcae
from oncotrial.formats.protocol_files import find_protocol
from oncotrial.protocol.dosing import Dosing
from oncotrial.simulate.trial import simulate_trial


@pytest.fixture(scope="module")
def trial_002():
    return simulate_trial(find_protocol("002"), 25, 7)


@pytest.fixture(scope="module")
def ctcae(shared: Path, tmp_path_factory: pytest.TempPathFactory):
    copy = tmp_path_factory.mktemp("ctcae") / "CTCAE_v5.0.csv"
    shutil.copy(shared / "reference" / "ctcae" / "CTCAE_v5.0.csv", copy)
    return load_ctcae(copy)


def _subjects(trial) -> pd.DataFrame:
    dm = trial.frame("DM")
    return dm.rename(columns={"ARM": "ARM"})[["USUBJID", "ARM"]].astype(str)


def test_the_window_opens_at_the_cryoablation(trial_002) -> None:
    window = intervention_window(trial_002.frame("EX"), trial_002.frame("PR"))
    ex = trial_002.frame("EX")
    first_dose = pd.to_datetime(ex.groupby("USUBJID")["EXSTDTC"].min())
    treated = window.set_index("USUBJID")
    assert len(treated) >= 20
    for who, row in treated.iterrows():
        if who in first_dose.index:
            assert row["FIRSTINTDT"] <= first_dose[who]
    procedures = treated[treated["FIRSTINT"].str.contains("CRYOABLATION", case=False)]
    assert len(procedures) >= 0.8 * len(treated)  # the procedure comes first, as registered
    assert (procedures["FIRSTINTDT"] < procedures.index.map(first_dose)).all()


def test_aes_after_the_procedure_become_treatment_emergent(trial_002, ctcae) -> None:
    window = intervention_window(trial_002.frame("EX"), trial_002.frame("PR"))
    ex = trial_002.frame("EX")
    dose = ex.groupby("USUBJID")["EXSTDTC"].agg(["min", "max"]).reset_index()
    subjects = (
        _subjects(trial_002)
        .merge(dose.rename(columns={"min": "TRTSDT", "max": "TRTEDT"}), on="USUBJID", how="left")
        .merge(window, on="USUBJID", how="left")
    )
    ae = trial_002.frame("AE")
    by_dose = derive_adae(ae, subjects, dictionary=ctcae, window_days=90)
    by_intervention = derive_adae(
        ae,
        subjects,
        dictionary=ctcae,
        window_days=90,
        first_dose="FIRSTINTDT",
        last_dose="LASTINTDT",
    )
    assert (by_intervention["TRTEMFL"] == "Y").sum() > (by_dose["TRTEMFL"] == "Y").sum()
    gained = by_intervention[(by_intervention["TRTEMFL"] == "Y") & (by_dose["TRTEMFL"] != "Y")]
    assert not gained.empty  # e.g. pneumothorax between the procedure and the first dose


def test_relatedness_is_read_per_intervention(trial_002) -> None:
    protocol = trial_002.protocol
    names = tuple(i.name for i in protocol.interventions)
    columns = {name: f"AEREL{i}" for i, name in enumerate(names, start=1)}
    subjects = _subjects(trial_002)
    received = {arm.label: frozenset(arm.interventions) for arm in protocol.arms}
    arm_of = dict(zip(subjects["USUBJID"], subjects["ARM"], strict=True))
    ae = trial_002.frame("AE")
    flags = relatedness_flags(ae, columns, received, arm_of=arm_of)
    related_any = (flags[[flag_name(n) for n in names]] == "Y").any(axis=1)
    overall = ae["AEREL"].astype(str).str.upper().eq("RELATED").to_numpy()
    assert (related_any.to_numpy() == overall).all()
    categories = attribution_categories(names)
    assert [c.label for c in categories] == [
        "TEAE related to Serplulimab",
        "TEAE related to CT-guided Cryoablation",
    ]


def test_unknown_causality_is_an_error_naming_the_record() -> None:
    ae = pd.DataFrame({"USUBJID": ["1"], "AESEQ": [1], "AEREL1": ["MAYBE"]})
    with pytest.raises(ValueProblem, match="unknown causality 'MAYBE'") as caught:
        relatedness_flags(ae, {"Drug": "AEREL1"}, {"A": frozenset({"Drug"})}, arm_of={"1": "A"})
    assert caught.value.record == "subject 1" and caught.value.field == "AEREL1"


def test_missing_causality_counts_as_related_and_is_flagged() -> None:
    ae = pd.DataFrame(
        {"USUBJID": ["1", "2"], "AESEQ": [1, 1], "AEREL1": [None, None], "AEREL2": ["N", None]}
    )
    flags = relatedness_flags(
        ae,
        {"Drug": "AEREL1", "Radiotherapy": "AEREL2"},
        {"RT": frozenset({"Drug", "Radiotherapy"}), "Control": frozenset({"Drug"})},
        arm_of={"1": "RT", "2": "Control"},
    )
    assert list(flags["RELFL_DRUG"]) == ["Y", "Y"]
    assert list(flags["RELFL_DRUGIMP"]) == ["Y", "Y"]
    assert list(flags["RELFL_RADIOTHERAPY"]) == ["N", ""]  # control arm: not applicable


def test_exposure_and_relative_dose_intensity() -> None:
    ex = pd.DataFrame(
        {
            "USUBJID": ["1"] * 4 + ["2"] * 2,
            "EXTRT": ["DRUG"] * 6,
            "EXDOSE": [300, 300, 150, 300, 300, 300],
            "EXDOSU": ["mg"] * 6,
            "EXSTDTC": [
                "2024-01-01",
                "2024-01-22",
                "2024-02-12",
                "2024-03-11",  # 4 doses, one halved, one delay
                "2024-01-05",
                "2024-01-26",
            ],
            "EXADJ": [None, None, "ADVERSE EVENT", None, None, None],
        }
    )
    subjects = pd.DataFrame({"USUBJID": ["1", "2"], "ARM": ["A", "A"]})
    (drug,) = summarise_exposure(ex, subjects, {"DRUG": Dosing(dose=300, interval_days=21)})
    assert (drug.subjects, drug.modified, drug.dose_unit) == (2, 1, "mg")
    assert (drug.administrations.minimum, drug.administrations.maximum) == (2, 4)
    # subject 1: 1050 mg over 70 + 21 days; planned 300 mg per 21 days
    rdi_1 = (1050 / 91) / (300 / 21)
    rdi_2 = (600 / 42) / (300 / 21)
    assert drug.relative_dose_intensity.minimum == pytest.approx(min(rdi_1, rdi_2))
    assert drug.relative_dose_intensity.maximum == pytest.approx(max(rdi_1, rdi_2)) == 1.0
    assert drug.duration_days.maximum == 71
    (unplanned,) = summarise_exposure(ex, subjects)
    assert unplanned.relative_dose_intensity.median is None and "no planned dose" in unplanned.note


def test_exposure_adjusted_incidence_uses_time_to_first_event() -> None:
    window = pd.DataFrame(
        {
            "USUBJID": ["1", "2", "3"],
            "ARM": ["A", "A", "B"],
            "START": ["2024-01-01"] * 3,
            "END": ["2024-12-30", "2024-07-01", "2024-03-31"],  # 365, 183, 91 days
        }
    )
    adae = pd.DataFrame(
        {
            "USUBJID": ["1", "1", "3"],
            "ASTDT": ["2024-03-01", "2024-05-01", "2024-06-01"],  # 3's event is after its window
            "TRTEMFL": ["Y", "Y", "Y"],
        }
    )
    a, b = exposure_adjusted_incidence(adae, window)
    assert (a.arm, a.with_event, b.with_event) == ("A", 1, 0)
    assert a.patient_years == pytest.approx((61 + 183) / 365.25)
    assert b.patient_years == pytest.approx(91 / 365.25)
    assert a.rate.rate == pytest.approx(1 / a.patient_years)
    assert "per 100 patient-years" in a.rate.describe()


def test_incidence_by_intervention_category(trial_002, ctcae) -> None:
    protocol = trial_002.protocol
    names = tuple(i.name for i in protocol.interventions)
    subjects = _subjects(trial_002)
    window = intervention_window(trial_002.frame("EX"), trial_002.frame("PR"))
    subjects = subjects.merge(window, on="USUBJID", how="left")
    ae = trial_002.frame("AE")
    adae = derive_adae(
        ae,
        subjects,
        dictionary=ctcae,
        window_days=90,
        first_dose="FIRSTINTDT",
        last_dose="LASTINTDT",
    )
    flags = relatedness_flags(
        ae,
        {name: f"AEREL{i}" for i, name in enumerate(names, start=1)},
        {arm.label: frozenset(arm.interventions) for arm in protocol.arms},
        arm_of=dict(zip(subjects["USUBJID"], subjects["ARM"], strict=True)),
    )
    merged = adae.merge(flags, on=["USUBJID", "AESEQ"], how="left")
    drug, procedure = (
        ae_incidence(merged, subjects, category, first_dose="FIRSTINTDT")
        for category in attribution_categories(names)
    )
    assert drug.rows[0].counts[0].n + procedure.rows[0].counts[0].n > 0
    assert drug.denominators == procedure.denominators
