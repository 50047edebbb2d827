"""Toxicities of prior therapy recovered (issue 12): 'All toxicities (except alopecia) from prior
cancer treatments or procedures must have resolved to ≤Grade 1 or returned to baseline levels
prior to enrollment' — the adverse events of prior therapy on the patient record (CTCAE v5.0
terms and grades), the toxicity rule, three-valued, per patient and vectorised alike
(Hypothesis), and the reader of the development corpus's phrasings.

Phrasings from jwlieb/clinical-trial-agent @387df17, data/demo/results/<dir>/trials.json (the
directory after each NCT id below).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncotrial.eligibility.concepts_toxicity import TOXICITY_EXCEPTIONS
from oncotrial.eligibility.criteria import Criterion, CriterionKind
from oncotrial.eligibility.evaluate import evaluate_rule
from oncotrial.eligibility.evaluate_context import Context
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.parser import read_criterion
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import NotRule, ToxicityException, ToxicityRule
from oncotrial.errors import DictionaryError, InputError, ValueProblem
from oncotrial.formats.ctcae import BUNDLED_CTCAE, load_ctcae
from oncotrial.formats.patients import read_patient_file

from .builders import assert_each_rule_equal_in_both_paths, item_status

AS_OF = dt.date(2025, 3, 1)
NEUROPATHY = "Peripheral sensory neuropathy"


def _rule(**fields: Any) -> ToxicityRule:
    return ToxicityRule(kind="toxicity", id="I1-1", description="x", **({"max_grade": 1} | fields))


def _exception(concept: str, max_grade: int | None = None, confirm: str | None = None) -> Any:
    return ToxicityException(concept=concept, max_grade=max_grade, confirm=confirm)


def _patient(*events: dict[str, Any] | None) -> Patient:
    if events == (None,):
        return Patient(id="P1")
    return Patient.model_validate({"id": "P1", "adverse_events": list(events)})


def _status(rule: ToxicityRule, patient: Patient) -> tuple[Status, tuple[str, ...]]:
    result = evaluate_rule(rule, Context(patient=patient, as_of=AS_OF, first_dose=None))
    return result.status, result.missing


# ------------------------------------------------------------------ the dictionary


def test_every_exception_term_is_a_ctcae_v5_term() -> None:
    dictionary = load_ctcae(BUNDLED_CTCAE)
    for concept in TOXICITY_EXCEPTIONS.values():
        for term in concept.terms:
            assert dictionary.lookup(term).term == term, (concept.key, term)
    endocrine = {t.term for t in dictionary.terms.values() if t.soc == "Endocrine disorders"}
    assert set(TOXICITY_EXCEPTIONS["endocrinopathy"].terms) == endocrine


# ------------------------------------------------------------------ semantics


@pytest.mark.parametrize(
    ("rule", "events", "status"),
    [
        (_rule(), [None], Status.UNKNOWN),  # not asked
        (_rule(), [], Status.MET),  # none
        (_rule(), [{"term": "Nausea", "grade": 1}], Status.MET),
        (_rule(), [{"term": "Nausea", "grade": 2}], Status.NOT_MET),
        (_rule(), [{"term": "Nausea"}], Status.UNKNOWN),  # no grade
        # resolved before the reference date; begun after it
        (_rule(), [{"term": "Nausea", "grade": 3, "end": "2025-02-01"}], Status.MET),
        (_rule(), [{"term": "Nausea", "grade": 3, "end": "2025-03-02"}], Status.NOT_MET),
        (_rule(), [{"term": "Nausea", "grade": 3, "start": "2025-03-02"}], Status.MET),
        # or baseline
        (_rule(or_baseline=True), [{"term": "Nausea", "grade": 2}], Status.UNKNOWN),
        (
            _rule(or_baseline=True),
            [{"term": "Nausea", "grade": 2, "baseline_grade": 2}],
            Status.MET,
        ),
        (
            _rule(or_baseline=True),
            [{"term": "Nausea", "grade": 2, "baseline_grade": 0}],
            Status.NOT_MET,
        ),
        (_rule(), [{"term": "Nausea", "grade": 2, "baseline_grade": 2}], Status.NOT_MET),
        # exceptions, their own limits and qualifiers
        (
            _rule(exceptions=(_exception("alopecia"),)),
            [{"term": "Alopecia", "grade": 2}],
            Status.MET,
        ),
        (
            _rule(exceptions=(_exception("neuropathy", 2),)),
            [{"term": NEUROPATHY, "grade": 2}],
            Status.MET,
        ),
        (
            _rule(exceptions=(_exception("neuropathy", 2),)),
            [{"term": NEUROPATHY, "grade": 3}],
            Status.NOT_MET,
        ),
        (
            _rule(exceptions=(_exception("neuropathy", 2),)),
            [{"term": NEUROPATHY}],
            Status.UNKNOWN,
        ),
        (
            _rule(exceptions=(_exception("sensory_neuropathy", 2, "stable"),)),
            [{"term": NEUROPATHY, "grade": 2}],
            Status.UNKNOWN,
        ),
        (
            _rule(exceptions=(_exception("vitiligo"),)),
            [{"term": "skin hypopigmentation", "grade": 2}],
            Status.MET,
        ),
        # an exception no concept reads: any event beyond the limit may be one
        (_rule(unread=("ANC",)), [{"term": "Nausea", "grade": 2}], Status.UNKNOWN),
        (_rule(unread=("ANC",)), [{"term": "Nausea", "grade": 1}], Status.MET),
        # one event not recovered decides
        (_rule(), [{"term": "Nausea"}, {"term": "Fatigue", "grade": 3}], Status.NOT_MET),
    ],
)
def test_semantics(rule: ToxicityRule, events: list[Any], status: Status) -> None:
    assert _status(rule, _patient(*events))[0] is status


def test_what_is_missing_is_named() -> None:
    _, missing = _status(_rule(or_baseline=True), _patient({"term": "Nausea", "record": "ae[0]"}))
    assert missing == ("CTCAE grade of Nausea (ae[0])", "baseline CTCAE grade of Nausea (ae[0])")
    _, missing = _status(_rule(), _patient(None))
    assert missing == ("adverse events of prior therapy (CTCAE v5.0 terms and grades now)",)
    rule = _rule(exceptions=(_exception("endocrinopathy", None, "on replacement therapy"),))
    _, missing = _status(rule, _patient({"term": "Hypothyroidism", "grade": 2}))
    assert missing == ("whether Hypothyroidism is on replacement therapy",)


# ------------------------------------------------------------------ vectorised = one by one

_DAYS = st.integers(min_value=-60, max_value=20).map(lambda d: AS_OF + dt.timedelta(days=d))
_EVENT = st.fixed_dictionaries(
    {
        "term": st.sampled_from(
            [
                *("Alopecia", NEUROPATHY, "Peripheral motor neuropathy", "Hypothyroidism"),
                *("Nausea", "Skin hypopigmentation", "Anemia", "fatigue"),
            ]
        ),
        "grade": st.none() | st.integers(min_value=1, max_value=4),
        "baseline_grade": st.none() | st.integers(min_value=0, max_value=3),
        "start": st.none() | _DAYS,
        "end": st.none() | st.none() | _DAYS,
    }
).filter(lambda e: e["start"] is None or e["end"] is None or e["end"] >= e["start"])
_RULES = [
    _rule(),
    _rule(max_grade=0, or_baseline=True),
    _rule(max_grade=2, unread=("the laboratory values defined in the inclusion criteria",)),
    _rule(
        or_baseline=True,
        exceptions=(
            _exception("alopecia"),
            _exception("neuropathy", 2),
            _exception("endocrinopathy", 2, "controlled by replacement therapy"),
        ),
    ),
    _rule(exceptions=(_exception("vitiligo"), _exception("anemia", 3), _exception("fatigue", 2))),
]


@settings(max_examples=200, deadline=None)
@given(
    people=st.lists(
        st.tuples(st.none() | st.lists(_EVENT, max_size=4), st.none() | _DAYS),
        min_size=1,
        max_size=5,
    )
)
def test_vectorised_equals_one_by_one(
    people: list[tuple[list[dict[str, Any]] | None, dt.date | None]],
) -> None:
    patients = [
        Patient.model_validate(
            {"id": f"P{i}", "planned_first_dose": first_dose}
            | ({} if events is None else {"adverse_events": events})
        )
        for i, (events, first_dose) in enumerate(people)
    ]
    rules: list[Any] = list(_RULES)
    rules += [NotRule(kind="not", id="x", description="x", rule=r) for r in _RULES]
    rules = [_with_id(r, f"E{i}-1") for i, r in enumerate(rules, start=1)]
    assert_each_rule_equal_in_both_paths(patients, rules, as_of=AS_OF)


def _with_id(rule: Any, rule_id: str) -> Any:
    if isinstance(rule, NotRule):
        return rule.model_copy(update={"id": rule_id, "rule": _with_id(rule.rule, rule_id + ".1")})
    return rule.model_copy(update={"id": rule_id})


# ------------------------------------------------------------------ readings

NCT05463263 = (  # 06_breast_her2_positive, inclusion
    "All toxicities (except alopecia) from prior cancer treatments or procedures must have "
    "resolved to ≤Grade 1 or returned to baseline levels prior to enrollment."
)
NCT04585477 = (  # 01_nsclc_kras_g12c_standard, exclusion 5
    "Any unresolved toxicity CTCAE > Grade 2 from prior therapy with the exception of alopecia, "
    "vitiligo, and the laboratory values defined in the inclusion criteria."
)


def _read(text: str, kind: str) -> Criterion:
    item_id = "E1" if kind == "exclusion" else "I1"
    return read_criterion(Criterion(id=item_id, kind=CriterionKind(kind), text=text)).criterion


@pytest.mark.parametrize(
    ("text", "kind", "description", "unread"),
    [
        (NCT05463263, "inclusion", "grade ≤ 1 or baseline (CTCAE v5.0), except alopecia", ()),
        (
            NCT04585477,
            "exclusion",
            'grade ≤ 2 (CTCAE v5.0), except alopecia, vitiligo, "the laboratory values defined '
            'in the inclusion criteria" (to confirm)',
            ("the laboratory values defined in the inclusion criteria",),
        ),
        (  # NCT06035744 I10, 05_melanoma_braf_v600e (its first sentence)
            "Toxicities related to prior study therapy should have resolved to Grade 1 or less "
            "according to criteria of NCI CTCAE v5.0, except for alopecia.",
            "inclusion",
            "grade ≤ 1 (CTCAE v5.0), except alopecia",
            (),
        ),
        (  # NCT06145633, 09_prostate_brca2
            r"Persistent toxicities (CTCAE grade \>2) from prior cancer therapy, excluding "
            "alopecia and stable neuropathy.",
            "exclusion",
            "grade ≤ 2 (CTCAE v5.0), except alopecia, peripheral neuropathy (stable, to confirm)",
            (),
        ),
        (  # NCT06466122, 12_elderly_cll_poor_performance
            "Unresolved adverse events from prior treatment not resolved to grade ≤ 1 with the "
            "exception of alopecia or grade 2 peripheral neuropathy",
            "exclusion",
            "grade ≤ 1 (CTCAE v5.0), except alopecia, peripheral neuropathy (grade ≤ 2)",
            (),
        ),
        (  # NCT04511039, 04_colorectal_kras_g12c
            "Presence of toxicities from prior therapy of grade 2 or higher",
            "exclusion",
            "grade ≤ 1 (CTCAE v5.0)",
            (),
        ),
        (  # NCT07021066 I8, 07_pancreatic_kras_g12d
            "Toxicity of previous antitumor therapy has returned to Grade ≤1 as defined by the "
            "National Cancer Institute (NCI) CTCAE v5.0, except for alopecia and endocrinopathies "
            "controlled by replacement therapy that must be Grade ≤2",
            "inclusion",
            "grade ≤ 1 (CTCAE v5.0), except alopecia, endocrinopathy (grade ≤ 2) (controlled by "
            "replacement therapy, to confirm)",
            (),
        ),
        (  # NCT03682289 I7, 14_renal_cell_io_resistant
            "Resolution of all prior treatment-related toxicities to grade 1 severity or lower "
            "(except alopecia).",
            "inclusion",
            "grade ≤ 1 (CTCAE v5.0), except alopecia",
            (),
        ),
        (  # NCT05107674, 09_prostate_brca2
            "Toxicities from previous anti-cancer therapies that have not resolved to baseline "
            "levels or to Grade 1 or less except for Grade 2 alopecia and Grade 2 peripheral "
            "neuropathy or patients receiving endocrine replacement therapy",
            "exclusion",
            "grade ≤ 1 or baseline (CTCAE v5.0), except alopecia (grade ≤ 2), peripheral "
            'neuropathy (grade ≤ 2), "patients receiving endocrine replacement therapy" (to '
            "confirm)",
            ("patients receiving endocrine replacement therapy",),
        ),
    ],
)
def test_readings(text: str, kind: str, description: str, unread: tuple[str, ...]) -> None:
    criterion = _read(text, kind)
    (rule,) = criterion.rules
    if kind == "exclusion":
        assert isinstance(rule, NotRule)
        rule = rule.rule
    assert isinstance(rule, ToxicityRule)
    assert rule.description == "toxicities of prior therapy " + description
    assert criterion.unread == unread


@pytest.mark.parametrize(
    "text",
    [
        # two limits outside the exceptions (NCT05669846, 01_nsclc_kras_g12c_standard)
        "Patients who have not adequately recovered (i.e., ≤Grade 1 or at baseline or ≤Grade 2 "
        "endocrinopathy) from adverse events (AEs) due to a previously administered agent.",
        # no grade, no baseline: a judgement (NCT06919666, 14_renal_cell_io_resistant)
        "Recovered from clinically significant adverse events of most recent anti-cancer therapy "
        "prior to enrollment.",
    ],
)
def test_not_read(text: str) -> None:
    kind = "inclusion" if text.startswith("Recovered") else "exclusion"
    assert not any(r.kind in {"toxicity", "not"} for r in _read(text, kind).rules)


def test_a_read_item_screens_alike_on_both_paths() -> None:
    inclusion = _read(NCT05463263, "inclusion")
    exclusion = _read(NCT04585477, "exclusion")
    alopecia = _patient({"term": "Alopecia", "grade": 2}, {"term": "Nausea", "grade": 1})
    nausea = _patient({"term": "Nausea", "grade": 3, "baseline_grade": 0})
    assert item_status(inclusion, alopecia, as_of=AS_OF) is Status.MET
    assert item_status(inclusion, nausea, as_of=AS_OF) is Status.NOT_MET
    assert item_status(inclusion, _patient(None), as_of=AS_OF) is Status.UNKNOWN
    # NCT06466122, 12_elderly_cll_poor_performance: read whole
    whole = _read(
        "Unresolved adverse events from prior treatment not resolved to grade ≤ 1 with the "
        "exception of alopecia or grade 2 peripheral neuropathy",
        "exclusion",
    )
    assert item_status(whole, nausea, as_of=AS_OF) is Status.MET  # excluded
    assert item_status(whole, alopecia, as_of=AS_OF) is Status.NOT_MET
    neuropathy = _patient({"term": NEUROPATHY, "grade": 3})
    assert item_status(whole, neuropathy, as_of=AS_OF) is Status.MET
    # the exclusion's unread exception: the words left unread go to the investigator, whatever
    # the rule decides (a grade 3 event may be a laboratory value it excepts: unknown)
    for patient in (nausea, alopecia):
        assert item_status(exclusion, patient, as_of=AS_OF) is Status.INVESTIGATOR


# ------------------------------------------------------------------ files


def test_json_and_csv_records(tmp_path: Path) -> None:
    record = {
        "id": "P1",
        "adverse_events": [
            {"term": "peripheral  sensory neuropathy", "grade": 2, "baseline_grade": 0},
            {"term": "Alopecia", "grade": 1, "start": "2024-05-01", "end": "2024-09-01"},
        ],
    }
    (tmp_path / "p.json").write_text(json.dumps(record), encoding="utf-8")
    (one,) = read_patient_file(tmp_path / "p.json")
    assert one.adverse_events is not None
    assert [e.term for e in one.adverse_events] == [NEUROPATHY, "Alopecia"]
    assert one.adverse_events[1].end == dt.date(2024, 9, 1)
    rows = (
        "patient_id,section,item,value,date,end_date,category\n"
        "P1,adverse_event,Fatigue,grade 2,2024-01-01,,1\n"
        "P2,adverse_event,none,,,,\n"
        "P3,patient,sex,female,,,\n"
    )
    (tmp_path / "p.csv").write_text(rows, encoding="utf-8")
    p1, p2, p3 = read_patient_file(tmp_path / "p.csv")
    assert p1.adverse_events is not None
    assert (p1.adverse_events[0].grade, p1.adverse_events[0].baseline_grade) == (2, 1)
    assert (p2.adverse_events, p3.adverse_events) == ((), None)


@pytest.mark.parametrize(
    ("event", "error", "field", "message"),
    [
        ({"term": "Neuropathy", "grade": 2}, DictionaryError, "adverse_events[1].term", "not a"),
        ({"term": "Alopecia", "grade": 3}, ValueProblem, "adverse_events[1].grade", "grade 3"),
        (
            {"term": "Alopecia", "grade": 1, "baseline_grade": 4},
            ValueProblem,
            "adverse_events[1].baseline_grade",
            "grade 4",
        ),
        ({"term": "Nausea", "grade": 7}, ValueProblem, "adverse_events[1].grade", "less than"),
        (
            {"term": "Nausea", "start": "2025-01-02", "end": "2025-01-01"},
            ValueProblem,
            "adverse_events[1]",
            "resolved",
        ),
    ],
)
def test_bad_values_are_refused_naming_file_record_and_field(
    tmp_path: Path, event: dict[str, Any], error: type[InputError], field: str, message: str
) -> None:
    """The whole file is refused (no patient of it is read), naming where the problem is."""
    good = {"id": "P0", "adverse_events": [{"term": "Nausea", "grade": 1}]}
    bad = {"id": "P1", "adverse_events": [{"term": "Nausea", "grade": 1}, event]}
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"patients": [good, bad]}), encoding="utf-8")
    with pytest.raises(error) as raised:
        read_patient_file(path)
    assert (raised.value.file, raised.value.record) == (str(path), "P1") or (
        raised.value.record == "P1" and str(path.name) in str(raised.value.file)
    )
    assert raised.value.field == field
    assert message in raised.value.message


def test_a_bad_csv_grade_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("patient_id,section,item,value\nP1,adverse_event,Nausea,severe\n", "utf-8")
    with pytest.raises(ValueProblem) as raised:
        read_patient_file(path)
    assert (raised.value.record, raised.value.field) == ("P1", "line 2: value")
