"""Items that introduce a list are decided by their sub-items (eligibility.sublists, issue 12).

Real phrasings: the NCI PDQ sections ("PATIENT CHARACTERISTICS:", NCT00602576), an exclusion
heading ("Patients who meet the following criteria at the time of screening will be excluded;
excluded medical conditions:", NCT00619541 E1), "Patients must have adequate organ and marrow
function as defined below:" (NCT00634751 I4), alternatives under an item with content of its own
("Histologically or cytologically confirmed melanoma, meeting 1 of the following criteria:",
NCT01851408 I1; "… (NSCLC), meeting 1 of the following stage criteria:", NCT00098540 I1).

Before: every heading was an investigator checklist item (no rule); the sub-items of "one of the
following" were each required, so a patient meeting one alternative failed on the other; and the
exclusion heading was taken for a subgroup ("Patients who …"), so its sub-items were never
decided.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from oncotrial.eligibility.batch import frames_from_patients, screen_frames
from oncotrial.eligibility.coverage import coverage_report
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.screening import Overall, Verdict, screen_patient
from oncotrial.eligibility.sublists import (
    INTRODUCTIONS,
    SubItems,
    computable_items,
    heading_status,
    introduces_list,
    item_tree,
)

from .builders import lab, proposed
from .random_patients import AS_OF, random_patients

DAY = "2025-02-20"
INC, EXC = CriterionKind.INCLUSION, CriterionKind.EXCLUSION


def _eligibility(*items: tuple[str, str]) -> Eligibility:
    """A protocol of (id, text) items, read by the parser."""
    return proposed(items)


def _patient(ecog: int | None = None, platelets: float | None = None, **more: object) -> Patient:
    data: dict[str, object] = {"id": "P1", "birth_date": "1960-01-01", "sex": "female"}
    if ecog is not None:
        data["performance_status"] = [{"scale": "ECOG", "score": ecog, "date": DAY}]
    if platelets is not None:
        data["observations"] = [lab("platelets", platelets, "10^9/L", DAY)]
    data.update(more)
    return Patient.model_validate(data)


def _screen(eligibility: Eligibility, patient: Patient) -> dict[str, Status]:
    """Every item's status, per patient and vectorised (the two must agree)."""
    one = screen_patient(eligibility, patient, as_of=AS_OF)
    batch = screen_frames(eligibility, frames_from_patients([patient]), as_of=AS_OF)
    for c in one.criteria:
        assert batch.loc[patient.id, c.criterion_id] == c.status.value, c.criterion_id
    assert batch.loc[patient.id, "overall"] == one.overall.value
    return {c.criterion_id: c.status for c in one.criteria}


# ---- reading: which items introduce a list


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        (INC, "DISEASE CHARACTERISTICS:", "all"),  # NCT00602576 I1
        (INC, "PATIENT CHARACTERISTICS:", "all"),  # NCT00602576 I2
        (INC, "PRIOR CONCURRENT THERAPY:", "all"),  # NCT00496756 I3
        (INC, "Criteria:", "all"),  # NCT00509587 I1
        (EXC, "Other Exclusion Criteria:", "all"),  # NCT00619541 E3
        (INC, "Patients must have adequate organ and marrow function as defined below:", "all"),
        (
            EXC,
            "Patients who meet the following criteria at the time of screening will be excluded:",
            "all",
        ),
        (
            EXC,
            "Patients who meet the following criteria at the time of screening will be excluded; "
            "excluded medical conditions:",
            "all",
        ),
        (INC, "Patients must meet all of the following criteria:", "all"),
        # records of jwlieb/clinical-trial-agent at 387df1768929a7cefaa15dfbd4d9ca3dcddd3fde,
        # data/demo/<dir>/trials.json (eligibility.raw_text of the trial with that nct_id)
        (INC, "Patients with adequate organ function as defined below:", "all"),  # NCT04260022
        # NCT06083883 (results/11_young_sarcoma_treatment_naive)
        (INC, "Adequate organ function at screening, as defined by the following:", "all"),
        # NCT04266730 (v2-results/08_lung_squamous_pd_l1_high)
        (INC, "Subject has adequate bone marrow function as demonstrated by:", "all"),
        # NCT05009992 (results/05_melanoma_braf_v600e)
        (INC, "The participant must have adequate organ function defined as:", "all"),
        # NCT05815173 (results/01_nsclc_kras_g12c_standard)
        (
            INC,
            "Participants whose laboratory data at Screening meet the following criteria:",
            "all",
        ),
        # NCT06680661 (results/12_elderly_cll_poor_performance): each limit excludes
        (EXC, "Patients with inadequate Organ Function as defined by:", "all"),
        (  # NCT05879926 (results/06_breast_her2_positive)
            INC,
            "A patient cannot be considered eligible for this study unless ALL of the following "
            "conditions are met.",
            "all",
        ),
        # a window or a drug of its own is content the sub-items do not carry
        (
            INC,
            "Adequate laboratory values prior to receiving the first dose of nab-paclitaxel:",
            None,
        ),
        (EXC, "Patients with inadequate organ function:", None),  # no definition follows
        (INC, "Patients must meet one of the following criteria:", "any"),
        (INC, "At least one of the following:", "any"),
        # not plain lists: a negation, a definition, content of its own, a subgroup
        (
            INC,
            "No concurrent serious illness including, but not limited to, any of the following:",
            None,
        ),
        (INC, "Nonmeasurable disease includes any of the following:", None),  # NCT00496756 I1.3.2
        (INC, "The following are not considered measurable disease:", None),  # NCT00098540 I2.2
        (
            INC,
            "Histologically or cytologically confirmed non-small cell lung cancer (NSCLC), meeting "
            "1 of the following stage criteria:",
            None,
        ),
        (
            INC,
            "Patients should have proven primary HCC according to one of the following criteria:",
            None,
        ),
        (INC, "HIV-positive patients must have:", None),
        (INC, "FOR PATIENTS WITH LIVER METASTASES:", None),  # a subgroup in capitals
        (INC, "WOMEN OF CHILDBEARING POTENTIAL:", None),
        (INC, "Women of childbearing potential:", None),
        (EXC, "Excluded therapies and medications, previous and concomitant:", None),
    ],
)
def test_which_items_introduce_a_list(kind: CriterionKind, text: str, expected: str | None) -> None:
    item = Criterion(id="I1" if kind is INC else "E1", kind=kind, text=text)
    assert introduces_list(item) == expected


def test_every_introduction_is_declared_with_a_source() -> None:
    for introduction in INTRODUCTIONS:
        assert introduction.description and introduction.source, introduction.name


def test_a_heading_has_no_rules_and_an_exclusion_has_no_alternatives() -> None:
    with pytest.raises(ValidationError, match="decided by its sub-items"):
        Criterion.model_validate(
            {
                "id": "I1",
                "kind": "inclusion",
                "text": "x:",
                "sub_items": "all",
                "rules": [{"kind": "judgement", "id": "I1-1", "description": "x"}],
            }
        )
    with pytest.raises(ValidationError, match="each exclude"):
        Criterion(id="E1", kind=EXC, text="x:", sub_items="any")


def test_a_heading_without_sub_items_stays_on_the_checklist() -> None:
    # NCT00634751 I4: the limits follow as items of their own, not nested under it
    eligibility = _eligibility(
        ("I1", "Patients must have adequate organ and marrow function as defined below:"),
        ("I2", "PLT at least 100,000/mm³"),
    )
    heading = eligibility.inclusion[0]
    assert heading.sub_items is None and not heading.rules
    statuses = _screen(eligibility, _patient(platelets=150))
    assert statuses["I1"] is Status.INVESTIGATOR


# ---- screening: a heading is its sub-items combined


ALTERNATIVES = (
    ("I1", "Patients must meet one of the following criteria:"),
    ("I1.1", "ECOG performance status 0-1"),
    ("I1.2", "Platelet count ≥ 100,000/mm³"),
)


def test_alternatives_are_not_each_required() -> None:
    eligibility = _eligibility(*ALTERNATIVES)
    assert eligibility.inclusion[0].sub_items == "any"
    # ECOG 2, platelets 150: the second alternative holds
    one = screen_patient(eligibility, _patient(ecog=2, platelets=150), as_of=AS_OF)
    assert one.result("I1.1").verdict is Verdict.FAILS  # shown as evidence …
    assert not one.result("I1.1").in_overall  # … but an alternative does not decide alone
    assert one.result("I1").verdict is Verdict.PASSES
    assert one.result("I1").sub_items == ("I1.1", "I1.2")
    assert one.overall is Overall.ELIGIBLE and one.failing == ()
    # neither alternative: the heading fails, and only the heading is named
    none = screen_patient(eligibility, _patient(ecog=2, platelets=50), as_of=AS_OF)
    assert none.overall is Overall.NOT_ELIGIBLE and none.failing == ("I1",)
    # one alternative failed, the other unknown: unknown, naming the missing datum
    unknown = screen_patient(eligibility, _patient(ecog=2), as_of=AS_OF)
    assert unknown.result("I1").status is Status.UNKNOWN
    assert unknown.overall is Overall.INCOMPLETE
    assert unknown.to_collect and any("latelet" in m for m in unknown.to_collect)


def test_an_all_heading_is_its_sub_items_and_not_counted_twice() -> None:
    eligibility = _eligibility(
        ("I1", "PATIENT CHARACTERISTICS:"),
        ("I1.1", "ECOG performance status 0-1"),
        ("I1.2", "Platelet count ≥ 100,000/mm³"),
    )
    assert eligibility.inclusion[0].sub_items == "all"
    assert _screen(eligibility, _patient(ecog=1, platelets=150))["I1"] is Status.MET
    failing = screen_patient(eligibility, _patient(ecog=1, platelets=50), as_of=AS_OF)
    assert failing.result("I1").status is Status.NOT_MET
    assert failing.failing == ("I1.2",)  # the heading is not listed beside its sub-item
    before = screen_patient(eligibility, _patient(ecog=1, platelets=150), as_of=AS_OF)
    assert before.checklist == ()  # a heading is no longer an item to tick


def test_an_exclusion_heading_excludes_on_any_sub_item_and_names_no_subgroup() -> None:
    # NCT00619541 E1 over E1.1 and E1.5 (round 5): the heading was read as a subgroup
    # ("Patients who …"), so its sub-items were quoted and never decided
    eligibility = _eligibility(
        (
            "E1",
            "Patients who meet the following criteria at the time of screening will be excluded; "
            "excluded medical conditions:",
        ),
        ("E1.1", "Congestive heart failure defined as NYHA class III or IV."),
        ("E1.5", "Known history of HIV infection."),
    )
    heading, nyha, hiv = eligibility.exclusion
    assert heading.sub_items == "all"
    assert not nyha.unread and not hiv.unread and nyha.rules and hiv.rules
    with_hiv = _patient(conditions=[{"text": "HIV infection", "onset": "2010-01-01"}])
    statuses = _screen(eligibility, with_hiv)
    assert statuses["E1.5"] is Status.MET and statuses["E1"] is Status.MET
    result = screen_patient(eligibility, with_hiv, as_of=AS_OF)
    assert result.failing == ("E1.5",)


def test_inadequate_function_excludes_on_any_limit_under_it() -> None:
    # NCT06680661 E1 (jwlieb/clinical-trial-agent @387df17,
    # data/demo/results/12_elderly_cll_poor_performance/trials.json): before, each limit was
    # quoted "for the subgroup of item E1", so none was decided
    eligibility = _eligibility(
        ("E1", "Patients with inadequate Organ Function as defined by:"),
        ("E1.3", "AST (SGOT) > 3X institutional upper limit of normal"),
        ("E1.4", "ALT (SGPT) > 3X institutional upper limit of normal"),
    )
    heading, ast, alt = eligibility.exclusion
    assert heading.sub_items == "all"
    assert not ast.unread and not alt.unread and ast.rules and alt.rules

    def liver(ast_value: float) -> Patient:
        return _patient(
            observations=[
                lab("ast", ast_value, "U/L", DAY, high=40.0),
                lab("alt", 30, "U/L", DAY, high=40.0),
            ]
        )

    statuses = _screen(eligibility, liver(200))  # 5 × ULN
    assert statuses["E1.3"] is Status.MET and statuses["E1"] is Status.MET
    assert screen_patient(eligibility, liver(200), as_of=AS_OF).failing == ("E1.3",)
    statuses = _screen(eligibility, liver(60))
    assert statuses["E1"] is Status.NOT_MET


def test_alternatives_under_an_item_with_content_are_never_decided_alone() -> None:
    # NCT01851408 I1 (round 5): the melanoma diagnosis is the item's own content, the
    # stages are alternatives; a sub-item read alone would require one stage of every patient
    eligibility = _eligibility(
        (
            "I1",
            "Histologically or cytologically confirmed melanoma, meeting 1 of the following criteria:",
        ),
        ("I1.1", "ECOG performance status 0-1"),
        ("I1.2", "Platelet count ≥ 100,000/mm³"),
    )
    parent, first, second = eligibility.inclusion
    assert parent.sub_items is None
    for sub in (first, second):
        assert sub.rules and any("an alternative under item I1" in u for u in sub.unread)
    statuses = _screen(eligibility, _patient(ecog=2, platelets=150))
    assert statuses["I1.1"] is Status.INVESTIGATOR  # not "not met": it is one alternative


@pytest.mark.parametrize(
    ("parent", "note"),
    [
        # NCT04815356 I2 (a development record, jwlieb/clinical-trial-agent data/demo @387df17):
        # one indication suffices; each read as required failed a patient with one of them
        ("Participants should have any of the following indications for therapy:", "alternative"),
        ("CNS Inclusion - participants may have any of the following:", "alternative"),
        # NCT04858256 I16 (same source): an exclusion filed under inclusion, whose sub-items are
        # examples of the illness it names; read alone each required the illness of everyone
        ("Uncontrolled current illness, including, but not limited to the following:", "example"),
    ],
)
def test_alternatives_and_examples_under_an_inclusion_are_never_decided_alone(
    parent: str, note: str
) -> None:
    eligibility = _eligibility(
        ("I1", parent),
        ("I1.1", "ECOG performance status 0-1"),
        ("I1.2", "Platelet count < 100,000/mm³"),
    )
    for sub in eligibility.inclusion[1:]:
        assert sub.rules and any(f"an {note}" in u and "item I1" in u for u in sub.unread)
    statuses = _screen(eligibility, _patient(ecog=2, platelets=50))
    assert statuses["I1.1"] is Status.INVESTIGATOR  # not "not met": one of several


@pytest.mark.parametrize(
    "parent",
    [
        # inclusions filed among the exclusions (NCT04266730 E20, NCT06634875 E8; development
        # records of jwlieb/clinical-trial-agent data/demo @387df17)
        "Subject has adequate bone marrow function as demonstrated by:",
        "Patients must have normal organ and hematologic function as defined below:",
    ],
)
def test_a_requirement_among_the_exclusions_is_never_decided_alone(parent: str) -> None:
    eligibility = _eligibility(("E1", parent), ("E1.1", "Platelet count ≥ 100,000/mm³"))
    sub = eligibility.exclusion[1]
    assert sub.rules and any("a requirement under item E1" in u for u in sub.unread)
    # read as an exclusion the limit excluded every patient who met it
    assert _screen(eligibility, _patient(platelets=150))["E1.1"] is Status.INVESTIGATOR


def test_a_function_heading_with_including_still_requires_each_limit() -> None:
    eligibility = _eligibility(
        ("I1", "Appropriate bone marrow and organ functions, including the following:"),
        ("I1.1", "Platelet count ≥ 100,000/mm³"),
    )
    assert not eligibility.inclusion[1].unread
    assert _screen(eligibility, _patient(platelets=50))["I1.1"] is Status.NOT_MET


def test_sub_items_that_exclude_only_together_are_never_decided_alone() -> None:
    eligibility = _eligibility(
        ("E1", "Patients with both of the following are excluded:"),
        ("E1.1", "ECOG performance status 2 or more"),
        ("E1.2", "Platelet count < 100,000/mm³"),
    )
    for sub in eligibility.exclusion[1:]:
        assert any("only with the other sub-items of item E1" in u for u in sub.unread)


def test_nested_headings_combine_deepest_first() -> None:
    eligibility = _eligibility(
        ("I1", "PATIENT CHARACTERISTICS:"),
        ("I1.1", "Patients must meet one of the following criteria:"),
        ("I1.1.1", "ECOG performance status 0-1"),
        ("I1.1.2", "Platelet count ≥ 100,000/mm³"),
        ("I1.2", "Age 18 years or older"),
    )
    tree = item_tree(eligibility.criteria)
    assert tree.order[0] == "I1.1" and tree.sub_items["I1"] == ("I1.1", "I1.2")
    assert tree.deciding == {"I1.1", "I1.2"}
    statuses = _screen(eligibility, _patient(ecog=3, platelets=150))
    assert statuses["I1.1"] is Status.MET and statuses["I1"] is Status.MET
    assert _screen(eligibility, _patient(ecog=3, platelets=50))["I1"] is Status.NOT_MET


@pytest.mark.parametrize(
    ("kind", "sub_items", "statuses", "expected"),
    [
        (INC, "all", [Status.MET, Status.NOT_MET], Status.NOT_MET),
        (INC, "all", [Status.MET, Status.UNKNOWN], Status.UNKNOWN),
        (INC, "all", [Status.MET, Status.INVESTIGATOR], Status.INVESTIGATOR),
        (EXC, "all", [Status.NOT_MET, Status.MET], Status.MET),  # any sub-item met excludes
        (EXC, "all", [Status.NOT_MET, Status.UNKNOWN], Status.UNKNOWN),
        (INC, "any", [Status.NOT_MET, Status.MET], Status.MET),
        (INC, "any", [Status.NOT_MET, Status.UNKNOWN], Status.UNKNOWN),
        (INC, "any", [], Status.INVESTIGATOR),
    ],
)
def test_heading_status_is_kleene(
    kind: CriterionKind, sub_items: SubItems, statuses: list[Status], expected: Status
) -> None:
    assert heading_status(kind, sub_items, statuses) is expected


def test_random_patients_agree_per_patient_and_vectorised() -> None:
    eligibility = _eligibility(
        *ALTERNATIVES,
        ("I2", "Adequate organ function as defined below:"),
        ("I2.1", "Absolute neutrophil count ≥ 1,500/mm³"),
        ("I2.2", "Hemoglobin ≥ 9 g/dL"),
        (
            "E1",
            "Patients who meet the following criteria at the time of screening will be excluded:",
        ),
        ("E1.1", "Creatinine > 1.5 × ULN"),
        ("E1.2", "QTcF > 470 msec"),
    )
    patients = random_patients(300, seed=5)
    batch = screen_frames(eligibility, frames_from_patients(patients), as_of=AS_OF)
    seen: dict[str, set[str]] = {"I1": set(), "I2": set(), "E1": set()}
    for patient in patients:
        one = screen_patient(eligibility, patient, as_of=AS_OF)
        assert batch.loc[patient.id, "overall"] == one.overall.value, patient.id
        for c in one.criteria:
            assert batch.loc[patient.id, c.criterion_id] == c.status.value, (patient.id, c)
            if c.criterion_id in seen:
                seen[c.criterion_id].add(c.status.value)
    for heading, found in seen.items():
        assert len(found) >= 2, (heading, found)  # the patients reach both sides


# ---- coverage: a heading is as computable as its sub-items


def test_coverage_of_a_heading() -> None:
    eligibility = _eligibility(
        ("I1", "PATIENT CHARACTERISTICS:"),
        ("I1.1", "ECOG performance status 0-1"),
        ("I1.2", "Platelet count ≥ 100,000/mm³"),
        ("I2", "PRIOR CONCURRENT THERAPY:"),
        ("I2.1", "ECOG performance status 0-1"),
        ("I2.2", "Recovered from all prior therapy"),
        ("I3", "DISEASE CHARACTERISTICS:"),
        ("I3.1", "See Disease Characteristics"),
    )
    levels = {i.criterion.id: i.level for i in coverage_report(eligibility).items}
    assert (levels["I1"], levels["I2"], levels["I3"]) == ("computable", "partial", "checklist")
    assert computable_items(eligibility.criteria) == {"I1", "I1.1", "I1.2", "I2.1"}
