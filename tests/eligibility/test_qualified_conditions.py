"""Qualified conditions: a condition named with words no record shows (issue 12).

"Has a history of (non-infectious) pneumonitis/interstitial lung disease that required steroids
or has current pneumonitis/interstitial lung disease", "Has an active autoimmune disease that
has required systemic treatment in the past 2 years …", "Has a known additional malignancy that
is progressing or has required active treatment within the past 3 years": the condition rule
carries the words as its ``qualifier`` (``rules.QUALIFIER``, ``reading_qualified``). Three-valued:
no record of the condition in a provided list is not met; a record of it is unknown, asking the
screener to confirm the quoted words — never met on the record alone; no list is unknown. "Or
has current pneumonitis" is the condition's clinical status, and can be met. Per patient and
vectorised alike (random patients, Hypothesis); the OMOP query gives the same statuses
(tests/prescreen/test_qualified_conditions_sql.py).

Real phrasings from the development corpus: jwlieb/clinical-trial-agent, commit
387df1768929a7cefaa15dfbd4d9ca3dcddd3fde (387df17), data/demo/<dir>/trials.json (eligibility
text); the file given with each phrasing is the first that holds the record.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.batch import frames_from_patients, screen_frames
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.patient import CLINICAL_STATUS_CODES, Patient
from oncotrial.eligibility.rules import (
    ConditionRule,
    OtherMalignancyRule,
    Rule,
    Window,
    describe_rule,
    iter_rules,
)
from oncotrial.eligibility.screening import screen_patient

from .builders import assert_each_rule_equal_in_both_paths, proposed
from .random_patients import AS_OF, random_patients

SOURCE = "jwlieb/clinical-trial-agent@387df1768929a7cefaa15dfbd4d9ca3dcddd3fde"
KRAS = "data/demo/results/01_nsclc_kras_g12c_standard/trials.json"
BRAIN = "data/demo/results/02_nsclc_kras_g12c_brain_mets/trials.json"
COLORECTAL = "data/demo/results/04_colorectal_kras_g12c/trials.json"
MELANOMA = "data/demo/results/05_melanoma_braf_v600e/trials.json"
BREAST = "data/demo/results/06_breast_her2_positive/trials.json"
SQUAMOUS = "data/demo/results/08_lung_squamous_pd_l1_high/trials.json"
RENAL = "data/demo/results/14_renal_cell_io_resistant/trials.json"
V2_KRAS = "data/demo/v2-results/01_nsclc_kras_g12c_standard/trials.json"
V2_MELANOMA = "data/demo/v2-results/05_melanoma_braf_v600e/trials.json"

MERCK_LUNG = (
    "Has a history of (non-infectious) pneumonitis/interstitial lung disease that required "
    "steroids or has current pneumonitis/interstitial lung disease."
)
MERCK_AUTOIMMUNE = (
    "Has active autoimmune disease that has required systemic treatment in the past 2 years "
    "(i.e. with use of disease modifying agents, corticosteroids or immunosuppressive drugs). "
    "Replacement therapy (eg., thyroxine, insulin, or physiologic corticosteroid replacement "
    "therapy for adrenal or pituitary insufficiency, etc.) is not considered a form of systemic "
    "treatment."
)
MERCK_MALIGNANCY = (
    "Has a known additional malignancy that is progressing or has required active treatment "
    "within the past 3 years."
)
MALIGNANCY_NOTE = (
    "7. Has a known additional malignancy that is progressing or has required active treatment "
    "within the past 3 years (Note: Exceptions are subjects with basal cell carcinoma of the "
    "skin, squamous cell carcinoma of the skin, and localized prostate cancer who have undergone "
    "potentially curative therapy. These subjects are not excluded)."
)


MALIGNANCY_UNLESS = (
    "Has a history of a second malignancy, unless potentially curative treatment has been "
    "completed with no evidence of malignancy for 2 years."
)


def _q(name: str, qualifier: str) -> str:
    return f'{name}, to confirm: "{qualifier}"'


def _autoimmune(qualifier: str) -> str:
    return " or ".join(
        f"({_q(name + ' (active)', qualifier)})"
        for name in (
            "Autoimmune disease (other than vitiligo, type 1 diabetes, autoimmune thyroiditis)",
            "Vitiligo",
            "Type 1 diabetes mellitus",
            "Autoimmune thyroiditis (Hashimoto)",
        )
    )


def _malignancy(qualifier: str) -> str:
    return _q("malignancy other than the cancer under study ever", qualifier)


STEROIDS = "that required steroids"
PNEUMONITIS = "Pneumonitis"
ILD = "Interstitial lung disease"

# (NCT id, source file, text, kind, readings, unread)
READINGS: list[tuple[str, str, str, str, list[str], tuple[str, ...]]] = [
    (
        "NCT04317534",
        KRAS,
        MERCK_LUNG,
        "exclusion",
        [
            _q(PNEUMONITIS, STEROIDS),
            _q(ILD, STEROIDS),
            f"{PNEUMONITIS} (active)",
            f"{ILD} (active)",
        ],
        (),
    ),
    (
        "NCT04219254",
        BREAST,
        "Has a history of (non-infectious) pneumonitis that required steroids or has current "
        "pneumonitis.",
        "exclusion",
        [_q(PNEUMONITIS, STEROIDS), f"{PNEUMONITIS} (active)"],
        (),
    ),
    (
        "NCT07190248",
        BRAIN,
        "History of (noninfectious) pneumonitis/interstitial lung disease that required steroids "
        "or has current pneumonitis/interstitial lung disease",
        "exclusion",
        [
            _q(PNEUMONITIS, STEROIDS),
            _q(ILD, STEROIDS),
            f"{PNEUMONITIS} (active)",
            f"{ILD} (active)",
        ],
        (),
    ),
    (
        # "(non-infectious) pneumonitis that required steroids, or current pneumonitis" form
        "NCT06683755",
        MELANOMA,
        "History of non-infectious pneumonitis that required steroids or current pneumonitis",
        "exclusion",
        [_q(PNEUMONITIS, STEROIDS), f"{PNEUMONITIS} (active)"],
        (),
    ),
    (
        # "ILD (ILD)/pneumonitis)": the stray parenthesis of the record is read over
        "NCT06358430",
        COLORECTAL,
        "11. History of interstitial lung disease (ILD) that required steroids or has current "
        "pneumonitis/ILD.",
        "exclusion",
        [_q(ILD, STEROIDS), f"{PNEUMONITIS} (active)", f"{ILD} (active)"],
        (),
    ),
    (
        "NCT05378425",
        BREAST,
        "14. The patient has a history of (non-infectious) pneumonitis or interstitial pulmonary "
        "disease that required steroids or has current pneumonitis or interstitial pulmonary "
        "disease.",
        "exclusion",
        [
            _q(PNEUMONITIS, STEROIDS),
            _q(ILD, STEROIDS),
            f"{PNEUMONITIS} (active)",
            f"{ILD} (active)",
        ],
        (),
    ),
    (
        # the steroids after a list reach each mention of it (never a wrong verdict: a
        # qualifier can only turn met into unknown)
        "NCT05254184",
        KRAS,
        "Known history of interstitial lung disease or of (non-infectious) pneumonitis that "
        "required steroids or current pneumonitis.",
        "exclusion",
        [_q(ILD, STEROIDS), _q(PNEUMONITIS, STEROIDS), f"{PNEUMONITIS} (active)"],
        (),
    ),
    (
        "NCT05067283",
        KRAS,
        "Has a history of interstitial lung disease, noninfectious pneumonitis requiring active "
        "steroid therapy, or ongoing pneumonitis",
        "exclusion",
        [
            _q(ILD, "requiring active steroid therapy"),
            _q(PNEUMONITIS, "requiring active steroid therapy"),
            f"{PNEUMONITIS} (active)",
        ],
        (),
    ),
    (
        "NCT07288034",
        BRAIN,
        "Prior history of interstitial lung disease (ILD) or non-infectious pneumonitis requiring "
        "high-dose glucocorticoids",
        "exclusion",
        [
            _q(ILD, "requiring high-dose glucocorticoids"),
            _q(PNEUMONITIS, "requiring high-dose glucocorticoids"),
        ],
        (),
    ),
    (
        "NCT06090266",
        MELANOMA,
        "3. Prior pneumonitis requiring systemic corticosteroid therapy.",
        "exclusion",
        [_q(PNEUMONITIS, "requiring systemic corticosteroid therapy")],
        (),
    ),
    (
        "NCT04253964",
        KRAS,
        "History of (non-infectious) pneumonitis that required systemic corticosteroids.",
        "exclusion",
        [_q(PNEUMONITIS, "that required systemic corticosteroids")],
        (),
    ),
    (
        "NCT06975293",
        MELANOMA,
        "History of (non-infectious) pneumonitis/interstitial lung disease that required steroids "
        "or the presence of ongoing pneumonitis/interstitial lung disease).",
        "exclusion",
        [
            _q(PNEUMONITIS, STEROIDS),
            _q(ILD, STEROIDS),
            f"{PNEUMONITIS} (active)",
            f"{ILD} (active)",
        ],
        (),
    ),
    (
        # the active pair first, the steroids the history's alone (the names said again)
        "NCT06399419",
        RENAL,
        "Active interstitial lung disease (ILD)/pneumonitis or history of ILD/pneumonitis "
        "requiring treatment with systemic steroids",
        "exclusion",
        [
            f"{ILD} (active)",
            f"{PNEUMONITIS} (active)",
            _q(ILD, "requiring treatment with systemic steroids"),
            _q(PNEUMONITIS, "requiring treatment with systemic steroids"),
        ],
        (),
    ),
    (
        # other leads: "There is", "With", "confirmed", "History of or active"
        "NCT06697301",
        MELANOMA,
        "There is a history of (noninfectious) pneumonitis/interstitial lung disease that "
        "required steroids or has current pneumonitis/ interstitial lung disease.",
        "exclusion",
        [
            _q(PNEUMONITIS, STEROIDS),
            _q(ILD, STEROIDS),
            f"{PNEUMONITIS} (active)",
            f"{ILD} (active)",
        ],
        (),
    ),
    (
        "NCT05704647",
        V2_MELANOMA,
        "With a history of non-infectious pneumonitis that required steroids or current "
        "pneumonitis.",
        "exclusion",
        [_q(PNEUMONITIS, STEROIDS), f"{PNEUMONITIS} (active)"],
        (),
    ),
    (
        "NCT05546268",
        "data/demo/v2-results/10_gastric_her2_msi_high/trials.json",
        "Have a confirmed history of (non-infectious) pneumonitis that required steroids",
        "exclusion",
        [_q(PNEUMONITIS, STEROIDS)],
        (),
    ),
    (
        "NCT05077137",
        V2_MELANOMA,
        "History of or active (non-infectious) pneumonitis that required steroids",
        "exclusion",
        [_q(PNEUMONITIS, STEROIDS)],
        (),
    ),
    (
        # an inclusion item: its negation read
        "NCT05677490",
        MELANOMA,
        "Patients must not have a history of noninfectious pneumonitis requiring steroids",
        "inclusion",
        [f"not ({_q(PNEUMONITIS, 'requiring steroids')})"],
        (),
    ),
    (
        "NCT04317534",
        KRAS,
        MERCK_AUTOIMMUNE,
        "exclusion",
        [
            _autoimmune(
                "that has required systemic treatment in the past 2 years (i.e. with use of "
                "disease modifying agents, corticosteroids or immunosuppressive drugs). "
                "Replacement therapy (eg., thyroxine, insulin, or physiologic corticosteroid "
                "replacement therapy for adrenal or pituitary insufficiency, etc.) is not "
                "considered a form of systemic treatment"
            )
        ],
        (),
    ),
    (
        "NCT06780098",
        SQUAMOUS,
        "Active autoimmune disease that has required systemic treatment in the past 2 years. "
        "Replacement therapy (eg, thyroxine, insulin, or physiologic corticosteroid) is allowed",
        "exclusion",
        [
            _autoimmune(
                "that has required systemic treatment in the past 2 years. Replacement therapy "
                "(eg, thyroxine, insulin, or physiologic corticosteroid) is allowed"
            )
        ],
        (),
    ),
    (
        "NCT06890598",
        KRAS,
        "Have an active autoimmune disease that required systemic treatment in the past 2 years. "
        "Endocrine replacement therapy is allowed.",
        "exclusion",
        [
            _autoimmune(
                "that required systemic treatment in the past 2 years. Endocrine replacement "
                "therapy is allowed"
            )
        ],
        (),
    ),
    (
        "NCT02332668",
        MELANOMA,
        "Active autoimmune disease that has required systemic treatment in past 2 years; "
        "replacement therapy (such as thyroxine, insulin, or physiologic corticosteroid "
        "replacement therapy for adrenal or pituitary insufficiency) is acceptable",
        "exclusion",
        [
            _autoimmune(
                "that has required systemic treatment in past 2 years; replacement therapy (such "
                "as thyroxine, insulin, or physiologic corticosteroid replacement therapy for "
                "adrenal or pituitary insufficiency) is acceptable"
            )
        ],
        (),
    ),
    (
        "NCT05672251",
        "data/demo/results/12_elderly_cll_poor_performance/trials.json",
        "Active autoimmune disease requiring treatment.",
        "exclusion",
        [_autoimmune("requiring treatment")],
        (),
    ),
    (
        # a history of it (any clinical status), with the words to confirm
        "NCT05663710",
        "data/demo/v2-results/14_renal_cell_io_resistant/trials.json",
        "Has a history of autoimmune disease requiring active therapy",
        "exclusion",
        [_autoimmune("requiring active therapy").replace(" (active)", "")],
        (),
    ),
    (
        "NCT04511039",
        COLORECTAL,
        "Other malignancy requiring active therapy",
        "exclusion",
        [_malignancy("requiring active therapy")],
        (),
    ),
    (
        "NCT06345729",
        KRAS,
        "Known additional malignancy that is progressing or has required active treatment within "
        "the past 3 years",
        "exclusion",
        [
            _malignancy(
                "that is progressing or has required active treatment within the past 3 years"
            )
        ],
        (),
    ),
    (
        "NCT06788912",
        V2_KRAS,
        "Known additional malignancy that is progressing or has required active treatment within "
        "the past 5 years.",
        "exclusion",
        [
            _malignancy(
                "that is progressing or has required active treatment within the past 5 years"
            )
        ],
        (),
    ),
    (
        # the note only narrows what the screener confirms: read with the words
        "NCT05746897",
        COLORECTAL,
        MALIGNANCY_NOTE,
        "exclusion",
        [_malignancy(MALIGNANCY_NOTE[MALIGNANCY_NOTE.index("that") : -1])],
        (),
    ),
    (
        "NCT04974671",
        RENAL,
        "5. Has a known additional malignancy that is progressing or requires active treatment. "
        "Exceptions include basal cell carcinoma of the skin, squamous cell carcinoma of the "
        "skin, or in situ cervical cancer that has undergone potentially curative therapy.",
        "exclusion",
        [
            _malignancy(
                "that is progressing or requires active treatment. Exceptions include basal cell "
                "carcinoma of the skin, squamous cell carcinoma of the skin, or in situ cervical "
                "cancer that has undergone potentially curative therapy"
            )
        ],
        (),
    ),
    (
        "NCT06843551",
        "data/demo/results/07_pancreatic_kras_g12d/trials.json",
        "12. Known additional malignancy requiring active treatment.",
        "exclusion",
        [_malignancy("requiring active treatment")],
        (),
    ),
    (
        "NCT04585477",
        KRAS,
        "3. History of another primary malignancy and currently undergoing active treatment",
        "exclusion",
        [_malignancy("and currently undergoing active treatment")],
        (),
    ),
    (
        # an exception with "unless" narrows as the words above do: the screener confirms it
        "NCT04712851",
        "data/demo/v2-results/14_renal_cell_io_resistant/trials.json",
        MALIGNANCY_UNLESS,
        "exclusion",
        [
            _malignancy(
                "unless potentially curative treatment has been completed with no evidence of "
                "malignancy for 2 years"
            )
        ],
        (),
    ),
]


@pytest.mark.parametrize(
    ("nct", "path", "text", "kind", "readings", "unread"),
    READINGS,
    ids=[f"{r[0]}-{i}" for i, r in enumerate(READINGS)],
)
def test_real_phrasings_are_read(
    nct: str, path: str, text: str, kind: str, readings: list[str], unread: tuple[str, ...]
) -> None:
    criterion = _read(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == readings, (nct, path)
    assert criterion.unread == unread, (nct, path)


def test_the_source_of_every_phrasing_is_cited() -> None:
    assert SOURCE.endswith("387df1768929a7cefaa15dfbd4d9ca3dcddd3fde")
    for nct, path, *_ in READINGS:
        assert nct.startswith("NCT") and path.startswith("data/demo/") and path.endswith(".json")


def _read(text: str, kind: str = "exclusion") -> Criterion:
    return read_criterion(Criterion(id="E1", kind=CriterionKind(kind), text=text)).criterion


# (NCT id, source file, text, kind, words left unread)
PARTIAL: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    (
        # whether suspected ILD "cannot be ruled out by imaging" is the investigator's to judge
        "NCT06439693",
        BREAST,
        "History of (non-infectious) ILD/pneumonitis that required steroids, has current "
        "ILD/pneumonitis, or where suspected ILD/pneumonitis cannot be ruled out by imaging at "
        "screening.",
        "exclusion",
        ("or where suspected ILD/", "cannot be ruled out by imaging at screening"),
    ),
    (
        # "must not have" in an exclusion list: a double negative, not read
        "NCT05929768",
        MELANOMA,
        "Participants must not have a history of (non-infectious) pneumonitis that required "
        "steroids, or has current (non-infectious) pneumonitis",
        "exclusion",
        (
            "Participants must not have a history of (non-infectious",
            "that required steroids, or has current (non-infectious",
        ),
    ),
    (
        # words that may widen the item stay unread
        "NCT06814496",
        KRAS,
        "8. Active autoimmune disease that has required systemic treatment (except replacement "
        "therapy) within the past 2 years or any other diseases requiring immunosuppressive "
        "therapy while on study.",
        "exclusion",
        ("or any other diseases requiring immunosuppressive therapy while on study",),
    ),
    (
        # "or active, …": whether the steroids reach the interstitial lung disease is not read
        "NCT05669846",
        KRAS,
        "Has a history of interstitial lung disease or active, non-infectious pneumonitis that "
        "required steroids or has current pneumonitis.",
        "exclusion",
        ("that required steroids or has current",),
    ),
]


@pytest.mark.parametrize(("nct", "path", "text", "kind", "unread"), PARTIAL)
def test_what_may_widen_the_item_stays_unread(
    nct: str, path: str, text: str, kind: str, unread: tuple[str, ...]
) -> None:
    assert _read(text, kind).unread == unread, (nct, path)


# ---- evaluation, one patient: per patient and vectorised alike


def _screen(text: str, conditions: list[dict[str, Any]] | None, kind: str = "exclusion") -> Any:
    criterion = _read(text, kind)
    items = {"inclusion": (), "exclusion": ()} | {kind: (criterion,)}
    eligibility = Eligibility(inclusion=items["inclusion"], exclusion=items["exclusion"])
    fields: dict[str, Any] = {"id": "P", "sex": "female", "diagnosis": NSCLC}
    if conditions is not None:
        fields["conditions"] = conditions
    patient = Patient.model_validate(fields)
    one = screen_patient(eligibility, patient, as_of=AS_OF)
    batch = screen_frames(eligibility, frames_from_patients([patient]), as_of=AS_OF)
    (result,) = one.criteria
    assert batch.loc["P", "E1"] == result.status.value
    return result


NSCLC = {"concept": "nsclc", "code": "C34.1", "system": "ICD-10", "date": "2024-11-02"}
PN = {"text": "pneumonitis", "onset": "2023-05-01"}


@pytest.mark.parametrize(
    ("conditions", "status"),
    [
        (None, Status.UNKNOWN),  # no medical history given
        ([], Status.NOT_MET),  # none recorded: whether it required steroids does not matter
        ([{"text": "Hypertension"}], Status.NOT_MET),
        # a resolved pneumonitis: whether it required steroids is the screener's to confirm
        ([PN | {"clinical_status": "resolved"}], Status.UNKNOWN),
        ([PN | {"abatement": "2024-01-01"}], Status.UNKNOWN),
        # current pneumonitis excludes, steroids or not
        ([PN | {"clinical_status": "active"}], Status.MET),
        ([{"text": "Interstitial lung disease", "clinical_status": "relapse"}], Status.MET),
        # no status: whether it is current, and whether it required steroids, are unknown
        ([PN], Status.UNKNOWN),
        # diagnosed after the reference date: not a history
        ([PN | {"onset": "2025-06-01", "clinical_status": "active"}], Status.NOT_MET),
    ],
)
def test_the_merck_pneumonitis_item(
    conditions: list[dict[str, Any]] | None, status: Status
) -> None:
    assert _screen(MERCK_LUNG, conditions).status is status


RA = {"text": "rheumatoid arthritis", "onset": "2015-01-01"}


@pytest.mark.parametrize(
    ("conditions", "status"),
    [
        (None, Status.UNKNOWN),
        ([], Status.NOT_MET),
        # active: the systemic treatment it required is to confirm, never met on the record
        ([RA | {"clinical_status": "active"}], Status.UNKNOWN),
        ([{"text": "vitiligo", "clinical_status": "relapse"}], Status.UNKNOWN),
        # not active: not excluded, whatever treatment it had
        ([RA | {"clinical_status": "remission"}], Status.NOT_MET),
        ([RA | {"abatement": "2020-01-01"}], Status.NOT_MET),
        ([RA], Status.UNKNOWN),  # no status
    ],
)
def test_the_merck_autoimmune_item(conditions: list[dict[str, Any]] | None, status: Status) -> None:
    assert _screen(MERCK_AUTOIMMUNE, conditions).status is status


@pytest.mark.parametrize(
    ("conditions", "status"),
    [
        (None, Status.UNKNOWN),
        ([], Status.NOT_MET),
        ([{"text": "Hypertension"}], Status.NOT_MET),
        # another cancer, even long resolved: progressing or treated lately is to confirm
        ([{"code": "C50.9", "system": "ICD-10", "onset": "2019-01-01"}], Status.UNKNOWN),
        (
            [
                {
                    "code": "C50.9",
                    "system": "ICD-10",
                    "onset": "2010-01-01",
                    "abatement": "2012-01-01",
                }
            ],
            Status.UNKNOWN,
        ),
        # the note's exceptions are conditional (curative therapy): a basal cell carcinoma asks
        ([{"text": "basal cell carcinoma"}], Status.UNKNOWN),
        # the cancer under study is not another malignancy
        ([{"code": "C34.1", "system": "ICD-10", "onset": "2024-11-02"}], Status.NOT_MET),
    ],
)
def test_the_merck_malignancy_item(conditions: list[dict[str, Any]] | None, status: Status) -> None:
    assert _screen(MALIGNANCY_NOTE, conditions).status is status


@pytest.mark.parametrize(
    ("conditions", "status"),
    [
        (None, Status.UNKNOWN),
        ([], Status.NOT_MET),
        # cured and disease-free for 2 years, or not: the screener confirms
        ([{"code": "C50.9", "system": "ICD-10", "onset": "2019-01-01"}], Status.UNKNOWN),
        ([{"code": "C34.1", "system": "ICD-10", "onset": "2024-11-02"}], Status.NOT_MET),
    ],
)
def test_the_unless_malignancy_item(
    conditions: list[dict[str, Any]] | None, status: Status
) -> None:
    assert _screen(MALIGNANCY_UNLESS, conditions).status is status


def test_an_inclusion_negates_the_qualified_condition() -> None:
    # NCT05677490 (MELANOMA), an inclusion item
    text = "Patients must not have a history of noninfectious pneumonitis requiring steroids"
    assert _screen(text, [], "inclusion").status is Status.MET
    assert _screen(text, [PN | {"clinical_status": "resolved"}], "inclusion").status is (
        Status.UNKNOWN
    )
    assert _screen(text, None, "inclusion").status is Status.UNKNOWN


def test_results_quote_the_qualifier() -> None:
    found = _screen(MERCK_LUNG, [PN | {"clinical_status": "resolved"}])
    assert 'whether pneumonitis: "that required steroids" (the records cannot show it)' in (
        found.missing
    )
    notes = [e.note for r in found.rules for e in r.evidence]
    assert 'to confirm "that required steroids"' in notes
    none = _screen(MERCK_LUNG, [])
    assert any(
        n == 'no record of pneumonitis, so "that required steroids" needs no confirming'
        for r in none.rules
        for n in r.notes
    )
    missing = _screen(MERCK_MALIGNANCY, None).missing
    assert missing == (
        "medical history (to check for other malignancies "
        '"that is progressing or has required active treatment within the past 3 years")',
    )


def test_the_model_refuses_an_empty_qualifier() -> None:
    with pytest.raises(ValueError, match="at least 1 character"):
        ConditionRule(
            kind="condition", id="R", description="x", condition="pneumonitis", qualifier=""
        )
    with pytest.raises(ValueError, match="at least 1 character"):
        OtherMalignancyRule(kind="other_malignancy", id="R", description="x", qualifier="")


# ---- a qualifier never makes a rule met, and never changes what is not met


def _without(rule: Rule) -> Rule:
    return rule.model_copy(update={"qualifier": None})


def _qualified_leaves(eligibility: Eligibility) -> list[ConditionRule | OtherMalignancyRule]:
    return [
        r
        for c in eligibility.criteria
        for r in iter_rules(c.rules)
        if isinstance(r, ConditionRule | OtherMalignancyRule) and r.qualifier is not None
    ]


AGREEMENT_ITEMS = (
    ("E1", MERCK_LUNG),
    ("E2", MERCK_AUTOIMMUNE),
    ("E3", MERCK_MALIGNANCY),
    ("E4", "Prior pneumonitis requiring systemic corticosteroid therapy."),
    ("I1", "Patients must not have a history of noninfectious pneumonitis requiring steroids"),
    (
        "E5",
        "Active interstitial lung disease (ILD)/pneumonitis or history of ILD/pneumonitis "
        "requiring treatment with systemic steroids",
    ),
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
    assert len(_qualified_leaves(eligibility)) == 11
    patients = _with_statuses(random_patients(400, seed=21), seed=21)
    batch = screen_frames(eligibility, frames_from_patients(patients), as_of=AS_OF)
    seen: dict[str, set[str]] = {i: set() for i, _ in AGREEMENT_ITEMS}
    for patient in patients:
        one = screen_patient(eligibility, patient, as_of=AS_OF)
        assert batch.loc[patient.id, "overall"] == one.overall.value, patient.id
        for c in one.criteria:
            assert batch.loc[patient.id, c.criterion_id] == c.status.value, (patient.id, c)
            seen[c.criterion_id].add(c.status.value)
    # the current pneumonitis/ILD decides met; the qualified rules alone never do
    assert seen["E1"] == seen["E5"] == {"met", "not met", "unknown"}
    for item in ("E2", "E4", "I1"):
        assert "unknown" in seen[item] and len(seen[item]) == 2, (item, seen[item])


def test_a_qualifier_turns_met_into_unknown_and_nothing_else() -> None:
    """For every qualified leaf and random patient: the rule is never met; it is not met
    exactly when the rule without its qualifier is not met."""
    leaves = _qualified_leaves(proposed(AGREEMENT_ITEMS))
    bare = [_without(r) for r in leaves]
    patients = _with_statuses(random_patients(150, seed=5), seed=5)
    for rule, plain in zip(leaves, bare, strict=True):
        items = tuple(
            Criterion(
                id=f"E{i}",
                kind=CriterionKind.EXCLUSION,
                text="x",
                rules=(r.model_copy(update={"id": f"E{i}-1", "source": None}),),
            )
            for i, r in enumerate((rule, plain), start=1)
        )
        eligibility = Eligibility(exclusion=items)
        for patient in patients:
            with_q, without_q = (
                c.status for c in screen_patient(eligibility, patient, as_of=AS_OF).criteria
            )
            assert with_q is not Status.MET
            assert (with_q is Status.NOT_MET) == (without_q is Status.NOT_MET), (patient, rule)


# ---- Hypothesis: each qualified rule variant, one by one and vectorised

H_AS_OF = dt.date(2025, 3, 1)
_DAYS = st.integers(min_value=-4000, max_value=60).map(lambda d: H_AS_OF + dt.timedelta(days=d))
_RECORD = st.fixed_dictionaries(
    {
        "text": st.sampled_from(
            ["pneumonitis", "Interstitial lung disease", "rheumatoid arthritis", "Hypertension"]
        ),
        "onset": st.none() | _DAYS,
        "abatement": st.none() | _DAYS,
        "clinical_status": st.sampled_from([None, *CLINICAL_STATUS_CODES]),
    }
) | st.sampled_from(
    [
        {"code": "C50.9", "system": "ICD-10"},
        {"code": "C34.1", "system": "ICD-10"},
        {"code": "D06.9", "system": "ICD-10"},
        {"text": "basal cell carcinoma", "onset": "2020-01-01"},
        {"code": "C50.9", "system": "ICD-10", "onset": "2010-01-01", "abatement": "2012-01-01"},
    ]
)
_CONDITIONS: tuple[Rule, ...] = tuple(
    ConditionRule(
        kind="condition",
        id=f"E{i}-1",
        description="x",
        condition=condition,
        qualifier="that required steroids",
        **fields,
    )
    for i, (condition, fields) in enumerate(
        (
            (c, f)
            for c in ("pneumonitis", "interstitial_lung_disease", "autoimmune_disease")
            for f in (
                {},
                {"active": True},
                {"current": True},
                {"within": Window(value=2, unit="years")},
            )
        ),
        start=1,
    )
)
_MALIGNANCY_FIELDS: tuple[dict[str, Any], ...] = (
    {},
    {"current": True},
    {"within": Window(value=3, unit="years")},
    {"exceptions": ("skin_basal_squamous_carcinoma",)},
)
_QUALIFIED: tuple[Rule, ...] = _CONDITIONS + tuple(
    OtherMalignancyRule(
        kind="other_malignancy",
        id=f"E{i}-1",
        description="x",
        qualifier="that is progressing or has required active treatment",
        **fields,
    )
    for i, fields in enumerate(_MALIGNANCY_FIELDS, start=len(_CONDITIONS) + 1)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.lists(
        st.tuples(st.none() | st.lists(_RECORD, max_size=4), st.booleans()),
        min_size=1,
        max_size=6,
    )
)
def test_vectorised_equals_one_by_one(
    people: list[tuple[list[dict[str, Any]] | None, bool]],
) -> None:
    patients = []
    for i, (conditions, diagnosed) in enumerate(people):
        fields: dict[str, Any] = {"id": f"P{i}", "planned_first_dose": H_AS_OF}
        if diagnosed:
            fields["diagnosis"] = NSCLC
        if conditions is not None:
            fields["conditions"] = conditions
        patients.append(Patient.model_validate(fields))
    assert_each_rule_equal_in_both_paths(patients, _QUALIFIED, as_of=H_AS_OF)
