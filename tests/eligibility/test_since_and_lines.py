"""The time since a prior treatment, windows written with "≤", and counted prior lines of
systemic therapy, as real records write them (issue 12, eligibility on real registry text;
``reading_since``, ``reading_lines``).

The phrasings are quoted from ClinicalTrials.gov records kept in jwlieb/clinical-trial-agent at
commit 387df1768929a7cefaa15dfbd4d9ca3dcddd3fde, in data/demo/<dir>/trials.json (the directory
named beside each; the development corpus, never a test corpus).
"""

from __future__ import annotations

import datetime as dt

import pytest

from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import propose_rules
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import NotRule, PriorLinesRule, ProcedureRule, describe_rule

from .builders import (
    item_status,
    read_item,
    read_items_agree_on_random_patients,
    statuses_on_both_paths,
)
from .random_patients import AS_OF, random_patients

# data/demo/<dir>/trials.json of jwlieb/clinical-trial-agent @387df1768929a7cefaa15dfbd4d9ca3dcddd3fde
NSCLC = "results/01_nsclc_kras_g12c_standard"
BRAIN = "results/02_nsclc_kras_g12c_brain_mets"
EGFR = "results/03_nsclc_egfr_exon19"
COLORECTAL = "results/04_colorectal_kras_g12c"
MELANOMA = "results/05_melanoma_braf_v600e"
BREAST_V2 = "v2-results/06_breast_her2_positive"


@pytest.mark.parametrize(
    ("text", "kind", "reading", "source"),
    [
        (
            "At least 4 weeks from any prior major surgery.",
            "inclusion",
            ["not (Major surgery within 4 weeks before the first dose)"],
            f"NCT06249048 I7, {MELANOMA}",
        ),
        (
            "Major surgery less than or equal to 3 weeks prior to initiating protocol therapy",
            "exclusion",
            ["Major surgery within 3 weeks before the first dose"],
            f"NCT05239546 E5, {COLORECTAL}",
        ),
        (
            # "study treatment initiation": the start of the study's treatment, its first dose
            "Radiotherapy within 2 weeks prior to study treatment initiation.",
            "exclusion",
            ["Radiotherapy within 2 weeks before the first dose"],
            "NCT04862663 E2, results/06_breast_her2_positive",
        ),
        (
            # "study intervention administration": its first administration, the first dose
            "Radiotherapy within 2 weeks prior to study intervention administration.",
            "exclusion",
            ["Radiotherapy within 2 weeks before the first dose"],
            "constructed after NCT06136650 E20's window",
        ),
        (
            # "initiation of investigational agents": the study's own agents, from the first
            # dose; "Patients who … are excluded" says what an exclusion item is
            "Patients who received radiation therapy ≤14 days prior to initiation of "
            "investigational agents are excluded.",
            "exclusion",
            ["Radiotherapy within 14 days before the first dose"],
            f"NCT06678269 E4, {BREAST_V2}",
        ),
        (
            # a window to registration runs back from the screen's as-of date (Window.anchor)
            "Surgery ≤ 3 weeks prior to registration",
            "exclusion",
            ["Surgery within 3 weeks before registration (the screen's as-of date)"],
            "NCT06378866 E3.1, results/09_prostate_brca2",
        ),
        (
            "Has received at least 2 prior lines of therapy",
            "inclusion",
            ["prior lines of systemic therapy: at least 2 lines"],
            f"a plain form of NCT03260491 I30 ('at least two prior systemic therapies'), {NSCLC}",
        ),
        (
            # a negated "more than" is at most
            "Participants must not have received more than three previous lines of systemic "
            "treatment.",
            "inclusion",
            ["prior lines of systemic therapy: at most 3 lines"],
            "NCT06975293 I7 (its second sentence)",
        ),
    ],
)
def test_read_whole(text: str, kind: str, reading: list[str], source: str) -> None:
    criterion = read_item(text, kind=kind)
    assert [describe_rule(r) for r in criterion.rules] == reading, source
    assert criterion.unread == (), source


@pytest.mark.parametrize(
    ("text", "kind", "reading", "unread", "source"),
    [
        (
            "Participants must be ≥2 weeks since any major surgery (excluding vascular access "
            "placement, mediastinoscopy, or biopsies performed by an interventional service)",
            "inclusion",
            ["not (Major surgery within 2 weeks before the first dose)"],
            "excluding vascular access placement",
            f"NCT03586453 I12, {NSCLC}",
        ),
        (
            # "standard" and "progressed on" are not in the record of lines: quoted
            "Participants must have progressed on at least 1 prior line of standard systemic "
            "therapy and must be eligible based on disease status",
            "inclusion",
            ["prior lines of systemic therapy: at least 1 lines"],
            "of standard systemic therapy",
            f"NCT06130254 I1.2, {NSCLC}",
        ),
        (
            "Have received 0 to 4 prior systemic therapies for metastatic sarcoma and NO prior "
            "anthracyclines.",
            "inclusion",
            # the anthracyclines are a declared class (concepts_drug_classes)
            [
                "prior lines of systemic therapy: at most 4 lines",
                "not (Anthracycline received ever)",
            ],
            "for metastatic sarcoma",
            f"NCT07125183 I6, {EGFR}",
        ),
        (
            "Received more than 1 line of systemic therapy in the locally advanced or metastatic "
            "setting.",
            "exclusion",
            ["prior lines of systemic therapy: at least 2 lines"],
            "in the locally advanced or metastatic setting",
            f"NCT07155187 E2, {BRAIN}",
        ),
        (
            "Must have received appropriate treatment with at least one prior systemic regimen, "
            "but no more than 2 prior regimens, for Stage 3B-C or 4 NSCLC",
            "inclusion",
            [
                "prior lines of systemic therapy: at least 1 lines",
                "prior lines of systemic therapy: at most 2 lines",
            ],
            "for Stage 3B-C or 4 NSCLC",
            f"NCT05074810 I6, {NSCLC}",
        ),
        (
            "One to two prior lines of therapy including an anti-PD-1/anti-PD(L)-1 agent and "
            "platinum-based chemotherapy.",
            "inclusion",
            ["prior lines of systemic therapy: 1–2 lines"],
            "including an anti-PD-1",
            f"NCT06881784 I6, {NSCLC}",
        ),
        (
            # the anchor is named but the dose is of another drug's name: quoted
            "History of radiation therapy ≤7 days prior to the first dose of ladarixin.",
            "exclusion",
            ["Radiotherapy within 7 days before the first dose"],
            "of ladarixin",
            "NCT05815173 E28",
        ),
    ],
)
def test_read_with_the_rest_quoted(
    text: str, kind: str, reading: list[str], unread: str, source: str
) -> None:
    criterion = read_item(text, kind=kind)
    assert [describe_rule(r) for r in criterion.rules] == reading, source
    assert any(unread in u for u in criterion.unread), (source, criterion.unread)


@pytest.mark.parametrize(
    ("text", "kind", "why"),
    [
        # "<": a surgery exactly 28 days before would be inside the window, against the text
        ("Major surgery \\< 28 days of first dose", "exclusion", "NCT06162221 E4"),
        # screening is another day than registration or the first dose: not read
        ("Surgery ≤3 weeks prior to screening", "exclusion", "another day"),
        # the time since runs to registration, whose words nothing would quote
        (
            "Patients with brain metastases should be at least 4 weeks from radiation at the "
            "time of registration",
            "inclusion",
            "NCT04585958 I26",
        ),
        # a window in an inclusion without a negation: what admits is not said
        ("Radiotherapy ≤ 14 days prior to the first dose", "inclusion", "no negation"),
        # "at least 4 weeks since" states what admits, never what excludes
        ("At least 4 weeks from any prior major surgery.", "exclusion", "an exclusion"),
        # not lines of systemic therapy (endocrine), and a negated minimum
        ("Patients must have received at least 2 prior endocrine therapies", "inclusion", "kind"),
        ("Patients must not have received at least 2 prior lines of therapy", "inclusion", "not"),
    ],
)
def test_not_read(text: str, kind: str, why: str) -> None:
    criterion = read_item(text, kind=kind)
    assert not any(
        isinstance(r, ProcedureRule | PriorLinesRule | NotRule) for r in criterion.rules
    ), why


def test_the_framing_of_an_exclusion_is_read_in_exclusions_only() -> None:
    text = "Patients who received radiation therapy ≤14 days prior to the first dose are excluded."
    assert read_item(text, kind="exclusion").unread == ()
    # "are excluded" in the inclusion list inverts the item: the words stay unread
    inclusion = read_item(
        "No radiotherapy ≤ 14 days prior to the first dose; such patients are excluded.",
        kind="inclusion",
    )
    assert inclusion.rules
    assert any("excluded" in u for u in inclusion.unread), inclusion.unread


def _patient(**fields: object) -> Patient:
    return Patient.model_validate({"id": "p", "planned_first_dose": AS_OF} | fields)


def test_lines_and_time_since_on_patients() -> None:
    lines = Criterion(
        id="I1",
        kind=CriterionKind.INCLUSION,
        text="Participants must not have received more than three previous lines of systemic "
        "treatment.",
    )
    lines = read_item(lines.text, kind="inclusion")
    line = {"drugs": [{"text": "carboplatin"}]}
    assert item_status(lines, _patient(therapies=[line] * 3), as_of=AS_OF) is Status.MET
    assert item_status(lines, _patient(therapies=[line] * 4), as_of=AS_OF) is Status.NOT_MET
    assert item_status(lines, _patient(), as_of=AS_OF) is Status.UNKNOWN

    since = read_item("At least 4 weeks from any prior major surgery.", kind="inclusion")
    surgery = {"text": "lobectomy", "category": "major_surgery"}
    recent = _patient(procedures=[surgery | {"date": AS_OF - dt.timedelta(days=20)}])
    long_ago = _patient(procedures=[surgery | {"date": AS_OF - dt.timedelta(days=60)}])
    assert item_status(since, recent, as_of=AS_OF) is Status.NOT_MET
    assert item_status(since, long_ago, as_of=AS_OF) is Status.MET


# inclusion items read whole (real phrasings, or the plain form of one)
ITEMS = (
    ("I1", "At least 4 weeks from any prior major surgery."),
    ("I2", "Has received at least 2 prior lines of therapy"),
    ("I3", "Participants must not have received more than three previous lines of therapy."),
    ("I4", "No radiotherapy ≤ 14 days prior to the first dose of study treatment"),
)


def test_random_patients_agree_per_patient_and_vectorised() -> None:
    read_items_agree_on_random_patients(ITEMS, as_of=AS_OF, seed=29)


def test_exclusions_agree_per_patient_and_vectorised() -> None:
    exclusions = (
        "Major surgery less than or equal to 3 weeks prior to initiating protocol therapy",
        "Patients who received radiation therapy ≤14 days prior to initiation of "
        "investigational agents are excluded.",
        "Major surgery ≤ 4 weeks of the first dose of study drug",
        "Received more than 1 line of systemic therapy.",
    )
    eligibility = propose_rules(
        Eligibility(
            exclusion=tuple(
                Criterion(id=f"E{i}", kind=CriterionKind.EXCLUSION, text=t)
                for i, t in enumerate(exclusions, 1)
            )
        )
    )
    assert all(c.rules and not c.unread for c in eligibility.exclusion)
    seen = statuses_on_both_paths(
        eligibility,
        random_patients(300, seed=31),
        as_of=AS_OF,
        first_doses=(None, AS_OF + dt.timedelta(days=7)),
    )
    for item, found in seen.items():
        assert {"met", "unknown"} <= found, (item, found)
