"""Items a cohort / part / step / arm label scopes are never decided for every patient, and
exclusions that list what excludes are not subgroups (eligibility.scopes, sublists).

Phrasings from the development corpus, jwlieb/clinical-trial-agent
data/demo/results/<dir>/trials.json @387df17 (the NCT id beside each).
"""

from __future__ import annotations

import pytest

from oncotrial.eligibility.batch import frames_from_patients, screen_frames
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility, split_criteria
from oncotrial.eligibility.logic import is_computable
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import propose_rules
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.scopes import is_label, item_scopes, scope_label
from oncotrial.eligibility.screening import Overall, screen_patient

from .random_patients import AS_OF, random_patients

DAY = "2025-02-20"


def _proposed(text: str) -> Eligibility:
    inclusion, exclusion = split_criteria(text)
    return propose_rules(Eligibility(inclusion=inclusion, exclusion=exclusion))


def _items(eligibility: Eligibility) -> dict[str, Criterion]:
    return {c.id: c for c in eligibility.criteria}


def _ecog(score: int) -> Patient:
    return Patient.model_validate(
        {
            "id": "P1",
            "birth_date": "1960-01-01",
            "sex": "female",
            "performance_status": [{"scale": "ECOG", "score": score, "date": DAY}],
        }
    )


def _screen(eligibility: Eligibility, patient: Patient) -> tuple[dict[str, Status], Overall]:
    """Every item's status and the overall, per patient and vectorised (the two must agree)."""
    one = screen_patient(eligibility, patient, as_of=AS_OF)
    batch = screen_frames(eligibility, frames_from_patients([patient]), as_of=AS_OF)
    for c in one.criteria:
        assert batch.loc[patient.id, c.criterion_id] == c.status.value, c.criterion_id
    assert batch.loc[patient.id, "overall"] == one.overall.value
    return {c.criterion_id: c.status for c in one.criteria}, one.overall


# ---- which lines are labels


@pytest.mark.parametrize(
    "text",
    [
        "Part 1 Dose Escalation cohort ONLY:",  # NCT05786924 I5
        "For Cohorts 1b and 2b:",  # NCT06343402 E4
        "Sub study 1 Specific Inclusion criteria:",  # NCT06219941 I11
        "HIGH-RISK STRATUM:",  # phrasing of the development corpus
        "In addition to the above and specific for Cohorts 4 and 5 only:",
        "Dose Escalation Module 3:",  # NCT04585958 I3.2
        "For Arm 2",  # NCT05067283 I7
        "Arm 5 only",  # NCT05067283 I15
        "In addition, for participants in the GBCA Arms only:",  # NCT04373564 I4
        "Cohort 1A (CLOSED):",  # NCT02279004 I3.1
        "STEP 2 RANDOMIZATION",  # NCT03723928 I18
        "SAFETY COHORT",  # NCT04572451 I1
        "All Cohorts (except Cohort 6):",  # NCT05009992 I25
        "Cohort D (MD Anderson Houston patients only)",  # NCT02945579 I4
        "Phase 1 Inclusion Criteria:",  # NCT06249048 I15
        "For high risk and very high risk CLL-IPI (Arms A and B) only:",  # NCT03516617 E11
        # headings opened by words naming a part or group of the trial (development records)
        "CNS Exclusion Criteria",  # NCT05230810
        "Procurement Inclusion Criteria:",  # NCT03740256
        "Parent inclusion criteria:",
    ],
)
def test_a_label_line_is_a_heading(text: str) -> None:
    assert scope_label(text) is not None
    assert is_label(text)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Cohort 1: Adenocarcinoma NSCLC", "Cohort 1"),  # NCT03260491 I14.1
        ("Arm 4 only - Has an untreated advanced or metastatic nonsquamous NSCLC", "Arm 4 only"),
        ("PART II: ECOG ≤ 2", "PART II"),  # NCT07288034 I21
        ("(ARM VII): BRAF wild-type tumour status", "ARM VII"),  # NCT04421820 I13
        ("For Substudy B, measurable disease by RECIST version 1.1", "For Substudy B"),
        (  # NCT04130516 E17.1
            "For pembrolizumab combination cohorts, has a history of (noninfectious) pneumonitis",
            "For pembrolizumab combination cohorts",
        ),
        ("Dose Expansion: Low grade serous ovarian cancer, cervical cancer", "Dose Expansion"),
        ("Part 1A monotherapy: Advanced/metastatic NSCLC", "Part 1A"),  # NCT05076760 I5
        ("Arm #3 (Combination): Patients who have received", "Arm #3"),  # NCT06026410 I2.3
        ("Patients in Arm A must have ECOG 0-1", "Patients in Arm A"),  # written for this test
        (  # NCT07094204 I4.1
            "[CRC Dose Escalation and Dose Expansion Parts] Participant has a documented KRAS G12V",
            "CRC Dose Escalation and Dose Expansion Parts",
        ),
    ],
)
def test_a_criterion_opening_with_a_label_is_scoped_not_a_heading(text: str, label: str) -> None:
    # NCT05067283 I14, NCT05538130 I5
    assert scope_label(text) == label
    assert not is_label(text)


@pytest.mark.parametrize(
    "text",
    [
        "For all participants:",  # NCT05067283 I1
        "For All Patients",  # NCT05661461 I1
        "Master Inclusion Criteria applicable to all sub studies:",  # NCT06219941 I2
        "Part of a vulnerable population (ex: Incarcerated, Non-English speaking)",  # NCT06050668
        "Hematologic:",  # NCT06124118 I9
        "All Cohorts:",  # NCT06712875 I7
        "Group B streptococcus infection",  # a guard written for this test, not a record
        "Phase 3 trial participation",  # a guard written for this test, not a record
        "ECOG Performance Status ≤ 1.",  # NCT06124118 I7
        "Adequate treatment washout period before randomization, defined as:",  # NCT06263543 I14
    ],
)
def test_not_a_scope(text: str) -> None:
    assert scope_label(text) is None
    assert not is_label(text)


# ---- flat layout: a label alone scopes the items after it, until the next label

FLAT = """Inclusion Criteria:

* ECOG Performance Status ≤ 2.
* Step 2: Pre-Consolidative Immunotherapy Phase Inclusion Criteria
* ECOG Performance Status ≤ 1.

Exclusion Criteria:

* Patients with untreated brain metastases
* For Cohorts 1b and 2b:
* Patients with a known hypersensitivity to pembrolizumab or its excipients
* For all participants:
* Has an active autoimmune disease requiring systemic therapy
"""
# NCT06124118 I19, I24 (Step 2); NCT06343402 E2, E4, E5 (Cohorts 1b and 2b); NCT05067283 I1, E7


def test_flat_items_after_a_label_quote_the_scope() -> None:
    items = _items(_proposed(FLAT))
    assert is_computable(items["I1"].rules, items["I1"].unread)
    scoped = items["I3"]
    assert scoped.rules  # its rule is kept, for the reviewer
    assert not is_computable(scoped.rules, scoped.unread)
    assert any(
        u.startswith("applies to: Step 2: Pre-Consolidative Immunotherapy Phase Inclusion")
        for u in scoped.unread
    )
    assert items["E3"].rules
    assert "applies to: For Cohorts 1b and 2b: (item E2)" in items["E3"].unread
    # before the label, and after a label naming everyone: decided for all
    assert is_computable(items["E1"].rules, items["E1"].unread)
    assert is_computable(items["E5"].rules, items["E5"].unread)
    # the label itself has no rule to decide
    assert not items["I2"].rules and not items["E2"].rules


def test_a_scoped_item_is_never_decided_alone() -> None:
    eligibility = _proposed(FLAT)
    statuses, overall = _screen(eligibility, _ecog(2))
    assert statuses["I1"] is Status.MET
    # ECOG 2 fails step 2's "≤ 1" — for the patients reaching step 2 only
    assert statuses["I3"] is not Status.NOT_MET
    assert overall is not Overall.NOT_ELIGIBLE


# ---- nested layout: a label scopes what is nested under it

NESTED = """Inclusion Criteria:

* Part 1 Dose Escalation cohort ONLY:
  * ECOG Performance Status ≤ 1.
* HIGH-RISK STRATUM:
  * ECOG Performance Status ≤ 1.
* Cohort B: BRAF V600E or BRAF V600K
* ECOG Performance Status ≤ 2.
"""
# NCT05786924 I5; a stratum (phrasing of the development corpus); NCT06194929 I4.2; NCT06124118 I7


def test_nested_items_under_a_label_quote_the_scope() -> None:
    items = _items(_proposed(NESTED))
    for sub, label in (("I1.1", "I1"), ("I2.1", "I2")):
        assert items[sub].rules
        assert any(u.endswith(f"(item {label})") for u in items[sub].unread), items[sub].unread
    # a criterion for cohort B only, not a requirement for all
    cohort_b = items["I3"]
    assert cohort_b.rules
    assert "applies to: Cohort B (item I3)" in cohort_b.unread
    # the label alone scopes only what is nested under it: I4 is for everyone
    assert is_computable(items["I4"].rules, items["I4"].unread)


def test_nested_scoped_items_are_not_decided() -> None:
    eligibility = _proposed(NESTED)
    statuses, overall = _screen(eligibility, _ecog(2))
    assert statuses["I1.1"] is not Status.NOT_MET
    assert statuses["I2.1"] is not Status.NOT_MET
    assert statuses["I4"] is Status.MET
    assert overall is not Overall.NOT_ELIGIBLE


def test_a_heading_naming_a_cohort_scopes_its_items() -> None:
    # NCT03260491: "Inclusion Criteria for Cohort 5:" then the cohort's items
    text = "Inclusion Criteria:\n\n* ECOG 0-1\n\nInclusion Criteria for Cohort 5:\n\n* ECOG 0-2\n"
    items = _items(_proposed(text))
    assert is_computable(items["I1"].rules, items["I1"].unread)
    assert items["I2"].text == "Inclusion Criteria for Cohort 5:" and not items["I2"].rules
    assert "applies to: Inclusion Criteria for Cohort 5: (item I2)" in items["I3"].unread


def test_scopes_of_a_flat_list_end_at_a_shallower_item() -> None:
    # NCT06128551 I2.2 "Part 2. Dose Expansion:" sits under I2; I3 is for everyone
    criteria = [
        Criterion(id="I2", kind=CriterionKind.INCLUSION, text="Histology:"),
        Criterion(id="I2.1", kind=CriterionKind.INCLUSION, text="Part 2. Dose Expansion:"),
        Criterion(id="I2.2", kind=CriterionKind.INCLUSION, text="Pancreatic cancer"),
        Criterion(id="I3", kind=CriterionKind.INCLUSION, text="ECOG 0-1"),
    ]
    scopes = item_scopes(criteria)
    assert "I2.2" in scopes and "I3" not in scopes


def test_random_patients_agree_per_patient_and_vectorised() -> None:
    eligibility = _proposed(FLAT + NESTED.replace("Inclusion Criteria:", ""))
    patients = random_patients(200, seed=11)
    batch = screen_frames(eligibility, frames_from_patients(patients), as_of=AS_OF)
    for patient in patients:
        one = screen_patient(eligibility, patient, as_of=AS_OF)
        assert batch.loc[patient.id, "overall"] == one.overall.value, patient.id
        for c in one.criteria:
            assert batch.loc[patient.id, c.criterion_id] == c.status.value, (patient.id, c)
            if c.unread and any(u.startswith("applies to:") for u in c.unread):
                assert c.status is Status.INVESTIGATOR, c  # never decided alone


# ---- exclusions that list what excludes are not subgroups


def _subgroup_notes(text: str) -> dict[str, tuple[str, ...]]:
    return {
        c.id: tuple(u for u in c.unread if u.startswith("for the subgroup"))
        for c in _proposed(text).criteria
    }


@pytest.mark.parametrize(
    ("parent", "child"),
    [
        (  # NCT05394831 I20 (as an exclusion)
            "Subjects with the following cardiac dysfunctions or clinically significant cardiac "
            "diseases:",
            "Corrected QT interval using Frederica formula (QTcF) > 470 ms",
        ),
        (  # NCT05154487 E10
            "Patients with a known history of cardiac disease. This includes:",
            "New York Heart Association (NYHA) Class II or greater congestive heart failure.",
        ),
        (  # NCT05961709 E7
            "Any of the following prior therapies, if applicable:",
            "Chemotherapy ≤2 weeks prior to study treatment",
        ),
        (  # NCT03127631 E1
            "Patients will be excluded if they fulfill any of the following:",
            "Patients with untreated brain metastases",
        ),
    ],
)
def test_an_exclusion_listing_what_excludes_names_no_subgroup(parent: str, child: str) -> None:
    notes = _subgroup_notes(f"Exclusion Criteria:\n\n* {parent}\n  * {child}\n")
    assert notes["E1.1"] == ()


@pytest.mark.parametrize(
    ("kind", "parent", "child"),
    [
        (  # NCT05689021 E6: the HIV-positive subjects only
            "Exclusion",
            "Human immunodeficiency virus (HIV) positive subjects with 1 or more of the following:",
            "Not receiving highly active antiretroviral therapy",
        ),
        (  # NCT04222413 E4: the window is the parent's, not the sub-item's
            "Exclusion",
            "Subjects with cardiomyopathy diagnosed within 6 months prior to treatment initiation "
            "including but not limited to the following:",
            "previous moderate or severe impairment of left ventricular systolic function "
            "(LVEF <45%)",
        ),
        (  # NCT05394831 I20 as written, an inclusion: left undecided
            "Inclusion",
            "Subjects with the following cardiac dysfunctions or clinically significant cardiac "
            "diseases:",
            "Corrected QT interval using Frederica formula (QTcF) > 470 ms",
        ),
        (  # a genuine subgroup of an inclusion, left as it was
            "Inclusion",
            "Patients with documented liver metastases:",
            "AST and ALT ≤ 5 x ULN",
        ),
    ],
)
def test_a_genuine_subgroup_stays_quoted(kind: str, parent: str, child: str) -> None:
    prefix = kind[0]
    notes = _subgroup_notes(f"{kind} Criteria:\n\n* {parent}\n  * {child}\n")
    assert notes[f"{prefix}1.1"], notes


def test_a_flat_line_naming_a_subgroup_scopes_the_items_after_it() -> None:
    # NCT04234048 I19-I21 (a development record of jwlieb/clinical-trial-agent data/demo
    # @387df17): the marrow patients' limits at the same depth as every other item; read alone,
    # every patient was held to them
    text = (
        "Inclusion Criteria:\n\n* Absolute neutrophil count ≥ 1,000/μL\n"
        "* If the patient has bone marrow involved NHL, the hematological requirements should be "
        "as follows:\n* Absolute neutrophil count ≥ 500/μL\n* Platelets ≥ 50,000/μL\n"
        "* Participants are eligible to be included in the study only if all of the following "
        "criteria apply:\n* ECOG performance status 0-1\n"
    )
    items = _items(_proposed(text))
    assert is_computable(items["I1"].rules, items["I1"].unread)
    for scoped in ("I3", "I4"):
        assert any(u.startswith("for the subgroup of item I2") for u in items[scoped].unread)
    # a line for every participant ends the subgroup's reach
    assert is_computable(items["I6"].rules, items["I6"].unread), items["I6"].unread


@pytest.mark.parametrize(
    "line",
    [
        # development records: a requirement of everyone with a later "if", and exclusions for
        # everyone
        "Patients must have adequate organ and bone marrow function as defined below. If "
        "laboratory values are borderline, they may be repeated:",
        "Patients are excluded from the study if any of the following criteria apply:",
        "All Patients (unless otherwise noted):",
    ],
)
def test_a_flat_introduction_for_everyone_scopes_nothing(line: str) -> None:
    text = f"Inclusion Criteria:\n\n* {line}\n* Platelet count ≥ 100,000/mm³\n"
    items = _items(_proposed(text))
    assert is_computable(items["I2"].rules, items["I2"].unread), items["I2"].unread


def test_for_all_patients_names_no_subgroup() -> None:
    # NCT05661461 I1 "For All Patients" over its criteria
    text = (
        "Inclusion Criteria:\n\n* For All Patients\n"
        "  * Eastern Cooperative Oncology Group (ECOG) performance status score of 0, 1, or 2\n"
    )
    items = _items(_proposed(text))
    assert is_computable(items["I1.1"].rules, items["I1.1"].unread), items["I1.1"].unread


def test_a_list_of_exclusions_for_one_phase_is_scoped() -> None:
    # NCT04329728 E1: the list excludes from phase 2 only
    text = (
        "Exclusion Criteria:\n\n* Patients who meet any of the following criteria will be "
        "excluded from participation in the study for Phase 2:\n"
        "  * Patients with untreated brain metastases\n"
    )
    child = _items(_proposed(text))["E1.1"]
    assert child.rules
    assert any(u.startswith("applies to: Patients who meet any") for u in child.unread)


@pytest.mark.parametrize(
    "label",
    [
        "Step 1: Pre-Chemoradiation Inclusion Criteria",  # NCT06124118 I1
        "PRE-REGISTRATION:",  # NCT05269381 (as a line of its own)
        "STEP 1 REGISTRATION",  # NCT03723928
        "Registration Eligibility Criteria",  # written for this test
    ],
)
def test_the_first_step_is_every_patients(label: str) -> None:
    # every patient goes through the first step, so its items are the ones screening decides;
    # a label of it also ends the scope of a label before it
    assert scope_label(label) is None
    text = f"Inclusion Criteria:\n\n* For Arm 2\n* ECOG 0-2\n* {label}\n  * ECOG 0-1\n"
    items = _items(_proposed(text))
    assert any(u.startswith("applies to: For Arm 2") for u in items["I2"].unread)
    assert is_computable(items["I3.1"].rules, items["I3.1"].unread), items["I3.1"].unread
    statuses, overall = _screen(_proposed(text), _ecog(2))
    assert statuses["I3.1"] is Status.NOT_MET and overall is Overall.NOT_ELIGIBLE


@pytest.mark.parametrize(
    "label",
    [
        "STEP 2 RANDOMIZATION",  # NCT03723928 I18
        "Step 2: Pre-Consolidative Immunotherapy Phase Inclusion Criteria",  # NCT06124118
        "Pre-registration for Cohort B:",  # written for this test: the cohort is the scope
    ],
)
def test_a_later_step_stays_scoped(label: str) -> None:
    assert scope_label(label) is not None


@pytest.mark.parametrize(
    ("text", "computable"),
    [
        # the registration step written before the item's words: the day the screen decides
        # (NCT06732401 I9.4)
        (
            "STEP 1: Leukocytes ≥ 3,000/mcL (these labs must be obtained ≤ 28 days prior to step 1 "
            "randomization)",
            True,
        ),
        ("STEP 1 REGISTRATION: Age >= 18 years", True),
        ("3. Registration: ECOG performance status 0-1", True),
        # an earlier day (a value met then may no longer be) or a later step: still quoted
        ("PRE-REGISTRATION: Age >= 18 years", False),
        ("STEP 2 REGISTRATION: Age >= 18 years", False),
    ],
)
def test_an_item_opening_with_the_registration_step(text: str, computable: bool) -> None:
    eligibility = _proposed(f"Inclusion Criteria:\n\n* {text}\n")
    (criterion,) = eligibility.inclusion
    assert is_computable(criterion.rules, criterion.unread) is computable, criterion.unread
