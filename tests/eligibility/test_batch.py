"""The vectorised screen gives the one-by-one screen's status for every rule and criterion."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from oncotrial.eligibility.batch import frames_from_patients, rule_statuses, screen_frames
from oncotrial.eligibility.criteria import Criterion, Eligibility
from oncotrial.eligibility.parser import propose_rules
from oncotrial.eligibility.rules import (
    AgeRule,
    AllOfRule,
    BiomarkerRule,
    ConditionalRule,
    ConditionRule,
    DerivedRule,
    JudgementRule,
    LabResultRule,
    LabRule,
    LesionRule,
    MedicationRule,
    PerformanceStatusRule,
    ProcedureRule,
    RegimenRule,
    SexRule,
    Window,
)
from oncotrial.eligibility.screening import screen_patient
from oncotrial.formats.protocol_files import read_protocols

from .builders import seed_eligibility
from .random_patients import AS_OF, random_patients

PATIENTS = random_patients(300, seed=11)
FRAMES = frames_from_patients(PATIENTS)


def _every_kind() -> Eligibility:
    """Rule kinds and options the seeds do not use (BMI, Karnofsky, PD-L1, age at first dose…)."""

    def base(kind: type, rid: str, **fields):
        return kind(
            kind=kind.model_fields["kind"].annotation.__args__[0], id=rid, description=rid, **fields
        )

    inclusion = (
        Criterion(
            id="I1",
            kind="inclusion",
            text="x",
            rules=(
                base(
                    DerivedRule, "I1-1", quantity="bmi", comparator=">=", value=18.5, unit="kg/m^2"
                ),
                base(PerformanceStatusRule, "I1-2", scale="Karnofsky", allowed=(70, 80, 90, 100)),
                base(AgeRule, "I1-3", comparator="<=", value=75, at="first_dose"),
                # Lansky: decided on Lansky scores only, never mapped (eligibility.performance)
                base(PerformanceStatusRule, "I1-4", scale="Lansky", allowed=(60, 70, 80, 90, 100)),
                # the paediatric split: Karnofsky above 16 years, Lansky at 16 and below
                base(
                    ConditionalRule,
                    "I1-5",
                    when=base(AgeRule, "I1-5.1", comparator=">", value=16),
                    then=base(
                        PerformanceStatusRule, "I1-5.2", scale="Karnofsky", allowed=(50, 60, 70)
                    ),
                    otherwise=base(
                        PerformanceStatusRule, "I1-5.3", scale="Lansky", allowed=(50, 60, 70)
                    ),
                ),
                base(
                    LabRule, "I1-6", analyte="fev1_predicted", comparator=">=", value=50, unit="%"
                ),
                base(LabRule, "I1-7", analyte="marrow_blasts", comparator="<", value=5, unit="%"),
            ),
        ),
        Criterion(
            id="I2",
            kind="inclusion",
            text="x",
            rules=(
                base(BiomarkerRule, "I2-1", marker="PD-L1", comparator=">=", value=50),
                base(
                    BiomarkerRule,
                    "I2-2",
                    marker="ALK",
                    status="not_detected",
                    failed_as="not_detected",
                ),
                base(RegimenRule, "I2-3", therapies=("platinum_chemotherapy",), min_cycles=4),
            ),
        ),
        Criterion(
            id="I3",
            kind="inclusion",
            text="x",
            rules=(
                base(LesionRule, "I3-1", min_measurable=1, within=Window(value=6, unit="weeks")),
                base(
                    LabResultRule,
                    "I3-2",
                    analyte="urine_protein_dipstick",
                    comparator="<",
                    result="2+",
                ),
                base(
                    ConditionalRule,
                    "I3-3",
                    when=base(JudgementRule, "I3-3.1"),
                    then=base(SexRule, "I3-3.2", sex="female"),
                ),
                base(
                    ConditionalRule,
                    "I3-4",
                    when=base(SexRule, "I3-4.1", sex="female"),
                    then=base(JudgementRule, "I3-4.2"),
                    otherwise=base(
                        DerivedRule,
                        "I3-4.3",
                        quantity="qtc",
                        comparator="<",
                        value=450,
                        unit="ms",
                        within=Window(value=1, unit="months"),
                    ),
                ),
            ),
        ),
    )
    hiv = base(ConditionRule, "x", condition="hiv")
    inclusion += (
        Criterion(
            id="I4",
            kind="inclusion",
            text="x",
            rules=(
                # "Patients with HIV are eligible if CD4+ ≥ 350/µL and viral load undetectable"
                base(
                    ConditionalRule,
                    "I4-1",
                    when=hiv.model_copy(update={"id": "I4-1.1"}),
                    then=base(
                        AllOfRule,
                        "I4-1.2",
                        rules=(
                            base(
                                LabRule,
                                "I4-1.2.1",
                                analyte="cd4",
                                comparator=">=",
                                value=350,
                                unit="/uL",
                            ),
                            base(
                                LabResultRule,
                                "I4-1.2.2",
                                analyte="hiv_rna_detected",
                                comparator="==",
                                result="negative",
                            ),
                        ),
                    ),
                ),
                base(
                    LabResultRule,
                    "I4-2",
                    analyte="hcv_rna_detected",
                    comparator="==",
                    result="negative",
                ),
            ),
        ),
    )
    exclusion = (
        Criterion(
            id="E1",
            kind="exclusion",
            text="x",
            rules=(
                base(MedicationRule, "E1-1", therapy="immune_checkpoint_inhibitor"),
                base(MedicationRule, "E1-2", therapy="anticoagulant", ongoing=True),
                base(ProcedureRule, "E1-3", procedure="surgery"),
                base(
                    ConditionRule,
                    "E1-4",
                    condition="myocardial_infarction",
                    within=Window(value=1, unit="years"),
                ),
                base(ConditionRule, "E1-5", condition="nsclc", within=Window(value=200)),
            ),
        ),
    )
    return Eligibility(
        minimum_age={"value": 18},
        maximum_age={"value": 80},
        sex="FEMALE",
        inclusion=inclusion,
        exclusion=exclusion,
    )


def _walk(result):
    yield result
    for part in result.parts:
        yield from _walk(part)


def _compare(eligibility: Eligibility, first_dose: dt.date | None = None) -> int:
    rules = rule_statuses(eligibility, FRAMES, as_of=AS_OF, first_dose=first_dose)
    criteria = screen_frames(eligibility, FRAMES, as_of=AS_OF, first_dose=first_dose)
    compared = 0
    for patient in PATIENTS:
        one = screen_patient(eligibility, patient, as_of=AS_OF, first_dose=first_dose)
        assert criteria.loc[patient.id, "overall"] == one.overall.value, patient.id
        for c in one.criteria:
            assert criteria.loc[patient.id, c.criterion_id] == c.status.value, (
                patient.id,
                c.criterion_id,
            )
            for top in c.rules:
                for r in _walk(top):
                    assert rules.loc[patient.id, r.rule_id] == r.status.value, (
                        patient.id,
                        r.rule_id,
                    )
                    compared += 1
    return compared


@pytest.mark.parametrize("local_id", ["001", "002"])
def test_seed_rules(local_id: str) -> None:
    assert _compare(seed_eligibility(local_id)) > 5000


def test_with_a_first_dose_for_everyone() -> None:
    assert _compare(seed_eligibility("002"), first_dose=dt.date(2025, 3, 14)) > 5000


def test_proposed_rules_of_a_registry_record(shared: Path) -> None:
    (protocol,) = read_protocols(shared / "reference" / "ctgov" / "NCT04267848.json")
    assert _compare(propose_rules(protocol.eligibility)) > 1000


def test_every_rule_kind() -> None:
    eligibility = _every_kind()
    assert _compare(eligibility) > 3000
    statuses = rule_statuses(eligibility, FRAMES, as_of=AS_OF)
    for column in (
        "I1-1",
        "I1-2",
        "I1-4",
        "I1-5",
        "I1-6",
        "I1-7",
        "I2-1",
        "I2-2",
        "I2-3",
        "I3-1",
        "I3-2",
        "E1-1",
        "E1-2",
        "E1-4",
    ):
        assert statuses[column].nunique() >= 2, column  # the random patients reach both sides


def test_statuses_vary_on_the_seed_rules() -> None:
    statuses = rule_statuses(seed_eligibility("002"), FRAMES, as_of=AS_OF)
    computable = [c for c in statuses.columns if not (statuses[c] == "investigator").all()]
    assert len(computable) > 40
    for column in computable:
        assert statuses[column].nunique() >= 2, column
