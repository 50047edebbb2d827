"""Screening a patient against a protocol's eligibility: per criterion, then overall.

Per criterion: the status of its rules combined (inclusion: all must be met; exclusion: any met
excludes), the verdict that status gives (an exclusion met *fails*), the evidence and the missing
data. An item without rules is an investigator checklist item — never a silent pass.

Overall: ``not eligible`` if any criterion fails (listing them); else ``incomplete`` if any is
unknown (listing what to collect); else ``eligible`` — with the checklist items the investigator
still has to confirm, which oncotrial cannot judge.

The registry's structured limits (sex, minimum and maximum age) are screened too, as criterion
``registry``, since a registration states them apart from the criteria text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from oncotrial.eligibility.criteria import CriterionKind, Eligibility
from oncotrial.eligibility.evaluate import Context, evaluate_rule
from oncotrial.eligibility.logic import item_status
from oncotrial.eligibility.outcome import RuleResult, Status
from oncotrial.eligibility.patient import Patient
from oncotrial.eligibility.rules import AgeRule, Comparator, Rule, SexRule
from oncotrial.eligibility.sublists import heading_status, item_tree

__all__ = [
    "CriterionResult",
    "Overall",
    "ScreeningResult",
    "Verdict",
    "registry_rules",
    "screen_patient",
    "screen_patients",
    "verdict_of",
]

REGISTRY = "registry"


class Verdict(StrEnum):
    PASSES = "passes"
    FAILS = "fails"
    UNKNOWN = "unknown"
    INVESTIGATOR = "investigator"


class Overall(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not eligible"
    INCOMPLETE = "incomplete"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CriterionResult(_Frozen):
    criterion_id: str
    kind: str
    text: str
    status: Status
    verdict: Verdict
    rules: tuple[RuleResult, ...] = ()
    missing: tuple[str, ...] = ()
    checklist: bool = False
    unread: tuple[str, ...] = ()
    sub_items: tuple[str, ...] = ()
    in_overall: bool = True


class ScreeningResult(_Frozen):
    patient_id: str
    as_of: dt.date
    first_dose: dt.date | None
    overall: Overall
    criteria: tuple[CriterionResult, ...]
    failing: tuple[str, ...] = ()
    to_collect: tuple[str, ...] = ()
    checklist: tuple[str, ...] = ()

    def result(self, criterion_id: str) -> CriterionResult:
        for found in self.criteria:
            if found.criterion_id == criterion_id:
                return found
        raise KeyError(criterion_id)


def verdict_of(kind: str, status: Status) -> Verdict:
    """An inclusion passes when met; an exclusion passes when not met."""
    if status is Status.UNKNOWN:
        return Verdict.UNKNOWN
    if status is Status.INVESTIGATOR:
        return Verdict.INVESTIGATOR
    met = status is Status.MET
    if kind == CriterionKind.EXCLUSION:
        return Verdict.FAILS if met else Verdict.PASSES
    return Verdict.PASSES if met else Verdict.FAILS


def registry_rules(eligibility: Eligibility) -> tuple[Rule, ...]:
    """The registry's structured limits as rules (sex, minimum age, maximum age)."""
    rules: list[Rule] = []
    if eligibility.sex in {"FEMALE", "MALE"}:
        sex = "female" if eligibility.sex == "FEMALE" else "male"
        rules.append(
            SexRule(kind="sex", id="registry-1", description=f"registry: {sex} only", sex=sex)
        )
    for n, (limit, comparator) in enumerate(
        ((eligibility.minimum_age, Comparator.GE), (eligibility.maximum_age, Comparator.LE)),
        start=len(rules) + 1,
    ):
        if limit is None:
            continue
        which = "minimum" if comparator is Comparator.GE else "maximum"
        rules.append(
            AgeRule(
                kind="age",
                id=f"registry-{n}",
                description=f"registry: {which} age {limit}",
                comparator=comparator,
                value=limit.years,
            )
        )
    return tuple(rules)


def _criterion(
    criterion_id: str,
    kind: str,
    text: str,
    rules: Sequence[Rule],
    ctx: Context,
    unread: tuple[str, ...] = (),
) -> CriterionResult:
    if not rules:
        return CriterionResult(
            criterion_id=criterion_id,
            kind=kind,
            text=text,
            status=Status.INVESTIGATOR,
            verdict=Verdict.INVESTIGATOR,
            checklist=True,
        )
    results = tuple(evaluate_rule(r, ctx) for r in rules)
    # unread words: the rules' results stay as evidence, the item goes to the checklist
    status = item_status(kind == CriterionKind.EXCLUSION, (r.status for r in results), unread)
    missing: dict[str, None] = {}
    if status is Status.UNKNOWN:
        for r in results:
            if r.status is Status.UNKNOWN:
                for item in r.missing:
                    missing.setdefault(item, None)
    return CriterionResult(
        criterion_id=criterion_id,
        kind=kind,
        text=text,
        status=status,
        verdict=verdict_of(kind, status),
        rules=results,
        missing=tuple(missing),
        checklist=status is Status.INVESTIGATOR,
        unread=unread,
    )


def screen_patient(
    eligibility: Eligibility,
    patient: Patient,
    *,
    as_of: dt.date,
    first_dose: dt.date | None = None,
) -> ScreeningResult:
    """Screen ``patient``: every criterion's status, evidence and missing data, and the verdict.

    ``first_dose`` (else the patient's ``planned_first_dose``) is the date time windows run back
    from; without one they run back from ``as_of``, and the results say so. A window to
    registration runs back from ``as_of`` (the day eligibility is confirmed), and says so.
    """
    ctx = Context(patient, as_of, first_dose or patient.planned_first_dose)
    results: list[CriterionResult] = []
    registry = registry_rules(eligibility)
    if registry:
        results.append(
            _criterion(
                REGISTRY, CriterionKind.INCLUSION, "Registry limits (sex, age)", registry, ctx
            )
        )
    for criterion in eligibility.criteria:
        results.append(
            _criterion(
                criterion.id,
                criterion.kind,
                criterion.text,
                criterion.rules,
                ctx,
                criterion.unread,
            )
        )
    return _overall(patient.id, as_of, ctx.first_dose, _with_headings(eligibility, results))


def _with_headings(
    eligibility: Eligibility, results: list[CriterionResult]
) -> list[CriterionResult]:
    """Headings decided by their sub-items, and which results make the overall verdict
    (eligibility.sublists: an 'all' heading's sub-items decide; an 'any' heading decides for
    its alternatives)."""
    tree = item_tree(eligibility.criteria)
    by_id = {r.criterion_id: r for r in results}
    criteria = {c.id: c for c in eligibility.criteria}
    for heading in tree.order:
        kids = [by_id[k] for k in tree.sub_items[heading]]
        sub_items = criteria[heading].sub_items
        if not kids or sub_items is None:
            continue
        found = by_id[heading]
        status = heading_status(found.kind, sub_items, (k.status for k in kids))
        missing: dict[str, None] = {}
        if status is Status.UNKNOWN:
            for kid in kids:
                if kid.status is Status.UNKNOWN:
                    missing.update(dict.fromkeys(kid.missing))
        by_id[heading] = found.model_copy(
            update={
                "status": status,
                "verdict": verdict_of(found.kind, status),
                "missing": tuple(missing),
                "checklist": status is Status.INVESTIGATOR,
                "sub_items": tuple(k.criterion_id for k in kids),
            }
        )
    return [
        by_id[r.criterion_id].model_copy(
            update={"in_overall": r.criterion_id == REGISTRY or r.criterion_id in tree.deciding}
        )
        for r in results
    ]


def _overall(
    patient_id: str, as_of: dt.date, first_dose: dt.date | None, results: list[CriterionResult]
) -> ScreeningResult:
    deciding = [r for r in results if r.in_overall]
    failing = tuple(r.criterion_id for r in deciding if r.verdict is Verdict.FAILS)
    unknown = [r for r in deciding if r.verdict is Verdict.UNKNOWN]
    to_collect: dict[str, None] = {}
    for r in unknown:
        for item in r.missing:
            to_collect.setdefault(item, None)
    checklist = tuple(r.criterion_id for r in deciding if r.verdict is Verdict.INVESTIGATOR)
    if failing:
        overall = Overall.NOT_ELIGIBLE
    elif unknown:
        overall = Overall.INCOMPLETE
    else:
        overall = Overall.ELIGIBLE
    return ScreeningResult(
        patient_id=patient_id,
        as_of=as_of,
        first_dose=first_dose,
        overall=overall,
        criteria=tuple(results),
        failing=failing,
        to_collect=tuple(to_collect),
        checklist=checklist,
    )


def screen_patients(
    eligibility: Eligibility,
    patients: Iterable[Patient],
    *,
    as_of: dt.date,
    first_dose: dt.date | None = None,
) -> tuple[ScreeningResult, ...]:
    """``screen_patient`` for each patient, one by one (``batch.screen_frames`` is vectorised)."""
    return tuple(
        screen_patient(eligibility, p, as_of=as_of, first_dose=first_dose) for p in patients
    )
