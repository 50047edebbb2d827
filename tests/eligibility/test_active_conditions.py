"""'Active' conditions read through the condition's clinical status (issue 12).

"Active autoimmune disease", "Active interstitial lung disease", "active, non-infectious
pneumonitis": the condition with a clinical status of active, recurrence or relapse — HL7 FHIR R4
Condition.clinicalStatus (value set http://hl7.org/fhir/ValueSet/condition-clinical), recorded
as ``ConditionRecord.clinical_status``. Three-valued: met on an active record not abated by the
reference date; not met when there is no record (the list is complete) or every record is
inactive, in remission, resolved or abated; unknown while a record has no status (the screen
asks for it). Per patient and vectorised alike; the OMOP query, which has no clinical status,
says unknown where a record is found (tests/prescreen/test_active_conditions_sql.py).

Real phrasings from the development corpus: jwlieb/clinical-trial-agent, commit
387df1768929a7cefaa15dfbd4d9ca3dcddd3fde, data/demo/results/<dir>/trials.json (eligibility
raw_text); the directory is given with each phrasing (the first that holds the record).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from oncotrial.eligibility.batch import frames_from_patients, screen_frames
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.patient import CLINICAL_STATUS_CODES, ConditionRecord, Patient
from oncotrial.eligibility.rules import ConditionRule, describe_rule
from oncotrial.eligibility.screening import screen_patient
from oncotrial.errors import InputError
from oncotrial.formats.patients import read_patient_file

from .builders import proposed
from .random_patients import AS_OF, random_patients

SOURCE = "jwlieb/clinical-trial-agent@387df1768929a7cefaa15dfbd4d9ca3dcddd3fde"
KRAS = "data/demo/results/01_nsclc_kras_g12c_standard/trials.json"
MELANOMA = "data/demo/results/05_melanoma_braf_v600e/trials.json"

AUTOIMMUNE_ACTIVE = (
    "(Autoimmune disease (other than vitiligo, type 1 diabetes, autoimmune thyroiditis) "
    "(active)) or (Vitiligo (active)) or (Type 1 diabetes mellitus (active)) or (Autoimmune "
    "thyroiditis (Hashimoto) (active))"
)


def _autoimmune_active(qualifier: str) -> str:
    """AUTOIMMUNE_ACTIVE with the words no record shows (tests/eligibility/
    test_qualified_conditions.py) on each member."""
    return AUTOIMMUNE_ACTIVE.replace("(active)", f'(active), to confirm: "{qualifier}"')


AUTOIMMUNE_EVER = (
    "(Autoimmune disease (other than vitiligo, type 1 diabetes, autoimmune thyroiditis)) or "
    "(Vitiligo) or (Type 1 diabetes mellitus) or (Autoimmune thyroiditis (Hashimoto))"
)


def _read(text: str, kind: str = "exclusion") -> Criterion:
    return read_criterion(Criterion(id="E1", kind=CriterionKind(kind), text=text)).criterion


# (NCT id, source path, text, kind, readings, unread)
READINGS: list[tuple[str, str, str, str, list[str], tuple[str, ...]]] = [
    (
        "NCT06720987",
        KRAS,
        "Active interstitial lung disease",
        "exclusion",
        ["Interstitial lung disease (active)"],
        (),
    ),
    (
        # listed among the record's exclusion items (E7): under the exclusion heading "must not
        # have" restates the heading (parser's exclusion openings, test_exclusion_openings), so
        # the item is its condition (the same words as an inclusion item: below, a negation)
        "NCT06561386",
        KRAS,
        "Participants must not have an active autoimmune disease.",
        "exclusion",
        [AUTOIMMUNE_ACTIVE],
        (),
    ),
    (
        "NCT06561386",
        KRAS,
        "Participants must not have an active autoimmune disease.",
        "inclusion",
        [f"not ({AUTOIMMUNE_ACTIVE})"],
        (),
    ),
    (
        # "X or active Y": the qualifier is Y's; "non-infectious" is part of the mention
        "NCT06814496",
        KRAS,
        "Has evidence of interstitial lung disease or active, non-infectious pneumonitis.",
        "exclusion",
        ["Interstitial lung disease", "Pneumonitis (active)"],
        (),
    ),
    (
        # "active or history of": the condition at any time, with the steroids no record shows
        # (reading_qualified; reaching the active one too never gives a wrong verdict)
        "NCT06162221",
        KRAS,
        "Active or history of interstitial lung disease (ILD) or pneumonitis requiring steroids",
        "exclusion",
        [
            'Interstitial lung disease, to confirm: "requiring steroids"',
            'Pneumonitis, to confirm: "requiring steroids"',
        ],
        (),
    ),
    (
        "NCT04991025",
        KRAS,
        "Active or history of autoimmune disease or immune deficiency",
        "exclusion",
        [AUTOIMMUNE_EVER],
        ("or immune deficiency",),
    ),
    (
        # "has an active": the treatment it required is the qualifier no record shows
        "NCT05669846",
        KRAS,
        "Has active autoimmune disease that has required systemic treatment in the past 2 years "
        "(i.e. with use of disease modifying agents, corticosteroids or immunosuppressive drugs).",
        "exclusion",
        [
            _autoimmune_active(
                "that has required systemic treatment in the past 2 years (i.e. with use of "
                "disease modifying agents, corticosteroids or immunosuppressive drugs)"
            )
        ],
        (),
    ),
    (
        "NCT05067283",
        KRAS,
        "Has an active autoimmune disease requiring systemic therapy",
        "exclusion",
        [_autoimmune_active("requiring systemic therapy")],
        (),
    ),
    (
        # "Active ILD/pneumonitis or a history of ILD/pneumonitis requiring …": read whole by
        # reading_qualified, the active pair and the pair with the steroids no record shows
        "NCT04370587",
        MELANOMA,
        "Active interstitial lung disease (ILD)/pneumonitis or a history of ILD/pneumonitis "
        "requiring treatment with systemic steroids.",
        "exclusion",
        [
            "Interstitial lung disease (active)",
            "Pneumonitis (active)",
            'Interstitial lung disease, to confirm: "requiring treatment with systemic steroids"',
            'Pneumonitis, to confirm: "requiring treatment with systemic steroids"',
        ],
        (),
    ),
    (
        # "active, known or suspected": not the qualifier before the mention; stays unread
        "NCT04219254",
        KRAS,
        "Has an active, known or suspected autoimmune disease.",
        "exclusion",
        [AUTOIMMUNE_EVER],
        ("Has an active, known or suspected",),
    ),
]


@pytest.mark.parametrize(
    ("nct", "path", "text", "kind", "readings", "unread"),
    READINGS,
    ids=[f"{r[0]}-{r[3]}" for r in READINGS],
)
def test_real_phrasings_are_read(
    nct: str, path: str, text: str, kind: str, readings: list[str], unread: tuple[str, ...]
) -> None:
    criterion = _read(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == readings, (nct, path)
    assert criterion.unread == unread


def test_the_source_of_every_phrasing_is_cited() -> None:
    assert SOURCE.endswith("387df1768929a7cefaa15dfbd4d9ca3dcddd3fde")
    for nct, path, *_ in READINGS:
        assert nct.startswith("NCT") and path.startswith("data/demo/") and path.endswith(".json")


@pytest.mark.parametrize(
    ("text", "readings", "unread"),
    [
        # short forms named in the issue: "known active", "current or active", "concurrent
        # active", "patients with active"
        ("Has known active autoimmune disease", [AUTOIMMUNE_ACTIVE], ()),
        ("Current or active pneumonitis", ["Pneumonitis (active)"], ()),
        ("Concurrent active autoimmune disease", [AUTOIMMUNE_ACTIVE], ()),
        ("Patients with active autoimmune disease", [AUTOIMMUNE_ACTIVE], ()),
        # 'active' reaches the mentions joined after it, when it qualifies each of them
        (
            "Active interstitial lung disease or pneumonitis",
            ["Interstitial lung disease (active)", "Pneumonitis (active)"],
            (),
        ),
        # … and stays unread when one of them has its own 'active' (HIV: a viral load) or when
        # whether it reaches the next is not said
        ("Active pneumonitis or HIV", ["Pneumonitis", "HIV infection"], ("Active",)),
        ("Active autoimmune disease or pneumonitis", [AUTOIMMUNE_EVER, "Pneumonitis"], ("Active",)),
        # active once, at any time: neither the status now nor read as 'ever'
        ("History of active pneumonitis", ["Pneumonitis"], ("History of active",)),
        (
            "Has a history of active autoimmune disease",
            [AUTOIMMUNE_EVER],
            ("Has a history of active",),
        ),
    ],
)
def test_short_forms(text: str, readings: list[str], unread: tuple[str, ...]) -> None:
    criterion = _read(text)
    assert [describe_rule(r) for r in criterion.rules] == readings
    assert criterion.unread == unread


@pytest.mark.parametrize(
    ("nct", "path", "text", "readings"),
    [
        # hepatitis B/C, HIV and brain/CNS metastases: 'active' undefined by the item is the
        # sponsor's word, not a clinical status — a qualifier on the current condition
        (
            "NCT02861573",
            "data/demo/results/09_prostate_brca2/trials.json",
            "Has known active Hepatitis B or Hepatitis C",
            [
                'Hepatitis B (current), to confirm: "active"',
                'Hepatitis C (current), to confirm: "active"',
            ],
        ),
        (
            "NCT04262466",
            MELANOMA,
            "Active hepatitis B virus (HBV), hepatitis C virus (HCV), or human immunodeficiency "
            "virus (HIV) infection",
            [
                'Hepatitis B (current), to confirm: "active"',
                'Hepatitis C (current), to confirm: "active"',
                'HIV infection (current), to confirm: "active"',
            ],
        ),
        (
            "NCT04130516",
            KRAS,
            "has known active CNS metastases and/or carcinomatous meningitis.",
            [
                'Brain or other central nervous system metastases (current), to confirm: "active"',
                'Leptomeningeal disease (current), to confirm: "active"',
            ],
        ),
    ],
)
def test_undefined_viral_and_cns_active_is_confirmed(
    nct: str, path: str, text: str, readings: list[str]
) -> None:
    criterion = _read(text)
    assert [describe_rule(r) for r in criterion.rules] == readings, (nct, path)
    assert criterion.unread == ()
    for rule in criterion.rules:
        assert isinstance(rule, ConditionRule) and not rule.active and rule.qualifier == "active"


@pytest.mark.parametrize(
    ("records", "status"),
    [
        ([], Status.NOT_MET),  # no hepatitis recorded: the list is complete
        ([{"concept": "hepatitis_c", "onset": "2015-01-01"}], Status.UNKNOWN),  # active?
        (  # cured: resolved before the screen, so no active infection
            [{"concept": "hepatitis_c", "onset": "2015-01-01", "abatement": "2016-01-01"}],
            Status.NOT_MET,
        ),
        (  # a clinical status of active is still no viral load: confirmed by the screener
            [{"concept": "hepatitis_b", "onset": "2015-01-01", "clinical_status": "active"}],
            Status.UNKNOWN,
        ),
        (None, Status.UNKNOWN),
    ],
)
def test_an_undefined_active_hepatitis_is_never_met_on_the_record_alone(
    records: list[dict[str, Any]] | None, status: Status
) -> None:
    result = _screen("Has known active Hepatitis B or Hepatitis C", records)
    assert result.status is status


# ---- evaluation


def _screen(text: str, conditions: list[dict[str, Any]] | None, kind: str = "exclusion") -> Any:
    criterion = _read(text, kind)
    items = {"inclusion": (), "exclusion": ()} | {kind: (criterion,)}
    eligibility = Eligibility(inclusion=items["inclusion"], exclusion=items["exclusion"])
    fields: dict[str, Any] = {"id": "P", "sex": "female"}
    if conditions is not None:
        fields["conditions"] = conditions
    patient = Patient.model_validate(fields)
    one = screen_patient(eligibility, patient, as_of=AS_OF)
    batch = screen_frames(eligibility, frames_from_patients([patient]), as_of=AS_OF)
    (result,) = one.criteria
    assert batch.loc["P", "E1"] == result.status.value
    return result


ILD = "Interstitial lung disease"
ACTIVE_ILD = "Active interstitial lung disease"  # NCT06720987 (KRAS)


@pytest.mark.parametrize(
    ("conditions", "status"),
    [
        ([{"text": ILD, "onset": "2023-05-01", "clinical_status": "active"}], Status.MET),
        ([{"text": ILD, "clinical_status": "recurrence"}], Status.MET),
        ([{"text": ILD, "clinical_status": "relapse"}], Status.MET),
        ([{"text": ILD, "onset": "2023-05-01", "clinical_status": "resolved"}], Status.NOT_MET),
        ([{"text": ILD, "clinical_status": "remission"}], Status.NOT_MET),
        ([{"text": ILD, "clinical_status": "inactive"}], Status.NOT_MET),
        # abated before the reference date: not there now, whatever the status says
        (
            [{"text": ILD, "abatement": "2024-06-01", "clinical_status": "active"}],
            Status.NOT_MET,
        ),
        ([{"text": ILD, "abatement": "2024-06-01"}], Status.NOT_MET),
        # diagnosed after the reference date
        ([{"text": ILD, "onset": "2025-06-01", "clinical_status": "active"}], Status.NOT_MET),
        ([{"text": ILD, "onset": "2023-05-01"}], Status.UNKNOWN),  # no status, not abated
        # one active record decides; a resolved one beside an unrecorded one leaves it unknown
        (
            [{"text": ILD, "clinical_status": "resolved"}, {"text": ILD}],
            Status.UNKNOWN,
        ),
        (
            [{"text": ILD}, {"text": ILD, "clinical_status": "active"}],
            Status.MET,
        ),
        ([], Status.NOT_MET),  # the list is complete: no record
        ([{"text": "Hypertension", "clinical_status": "active"}], Status.NOT_MET),
        (None, Status.UNKNOWN),  # no medical history given
    ],
)
def test_an_active_condition_is_three_valued(
    conditions: list[dict[str, Any]] | None, status: Status
) -> None:
    assert _screen(ACTIVE_ILD, conditions).status is status


def test_a_record_without_a_status_asks_for_it() -> None:
    result = _screen(ACTIVE_ILD, [{"text": ILD, "onset": "2023-05-01"}])
    assert result.status is Status.UNKNOWN
    assert any("clinical status of Interstitial lung disease" in m for m in result.missing)
    active = _screen(ACTIVE_ILD, [{"text": ILD, "clinical_status": "relapse"}])
    evidence = [e for r in active.rules for e in r.evidence]
    assert any(e.note == "clinical status relapse" for e in evidence)


def test_the_plain_rule_does_not_read_the_status() -> None:
    # "History of interstitial lung disease": a resolved record counts (ever)
    result = _screen(
        "History of interstitial lung disease", [{"text": ILD, "clinical_status": "resolved"}]
    )
    assert result.status is Status.MET


BRAIN = "Brain metastases"


@pytest.mark.parametrize(
    ("conditions", "status"),
    [
        ([{"text": BRAIN, "onset": "2024-05-01"}], Status.MET),  # not abated: current
        ([{"text": BRAIN, "clinical_status": "active"}], Status.MET),
        # FHIR R4 Condition.clinicalStatus says it is over, with or without an abatement date
        ([{"text": BRAIN, "clinical_status": "resolved"}], Status.NOT_MET),
        ([{"text": BRAIN, "clinical_status": "remission"}], Status.NOT_MET),
        ([{"text": BRAIN, "clinical_status": "inactive"}], Status.NOT_MET),
        ([{"text": BRAIN, "abatement": "2024-06-01"}], Status.NOT_MET),
        ([{"text": BRAIN, "clinical_status": "resolved"}, {"text": BRAIN}], Status.MET),
    ],
)
def test_a_current_condition_is_over_when_its_status_says_so(
    conditions: list[dict[str, Any]], status: Status
) -> None:
    # "Known brain metastases": the condition now (ConditionRule.current), per patient and
    # vectorised alike (_screen)
    assert _screen("Known brain metastases", conditions).status is status


def test_an_inclusion_negates_the_active_condition() -> None:
    # NCT06561386 (KRAS) E7's words, read as an inclusion item
    text = "Participants must not have an active autoimmune disease."
    ra = {"text": "rheumatoid arthritis", "onset": "2015-01-01"}
    assert _screen(text, [ra | {"clinical_status": "active"}], "inclusion").status is (
        Status.NOT_MET
    )
    assert _screen(text, [ra | {"clinical_status": "remission"}], "inclusion").status is (
        Status.MET
    )
    assert _screen(text, [ra], "inclusion").status is Status.UNKNOWN


def test_an_active_rule_is_current_alone() -> None:
    with pytest.raises(ValueError, match="active alone"):
        ConditionRule(
            id="r",
            kind="condition",
            description="pneumonitis",
            condition="pneumonitis",
            active=True,
            current=True,
        )
    with pytest.raises(ValueError, match="clinical_status"):
        ConditionRecord.model_validate({"text": ILD, "clinical_status": "cured"})


# ---- per patient and vectorised agree on random patients

AGREEMENT_ITEMS = (
    ("E1", "Active interstitial lung disease"),  # NCT06720987 (KRAS)
    ("E2", "Has evidence of interstitial lung disease or active, non-infectious pneumonitis."),
    ("E3", "Has known active autoimmune disease"),
    ("E4", "Active or history of autoimmune disease"),
    ("I1", "Participants must not have an active autoimmune disease."),  # NCT06561386 E7
)


def _with_statuses(patients: list[Patient], seed: int) -> list[Patient]:
    """The random patients, each condition given a clinical status (or none) at random."""
    rng = random.Random(seed)
    out = []
    for p in patients:
        if p.conditions is None:
            out.append(p)
            continue
        conditions = tuple(
            c.model_copy(
                update={"clinical_status": rng.choice([None, None, *CLINICAL_STATUS_CODES])}
            )
            for c in p.conditions
        )
        out.append(p.model_copy(update={"conditions": conditions}))
    return out


def test_random_patients_agree_per_patient_and_vectorised() -> None:
    eligibility = proposed(AGREEMENT_ITEMS)
    patients = _with_statuses(random_patients(400, seed=12), seed=12)
    batch = screen_frames(eligibility, frames_from_patients(patients), as_of=AS_OF)
    seen: dict[str, set[str]] = {i: set() for i, _ in AGREEMENT_ITEMS}
    for patient in patients:
        one = screen_patient(eligibility, patient, as_of=AS_OF)
        assert batch.loc[patient.id, "overall"] == one.overall.value, patient.id
        for c in one.criteria:
            assert batch.loc[patient.id, c.criterion_id] == c.status.value, (patient.id, c)
            seen[c.criterion_id].add(c.status.value)
    for item in ("E1", "E2", "E3", "I1"):
        assert seen[item] == {"met", "not met", "unknown"}, (item, seen[item])


# ---- patient files: FHIR Condition.clinicalStatus, JSON and CSV

CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"


def _condition(rid: str, text: str, status: str | None, system: str = CLINICAL) -> dict:
    resource: dict[str, Any] = {
        "resourceType": "Condition",
        "id": rid,
        "code": {"text": text},
        "subject": {"reference": "Patient/f1"},
        "onsetDateTime": "2023-05-01",
    }
    if status is not None:
        resource["clinicalStatus"] = {"coding": [{"system": system, "code": status}]}
    return {"resource": resource}


def _bundle(*conditions: dict) -> dict:
    patient = {"resourceType": "Patient", "id": "f1", "gender": "female"}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": "urn:uuid:f1", "resource": patient}, *conditions],
    }


def _write(tmp_path: Path, name: str, content: str | dict) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


def test_fhir_clinical_status_is_read(tmp_path: Path) -> None:
    bundle = _bundle(
        _condition("c1", ILD, "active"),
        _condition("c2", "Pneumonitis", "resolved"),
        _condition("c3", "rheumatoid arthritis", None),
    )
    (patient,) = read_patient_file(_write(tmp_path, "bundle.json", bundle))
    assert patient.conditions is not None
    assert [c.clinical_status for c in patient.conditions] == ["active", "resolved", None]
    criterion = _read(ACTIVE_ILD)
    eligibility = Eligibility(inclusion=(), exclusion=(criterion,))
    (result,) = screen_patient(eligibility, patient, as_of=AS_OF).criteria
    assert result.status is Status.MET


def test_fhir_clinical_status_outside_the_value_set_is_an_error(tmp_path: Path) -> None:
    bundle = _bundle(_condition("c1", ILD, "cured"))
    with pytest.raises(InputError, match="clinical status 'cured'"):
        read_patient_file(_write(tmp_path, "bundle.json", bundle))
    # a coding of another system is not the clinical status: none recorded
    other = _bundle(_condition("c1", ILD, "55561003", system="http://snomed.info/sct"))
    (patient,) = read_patient_file(_write(tmp_path, "other.json", other))
    assert patient.conditions is not None and patient.conditions[0].clinical_status is None


def test_json_and_csv_records_carry_the_clinical_status(tmp_path: Path) -> None:
    record = {
        "id": "J1",
        "conditions": [{"name": ILD, "onset": "2023-05-01", "clinical_status": "remission"}],
    }
    (patient,) = read_patient_file(_write(tmp_path, "p.json", record))
    assert patient.conditions is not None and patient.conditions[0].clinical_status == "remission"
    csv = (
        "patient_id,section,item,value,unit,date,end_date,low,high,code,system,category,line\n"
        f"C1,condition,{ILD},Active,,2023-05-01,,,,,,,\n"
        "C1,condition,Pneumonitis,,,2024-01-01,,,,,,,\n"
    )
    (patient,) = read_patient_file(_write(tmp_path, "p.csv", csv))
    assert patient.conditions is not None
    assert [c.clinical_status for c in patient.conditions] == ["active", None]
    bad = csv.replace("Active", "cured")
    with pytest.raises(InputError):
        read_patient_file(_write(tmp_path, "bad.csv", bad))
