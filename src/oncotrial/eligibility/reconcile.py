"""The registry's structured age limits against the ages the criteria text states.

A registration states a minimum and maximum age as fields and again in its criteria text; the
two are entered separately and sometimes disagree ("Minimum Age: 18 Years" with "Age ≥ 20 years"
in the text). Screening applies both (the registry limits as criterion ``registry``), so a
disagreement is not a silent error, but the protocol's reviewer should know: it is a warning on
the protocol, naming both values.
"""

from __future__ import annotations

from oncotrial.eligibility.criteria import CriterionKind, Eligibility
from oncotrial.eligibility.rules import AgeRule, Comparator, iter_rules

__all__ = ["age_conflicts", "text_age_limits"]


def text_age_limits(eligibility: Eligibility) -> tuple[float | None, float | None]:
    """The youngest and oldest age (completed years) the criteria text allows, as read.

    Inclusion "Age ≥ 18 years" and exclusion "Age < 18 years" both give a minimum of 18;
    inclusion "≤ 75" and exclusion "> 75" a maximum of 75. Items the parser has not read (rules
    absent) give nothing.
    """
    from oncotrial.eligibility.parser import read_eligibility  # the parser only when needed

    low: float | None = None
    high: float | None = None
    for reading in read_eligibility(eligibility):
        criterion = reading.criterion
        if "age" not in criterion.text.lower() and "year" not in criterion.text.lower():
            continue
        exclusion = criterion.kind is CriterionKind.EXCLUSION
        for rule in iter_rules(criterion.rules):
            if not isinstance(rule, AgeRule) or rule.at != "consent":
                continue
            comparator = rule.comparator.negated if exclusion else rule.comparator
            if comparator is Comparator.GE:
                low = rule.value
            elif comparator is Comparator.GT:
                low = rule.value + 1  # completed years: older than 17 is at least 18
            elif comparator is Comparator.LE:
                high = rule.value
            elif comparator is Comparator.LT:
                high = rule.value - 1
    return low, high


def age_conflicts(eligibility: Eligibility) -> tuple[str, ...]:
    """Warnings where the registry's minimum or maximum age differs from the criteria text."""
    if eligibility.minimum_age is None and eligibility.maximum_age is None:
        return ()
    low, high = text_age_limits(eligibility)
    warnings = []
    for which, registry, text in (
        ("minimum", eligibility.minimum_age, low),
        ("maximum", eligibility.maximum_age, high),
    ):
        if registry is None or text is None:
            continue
        if abs(registry.years - text) > 1e-9:
            warnings.append(
                f"the registry's {which} age is {registry} but the criteria text says "
                f"{text:g} years; both are screened — check which is meant"
            )
    return tuple(warnings)
