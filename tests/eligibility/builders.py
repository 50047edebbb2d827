"""Hand-made patients for the seed trials: an eligible baseline, changed one datum at a time."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from typing import Any

from hypothesis import strategies as st

from oncotrial.eligibility.batch import frames_from_patients, rule_statuses
from oncotrial.eligibility.criteria import Criterion, CriterionKind, Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import Rule
from oncotrial.eligibility.screening import ScreeningResult, screen_patient
from oncotrial.formats.protocol_files import bundled_protocols


@cache
def seed_eligibility(local_id: str) -> Eligibility:
    (protocol,) = [p for p in bundled_protocols() if p.identity.local_id == local_id]
    return protocol.eligibility


def lab(
    analyte: str,
    value: float,
    unit: str,
    date: str,
    low: float | None = None,
    high: float | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {"analyte": analyte, "value": value, "unit": unit, "date": date}
    if low is not None:
        item["low"] = low
    if high is not None:
        item["high"] = high
    return item


# ------------------------------------------------------------------ trial 001
AS_OF_001 = dt.date(2025, 2, 25)
FIRST_DOSE_001 = "2025-03-03"
LAB_DAY_001 = "2025-02-24"


def patient_001(**changes: Any) -> dict[str, Any]:
    """Eligible for 001 on every computable rule (68 years old on the lab day)."""
    data: dict[str, Any] = {
        "id": "P001",
        "sex": "male",
        "birth_date": "1956-06-15",
        "consent_date": "2025-02-20",
        "planned_first_dose": FIRST_DOSE_001,
        "performance_status": [{"scale": "ECOG", "score": 1, "date": "2025-02-20"}],
        "observations": [
            lab("neutrophils", 2.1, "10^9/L", LAB_DAY_001, 1.8, 6.3),
            lab("platelets", 180, "10^9/L", LAB_DAY_001, 125, 350),
            lab("hemoglobin", 120, "g/L", LAB_DAY_001, 130, 175),
            lab("creatinine", 80, "umol/L", LAB_DAY_001, 59, 104),
            lab("ast", 30, "U/L", LAB_DAY_001, 0, 40),
            lab("alt", 30, "U/L", LAB_DAY_001, 0, 40),
            lab("bilirubin", 12, "umol/L", LAB_DAY_001, 3.4, 20.5),
            lab("tsh", 2.1, "mIU/L", LAB_DAY_001, 0.27, 4.2),
            lab("ft3", 4.5, "pmol/L", LAB_DAY_001, 3.1, 6.8),
            lab("ft4", 15, "pmol/L", LAB_DAY_001, 12, 22),
            lab("weight", 70, "kg", "2025-02-20"),
        ],
        "diagnosis": {"concept": "nsclc", "confirmed_by": "histology", "stage": "IVA"},
        "conditions": [],
        "medications": [],
        "procedures": [],
        # the first-line chemo-immunotherapy left no toxicity (001 I9.2)
        "adverse_events": [],
        "therapies": [
            {
                "line": 1,
                "drugs": [
                    {"text": "carboplatin"},
                    {"text": "pemetrexed"},
                    {"text": "pembrolizumab"},
                ],
                "cycles": 4,
                "start": "2024-10-01",
                "end": "2025-01-05",
            }
        ],
        "lesions": [
            {
                "organ": "lung",
                "measurable": True,
                "complete_metabolic_response": False,
                "date": "2025-02-10",
            },
            {
                "organ": "adrenal gland",
                "measurable": False,
                "complete_metabolic_response": False,
                "date": "2025-02-10",
            },
        ],
    }
    data.update(changes)
    return data


def replace_lab(data: dict[str, Any], analyte: str, **fields: Any) -> dict[str, Any]:
    observations = [dict(o) for o in data["observations"]]
    for o in observations:
        if o["analyte"] == analyte:
            o.update(fields)
            break
    else:
        observations.append({"analyte": analyte, **fields})
    return {**data, "observations": observations}


def drop_lab(data: dict[str, Any], analyte: str) -> dict[str, Any]:
    return {**data, "observations": [o for o in data["observations"] if o["analyte"] != analyte]}


def screen_001(data: dict[str, Any]) -> ScreeningResult:
    return screen_patient(seed_eligibility("001"), Patient.model_validate(data), as_of=AS_OF_001)


# ------------------------------------------------------------------ trial 002
AS_OF_002 = dt.date(2025, 3, 1)
FIRST_DOSE_002 = "2025-03-10"
LAB_DAY_002 = "2025-03-01"


def patient_002(**changes: Any) -> dict[str, Any]:
    """Eligible for 002 on every computable rule (a man of 68; first dose 2025-03-10)."""
    data: dict[str, Any] = {
        "id": "P002",
        "sex": "male",
        "birth_date": "1956-06-15",
        "consent_date": "2025-02-25",
        "planned_first_dose": FIRST_DOSE_002,
        "performance_status": [{"scale": "ECOG", "score": 1, "date": "2025-02-25"}],
        "observations": [
            lab("neutrophils", 2.0, "10^9/L", LAB_DAY_002, 1.8, 6.3),
            lab("platelets", 150, "10^9/L", LAB_DAY_002, 125, 350),
            lab("hemoglobin", 120, "g/L", LAB_DAY_002, 130, 175),
            lab("bilirubin", 10, "umol/L", LAB_DAY_002, 3.4, 21),
            lab("alt", 30, "U/L", LAB_DAY_002, 0, 40),
            lab("ast", 30, "U/L", LAB_DAY_002, 0, 40),
            lab("albumin", 38, "g/L", LAB_DAY_002, 35, 50),
            lab("creatinine", 80, "umol/L", LAB_DAY_002, 59, 104),
            lab("aptt", 30, "s", LAB_DAY_002, 25, 35),
            lab("pt", 12, "s", LAB_DAY_002, 11, 13.5),
            lab("inr", 1.0, "{ratio}", LAB_DAY_002, 0.8, 1.2),
            {"analyte": "urine_protein_dipstick", "result": "negative", "date": LAB_DAY_002},
            lab("calcium_ionized", 1.2, "mmol/L", LAB_DAY_002, 1.1, 1.3),
            lab("calcium", 2.3, "mmol/L", LAB_DAY_002, 2.15, 2.55),
            lab("calcium_corrected", 2.3, "mmol/L", LAB_DAY_002, 2.15, 2.55),
            lab("weight", 70, "kg", "2025-02-25"),
            lab("qt", 400, "ms", "2025-02-25"),
            lab("heart_rate", 60, "/min", "2025-02-25"),
            lab("lvef", 60, "%", "2025-02-25"),
            lab("systolic_bp", 130, "mmHg", "2025-02-25"),
            lab("diastolic_bp", 80, "mmHg", "2025-02-25"),
        ],
        "diagnosis": {
            "concept": "nsclc",
            "confirmed_by": "histology",
            "stage": "IA2",
            "t": "T1b",
            "n": "N0",
            "m": "M0",
            "edition": 9,
            "tumour_size_mm": 18,
        },
        "biomarkers": [
            {"marker": m, "status": "not_detected", "date": "2025-01-20"}
            for m in ("EGFR", "ALK", "ROS1")
        ],
        "lesions": [{"organ": "lung", "measurable": True, "date": "2025-02-20"}],
        "conditions": [],
        "medications": [],
        "procedures": [],
    }
    data.update(changes)
    return data


def screen_002(data: dict[str, Any]) -> ScreeningResult:
    return screen_patient(seed_eligibility("002"), Patient.model_validate(data), as_of=AS_OF_002)


def rule(result: ScreeningResult, rule_id: str) -> Any:
    """The result of rule ``rule_id`` (nested ones included)."""

    def walk(items: Any) -> Any:
        for item in items:
            if item.rule_id == rule_id:
                return item
            found = walk(item.parts)
            if found is not None:
                return found
        return None

    for criterion in result.criteria:
        found = walk(criterion.rules)
        if found is not None:
            return found
    raise KeyError(rule_id)


def assert_each_rule_equal_in_both_paths(
    patients: list[Patient], rules: Sequence[Rule], *, as_of: dt.date
) -> None:
    """Each rule as an exclusion item of its own, screened one patient at a time and vectorised:
    every rule's status must be the same for every patient (the Hypothesis property of issue 12
    item 1, shared by the vocabulary tests)."""
    criteria = tuple(
        Criterion(id=f"E{i}", kind=CriterionKind.EXCLUSION, text="x", rules=(rule,))
        for i, rule in enumerate(rules, start=1)
    )
    eligibility = Eligibility(exclusion=criteria)
    statuses = rule_statuses(eligibility, frames_from_patients(patients), as_of=as_of)
    for patient in patients:
        for c in screen_patient(eligibility, patient, as_of=as_of).criteria:
            (r,) = c.rules
            assert statuses.loc[patient.id, r.rule_id] == r.status.value, (patient, r.rule_id)


def proposed(items: Iterable[tuple[str, str]]) -> Eligibility:
    """A protocol of (id, text) items — an id starting "I" an inclusion, else an exclusion —
    with the parser's rules proposed for every item, read together as a protocol is."""
    from oncotrial.eligibility.parser import propose_rules

    criteria = [
        Criterion(
            id=i, kind=CriterionKind.INCLUSION if i[0] == "I" else CriterionKind.EXCLUSION, text=t
        )
        for i, t in items
    ]
    return propose_rules(
        Eligibility(
            inclusion=tuple(c for c in criteria if c.kind is CriterionKind.INCLUSION),
            exclusion=tuple(c for c in criteria if c.kind is CriterionKind.EXCLUSION),
        )
    )


def patients_with_conditions(
    people: Sequence[list[dict[str, Any]] | None], *, first_dose: dt.date
) -> list[Patient]:
    """One patient per list of condition records (None: no medical history given), each with
    the planned first dose (the Hypothesis tests of the condition concepts)."""
    return [
        Patient.model_validate(
            {"id": f"P{i}", "planned_first_dose": first_dose}
            | ({} if records is None else {"conditions": records})
        )
        for i, records in enumerate(people)
    ]


def condition_people(
    texts: Sequence[str], statuses: Sequence[str], *, as_of: dt.date
) -> st.SearchStrategy[list[list[dict[str, Any]] | None]]:
    """Up to five people, each with no medical history or up to three condition records of
    these names, clinical statuses (or none) and abatement dates around ``as_of`` (or none)."""
    record = st.fixed_dictionaries(
        {
            "text": st.sampled_from(list(texts)),
            "clinical_status": st.none() | st.sampled_from(list(statuses)),
            "abatement": st.none()
            | st.integers(-60, 20).map(lambda d: (as_of + dt.timedelta(days=d)).isoformat()),
        }
    )
    return st.lists(st.none() | st.lists(record, max_size=3), min_size=1, max_size=5)


def omop_unmapped(section: str) -> set[str]:
    """The vocabulary keys the bundled OMOP map declares unmapped in a section ("conditions")."""
    raw = json.loads(
        resources.files("oncotrial.prescreen")
        .joinpath("data/omop_concepts.json")
        .read_text(encoding="utf-8")
    )
    return set(raw["unmapped"][section])


def read_item(text: str, kind: str = "exclusion") -> Criterion:
    """One criterion item as the parser reads it (id E1 or I1)."""
    from oncotrial.eligibility.parser import read_criterion

    item_id = "E1" if kind == "exclusion" else "I1"
    return read_criterion(Criterion(id=item_id, kind=CriterionKind(kind), text=text)).criterion


def item_status(
    criterion: Criterion, patient: Patient, *, as_of: dt.date, first_dose: dt.date | None = None
) -> Status:
    """The item's status for one patient, screened one at a time and vectorised: the two must
    agree (the property of issue 12 item 1)."""
    from oncotrial.eligibility.batch import screen_frames

    eligibility = (
        Eligibility(exclusion=(criterion,))
        if criterion.kind is CriterionKind.EXCLUSION
        else Eligibility(inclusion=(criterion,))
    )
    screened = screen_patient(eligibility, patient, as_of=as_of, first_dose=first_dose)
    (one,) = (c.status for c in screened.criteria)
    frames = frames_from_patients([patient])
    batch = screen_frames(eligibility, frames, as_of=as_of, first_dose=first_dose)
    assert batch.loc[patient.id, criterion.id] == one.value
    return one


def item_statuses(
    criterion: Criterion,
    patients: Sequence[Patient],
    *,
    as_of: dt.date,
    first_dose: dt.date | None = None,
) -> dict[str, str]:
    """Each patient's status on the one item (``item_status``), by patient id."""
    return {
        p.id: item_status(criterion, p, as_of=as_of, first_dose=first_dose).value for p in patients
    }


def assert_read_whole(text: str, kind: str, readings: list[str], source: str = "") -> None:
    """The item is read as ``readings`` and is computable: nothing left unread."""
    from oncotrial.eligibility.logic import is_computable
    from oncotrial.eligibility.rules import describe_rule

    criterion = read_item(text, kind)
    assert [describe_rule(r) for r in criterion.rules] == readings, source
    assert is_computable(criterion.rules, criterion.unread), (source, criterion.unread)


def assert_undecided(text: str, kind: str = "inclusion") -> None:
    """The item is not computable: its rules (if any) are evidence, the investigator decides."""
    from oncotrial.eligibility.logic import is_computable

    criterion = read_item(text, kind)
    assert not is_computable(criterion.rules, criterion.unread), criterion.rules


def statuses_on_both_paths(
    eligibility: Eligibility,
    patients: Sequence[Patient],
    *,
    as_of: dt.date,
    first_doses: Sequence[dt.date | None],
) -> dict[str, set[str]]:
    """Every item's status per patient, screened one at a time and vectorised (asserted equal,
    with the overall verdict), for each first dose; the statuses seen, per item."""
    from oncotrial.eligibility.batch import screen_frames

    seen: dict[str, set[str]] = {c.id: set() for c in eligibility.criteria}
    for first_dose in first_doses:
        batch = screen_frames(
            eligibility, frames_from_patients(patients), as_of=as_of, first_dose=first_dose
        )
        for patient in patients:
            one = screen_patient(eligibility, patient, as_of=as_of, first_dose=first_dose)
            assert batch.loc[patient.id, "overall"] == one.overall.value, patient.id
            for c in one.criteria:
                assert batch.loc[patient.id, c.criterion_id] == c.status.value, (patient.id, c)
                seen.setdefault(c.criterion_id, set()).add(c.status.value)
    return seen


def read_items_agree_on_random_patients(
    items: Sequence[tuple[str, str]], *, as_of: dt.date, seed: int
) -> None:
    """Inclusion items read whole by the parser, screened on 300 random patients one at a time and
    vectorised (each patient's own planned first dose, then one for all a week after ``as_of``):
    the two paths agree, and the patients reach both met and unknown on every item."""
    from oncotrial.eligibility.parser import propose_rules

    from .random_patients import random_patients

    eligibility = propose_rules(
        Eligibility(
            inclusion=tuple(Criterion(id=i, kind=CriterionKind.INCLUSION, text=t) for i, t in items)
        )
    )
    assert all(c.rules and not c.unread for c in eligibility.inclusion), [
        (c.id, c.unread) for c in eligibility.inclusion
    ]
    seen = statuses_on_both_paths(
        eligibility,
        random_patients(300, seed=seed),
        as_of=as_of,
        first_doses=(None, as_of + dt.timedelta(days=7)),
    )
    for item, found in seen.items():
        assert {"met", "unknown"} <= found, (item, found)  # the patients reach both sides
