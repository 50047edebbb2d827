"""Screening many patients at once: the rules evaluated column-wise over data frames.

``screen_frames`` gives, for every patient and criterion, the same status as
``screening.screen_patient`` (tests hold the two equal on random patients), without the
evidence: it is for screening a registry or a simulated population; screen one patient with
``screen_patient`` to see why. Patients are rows; their labs, history and lesions are long
tables keyed by the patient's row number (``PatientFrames``). Dates are days since 1970-01-01 as
floats, NaN when unknown.

Semantics follow ``oncotrial.eligibility.evaluate`` rule by rule: latest result on or before the
reference date (ties: the one listed last, ``order``), windows [earliest, reference] (the as-of
date for a window to registration: ``_Ctx.end``), units
converted with one factor per unit, ×ULN from the result's own range, closed-world history lists
only when the record provides them (``has_*`` columns).

This module dispatches each rule to its kind's vectorised evaluator; they live in modules named
as their scalar counterparts (``batch_person``, ``batch_labs``, ``batch_derived``,
``batch_tumour``, ``batch_history``, ``batch_logic``, over ``batch_context``), and the frames are
built in ``batch_frames``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from oncotrial.eligibility.batch_allergy import allergy
from oncotrial.eligibility.batch_cns import cns_metastases
from oncotrial.eligibility.batch_context import (
    INVESTIGATOR,
    MET,
    NOT_MET,
    UNKNOWN,
    Codes,
    _codes,
    _combine_all,
    _combine_any,
    _Ctx,
)
from oncotrial.eligibility.batch_derived import _derived
from oncotrial.eligibility.batch_frames import PatientFrames, day_number, frames_from_patients
from oncotrial.eligibility.batch_history import (
    _condition,
    _medication,
    _other_malignancy,
    _prior_lines,
    _procedure,
    _regimen,
)
from oncotrial.eligibility.batch_labs import _lab, _lab_result
from oncotrial.eligibility.batch_logic import Evaluate, _all, _any, _conditional, _not
from oncotrial.eligibility.batch_person import _age, _performance, _sex
from oncotrial.eligibility.batch_toxicity import toxicity
from oncotrial.eligibility.batch_tumour import (
    _biomarker,
    _diagnosis,
    _lesions,
    _stage,
    _tumour_size,
)
from oncotrial.eligibility.criteria import CriterionKind, Eligibility
from oncotrial.eligibility.outcome import Status
from oncotrial.eligibility.rules import (
    AgeRule,
    AllergyRule,
    AllOfRule,
    AnyOfRule,
    BiomarkerRule,
    CnsMetastasesRule,
    ConditionalRule,
    ConditionRule,
    DerivedRule,
    DiagnosisRule,
    JudgementRule,
    LabResultRule,
    LabRule,
    LesionRule,
    MedicationRule,
    NotRule,
    OtherMalignancyRule,
    PerformanceStatusRule,
    PriorLinesRule,
    ProcedureRule,
    RegimenRule,
    Rule,
    SexRule,
    StageRule,
    ToxicityRule,
    TumourSizeRule,
    children,
)
from oncotrial.eligibility.screening import REGISTRY, Overall, registry_rules
from oncotrial.eligibility.sublists import combine_headings
from oncotrial.errors import RuleError

__all__ = ["PatientFrames", "frames_from_patients", "rule_statuses", "screen_frames"]

_KINDS: dict[type[Any], Callable[[Any, _Ctx], Codes]] = {
    AgeRule: _age,
    SexRule: _sex,
    PerformanceStatusRule: _performance,
    LabRule: _lab,
    LabResultRule: _lab_result,
    DerivedRule: _derived,
    DiagnosisRule: _diagnosis,
    StageRule: _stage,
    TumourSizeRule: _tumour_size,
    BiomarkerRule: _biomarker,
    MedicationRule: _medication,
    ProcedureRule: _procedure,
    ConditionRule: _condition,
    OtherMalignancyRule: _other_malignancy,
    CnsMetastasesRule: cns_metastases,
    AllergyRule: allergy,
    ToxicityRule: toxicity,
    RegimenRule: _regimen,
    PriorLinesRule: _prior_lines,
    LesionRule: _lesions,
}
# The logic kinds evaluate their parts with ``evaluate`` itself; it is passed to them rather
# than imported by ``batch_logic``, which would be an import cycle (this module imports theirs
# for the dispatch).
_LOGIC: dict[type[Any], Callable[[Any, _Ctx, Evaluate], Codes]] = {
    NotRule: _not,
    AllOfRule: _all,
    AnyOfRule: _any,
    ConditionalRule: _conditional,
}


def evaluate(rule: Rule, ctx: _Ctx) -> Codes:
    if isinstance(rule, JudgementRule):
        return _codes(ctx.n, INVESTIGATOR)
    logic = _LOGIC.get(type(rule))
    if logic is not None:
        return logic(rule, ctx, evaluate)
    kind = _KINDS.get(type(rule))
    if kind is None:
        raise RuleError(f"rule {rule.id}: no vectorised evaluator for rule kind {rule.kind!r}")
    return kind(rule, ctx)


def _context(frames: PatientFrames, as_of: dt.date, first_dose: dt.date | None) -> _Ctx:
    people = frames.patients
    first = people["first_dose"].to_numpy(dtype=np.float64)
    if first_dose is not None:
        first = np.full(len(people), day_number(first_dose))
    reference = np.where(np.isnan(first), day_number(as_of), first)
    return _Ctx(frames, reference, day_number(as_of), {})


_LABELS = np.array(
    [s.value for s in (Status.NOT_MET, Status.MET, Status.UNKNOWN, Status.INVESTIGATOR)],
    dtype=object,
)


def rule_statuses(
    eligibility: Eligibility,
    frames: PatientFrames,
    *,
    as_of: dt.date,
    first_dose: dt.date | None = None,
) -> pd.DataFrame:
    """The status of every rule, nested ones included (a column per rule id), per patient."""
    ctx = _context(frames, as_of, first_dose)
    columns: dict[str, Any] = {}

    def walk(rule: Rule) -> None:
        columns[rule.id] = _LABELS[evaluate(rule, ctx)]
        for part in children(rule):
            walk(part)

    for rule in registry_rules(eligibility):
        walk(rule)
    for criterion in eligibility.criteria:
        for rule in criterion.rules:
            walk(rule)
    return pd.DataFrame(
        columns, index=pd.Index(frames.patients["id"].to_numpy(), name="patient_id")
    )


def screen_frames(
    eligibility: Eligibility,
    frames: PatientFrames,
    *,
    as_of: dt.date,
    first_dose: dt.date | None = None,
) -> pd.DataFrame:
    """Every criterion's status (a column each) and the overall verdict, one row per patient."""
    people = frames.patients
    ctx = _context(frames, as_of, first_dose)
    n = ctx.n
    columns: dict[str, Codes] = {}
    kinds: dict[str, str] = {}
    registry = registry_rules(eligibility)
    if registry:
        columns[REGISTRY] = _combine_all([evaluate(r, ctx) for r in registry], n)
        kinds[REGISTRY] = CriterionKind.INCLUSION
    for criterion in eligibility.criteria:
        if not criterion.rules or criterion.unread:
            # unread words: a checklist item whatever its rules say (eligibility.logic)
            columns[criterion.id] = _codes(n, INVESTIGATOR)
        else:
            parts = [evaluate(r, ctx) for r in criterion.rules]
            combine = _combine_any if criterion.kind is CriterionKind.EXCLUSION else _combine_all
            columns[criterion.id] = combine(parts, n)
        kinds[criterion.id] = criterion.kind
    # headings decided by their sub-items, deepest first (eligibility.sublists)
    tree = combine_headings(
        eligibility.criteria,
        columns,
        lambda parts, all_of: (_combine_all if all_of else _combine_any)(parts, n),
    )
    fails = np.zeros(n, dtype=bool)
    unknown = np.zeros(n, dtype=bool)
    for cid, codes in columns.items():
        if cid != REGISTRY and cid not in tree.deciding:
            continue
        fails |= codes == (MET if kinds[cid] == CriterionKind.EXCLUSION else NOT_MET)
        unknown |= codes == UNKNOWN
    overall = np.where(
        fails,
        Overall.NOT_ELIGIBLE.value,
        np.where(unknown, Overall.INCOMPLETE.value, Overall.ELIGIBLE.value),
    )
    result = pd.DataFrame(
        {cid: _LABELS[codes] for cid, codes in columns.items()},
        index=pd.Index(people["id"].to_numpy(), name="patient_id"),
    )
    result["overall"] = overall
    return result
