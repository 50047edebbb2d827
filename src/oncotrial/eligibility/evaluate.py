"""Evaluating one rule for one patient: the reference semantics of every rule kind.

Dates. The reference date is the planned first dose when known, else the as-of date; time
windows ("within 14 days before the first dose") run back from it and include both ends
(``Window.earliest``). Data dated after the reference date are not baseline data and are
ignored. A window to registration ("obtained ≤ 14 days prior to registration", laboratory values
and performance status only) runs back from the as-of date instead — the day eligibility is
confirmed — and data after it are ignored for that rule (``Context.window_end``), with a note
naming the day. When several results qualify, the latest is used (same date: the one listed
last).

The vectorised screen (``oncotrial.eligibility.batch``) implements the same semantics over data
frames; tests hold the two to the same statuses on random patients.

This module dispatches each rule to its kind's evaluator; the evaluators live in modules named
after what they read: ``evaluate_person`` (age, sex, performance status), ``evaluate_labs``,
``evaluate_derived`` (computed quantities), ``evaluate_tumour`` (diagnosis, stage, biomarkers,
lesions), ``evaluate_history`` (medications, procedures, conditions, therapy lines) and
``evaluate_logic`` (not, all of, any of, conditional), over ``evaluate_context``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oncotrial.eligibility.evaluate_allergy import allergy
from oncotrial.eligibility.evaluate_cns import cns_metastases
from oncotrial.eligibility.evaluate_context import Context, _Partial
from oncotrial.eligibility.evaluate_derived import _derived
from oncotrial.eligibility.evaluate_history import (
    _condition,
    _medication,
    _other_malignancy,
    _prior_lines,
    _procedure,
    _regimen,
)
from oncotrial.eligibility.evaluate_labs import _lab, _lab_result
from oncotrial.eligibility.evaluate_logic import Evaluate, _combine, _conditional, _not
from oncotrial.eligibility.evaluate_person import _age, _performance, _sex
from oncotrial.eligibility.evaluate_toxicity import toxicity
from oncotrial.eligibility.evaluate_tumour import (
    _biomarker,
    _diagnosis,
    _lesions,
    _stage,
    _tumour_size,
    matches_stage,
)
from oncotrial.eligibility.outcome import RuleResult, Status
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
)
from oncotrial.errors import RuleError

__all__ = ["Context", "evaluate_rule", "matches_stage"]

_EVALUATORS: dict[type[Any], Callable[[Any, Context], _Partial]] = {
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
# The logic kinds evaluate their parts with ``evaluate_rule`` itself; it is passed to them
# rather than imported by ``evaluate_logic``, which would be an import cycle (this module
# imports theirs for the dispatch).
_LOGIC: dict[type[Any], Callable[[Any, Context, Evaluate], _Partial]] = {
    NotRule: _not,
    AllOfRule: _combine,
    AnyOfRule: _combine,
    ConditionalRule: _conditional,
}


def evaluate_rule(rule: Rule, ctx: Context) -> RuleResult:
    """The status of ``rule`` for ``ctx.patient``, with the evidence and what is missing."""
    if isinstance(rule, JudgementRule):
        found = _Partial(Status.INVESTIGATOR)
    elif type(rule) in _LOGIC:
        found = _LOGIC[type(rule)](rule, ctx, evaluate_rule)
    else:
        evaluator = _EVALUATORS.get(type(rule))
        if evaluator is None:  # a rule kind added to the model without an evaluator
            raise RuleError(f"rule {rule.id}: no evaluator for rule kind {rule.kind!r}")
        found = evaluator(rule, ctx)
    return RuleResult(
        rule_id=rule.id,
        kind=rule.kind,
        description=rule.description,
        status=found.status,
        evidence=found.evidence,
        missing=found.missing,
        notes=found.notes,
        parts=found.parts,
    )
