"""Criteria as logic: the expression tree of a criterion item and its three-valued evaluation.

A criterion item (``criteria.Criterion``) is an expression over rules (``rules.Rule``). Node
types — every one a pydantic model with a ``kind`` discriminator, so the tree serialises to the
protocol's YAML and can be compiled elsewhere (to SQL by ``oncotrial.prescreen``):

- **leaves** (``LEAF_KINDS``): one datum against a limit — ``age``, ``sex``,
  ``performance_status``, ``lab`` (a value in a unit, or a multiple of the result's own ULN/LLN),
  ``lab_result`` (qualitative/ordinal), ``derived`` (creatinine clearance, QTcF, QTcB, BMI
  computed from other data), ``diagnosis``, ``stage``, ``tumour_size``, ``biomarker``,
  ``medication``, ``procedure``, ``condition``, ``regimen``, ``prior_lines``, ``lesions``; and
  ``judgement``, what stays with the investigator (always ``investigator``).
- ``all_of`` (AND, ``AllOfRule.rules``): every part met.
- ``any_of`` (OR, ``AnyOfRule.rules``): alternatives — "creatinine ≤ 1.5 × ULN or creatinine
  clearance ≥ 50 mL/min".
- ``not`` (NOT, ``NotRule.rule``): "no prior PD-1 inhibitor".
- ``conditional`` (IF/THEN/ELSE, ``ConditionalRule.when/then/otherwise``): "ALT ≤ 2.5 × ULN, ≤ 5
  × ULN in patients with liver metastases" is *if liver metastases then ALT ≤ 5 × ULN else ALT ≤
  2.5 × ULN*; "bilirubin ≤ 2.0 mg/dL, except in patients with Gilbert's syndrome, who must have ≤
  3.0 mg/dL" is *if Gilbert's then ≤ 3.0 else ≤ 2.0*. Without ``otherwise`` the rule is met when
  ``when`` is not.

An item's top-level rules are AND-ed for an inclusion item (every rule met) and OR-ed for an
exclusion item (the rules describe what excludes; any met excludes).

Values are Kleene's strong three-valued logic (Kleene 1938) over ``outcome.Status`` — ``met``,
``not met``, ``unknown`` (data missing) — with a fourth, ``investigator`` (a judgement oncotrial
does not make), ordered after ``unknown`` so that collecting missing data comes first: a part not
met decides an AND whatever else is unknown, a part met decides an OR. ``kleene_if`` is
``(when ∧ then) ∨ (¬when ∧ otherwise)``, except that when ``when`` is undecided but both branches
agree the branch value stands.

**Unread words.** An item whose text has words no rule reads (``Criterion.unread``: a number, an
"or", an "except …") is never decided on the understood fragment: the unread words might be an
alternative that rescues a patient, or a condition that excludes one. ``item_status`` makes such
an item ``investigator`` whatever its rules say, and the screen quotes the unread words; the
rules' results stay as evidence. The per-patient screen (``screening``) and the vectorised one
(``batch``) both go through this module's rules, and tests hold them equal.
"""

from __future__ import annotations

from collections.abc import Iterable

from oncotrial.eligibility.outcome import Status, combine_all, combine_any
from oncotrial.eligibility.rules import (
    AllOfRule,
    AnyOfRule,
    ConditionalRule,
    JudgementRule,
    NotRule,
    Rule,
    children,
    iter_rules,
)

__all__ = [
    "BRANCH_KINDS",
    "LEAF_KINDS",
    "AllOfRule",
    "AnyOfRule",
    "ConditionalRule",
    "JudgementRule",
    "NotRule",
    "Rule",
    "children",
    "is_computable",
    "item_status",
    "iter_rules",
    "kleene_and",
    "kleene_if",
    "kleene_not",
    "kleene_or",
]

BRANCH_KINDS = frozenset({"all_of", "any_of", "not", "conditional"})
LEAF_KINDS = frozenset(
    {
        "age",
        "sex",
        "performance_status",
        "lab",
        "lab_result",
        "derived",
        "diagnosis",
        "stage",
        "tumour_size",
        "biomarker",
        "medication",
        "procedure",
        "condition",
        "regimen",
        "prior_lines",
        "lesions",
        "judgement",
    }
)


def kleene_and(statuses: Iterable[Status]) -> Status:
    """AND: not met if any part is not met; else unknown, then investigator; else met."""
    return combine_all(statuses)


def kleene_or(statuses: Iterable[Status]) -> Status:
    """OR: met if any part is met; else unknown, then investigator; else not met."""
    return combine_any(statuses)


def kleene_not(status: Status) -> Status:
    """NOT: met and not met swap; unknown and investigator stay."""
    return {Status.MET: Status.NOT_MET, Status.NOT_MET: Status.MET}.get(status, status)


def kleene_if(when: Status, then: Status, otherwise: Status = Status.MET) -> Status:
    """IF when THEN then ELSE otherwise.

    A decided ``when`` picks its branch. An undecided one: if both branches agree (met or not
    met) that is the value; if it needs a judgement, the result does too unless data are missing
    in a branch that is not already failed; otherwise unknown.
    """
    if when is Status.MET:
        return then
    if when is Status.NOT_MET:
        return otherwise
    if then == otherwise and then in (Status.MET, Status.NOT_MET):
        return then
    if when is Status.INVESTIGATOR:
        branches = (then, otherwise)
        if Status.NOT_MET in branches or Status.UNKNOWN not in branches:
            return Status.INVESTIGATOR
    return Status.UNKNOWN


def item_status(exclusion: bool, statuses: Iterable[Status], unread: tuple[str, ...]) -> Status:
    """An item's status from its top-level rules' statuses: AND (inclusion) or OR (exclusion).

    No rules, or any unread words: ``investigator`` (a checklist item), never a verdict on the
    understood fragment alone.
    """
    found = tuple(statuses)
    if not found or unread:
        return Status.INVESTIGATOR
    return kleene_or(found) if exclusion else kleene_and(found)


def is_computable(rules: tuple[Rule, ...], unread: tuple[str, ...]) -> bool:
    """Rules, none a judgement, and no unread words: the item can be met or not met by data."""
    return (
        bool(rules)
        and not unread
        and not any(isinstance(r, JudgementRule) for r in iter_rules(rules))
    )
