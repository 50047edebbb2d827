"""How numbers read in the trial report: one place for every presentation rule.

Only presentation happens here (days shown as months, fractions as percentages, rounding for
display); the values come from the engines unchanged. Months are days / 30.4375 (the mean
Gregorian month, 365.25 / 12), as on every figure axis.
"""

from __future__ import annotations

import math

from oncotrial.catalogue.durations import DAYS_PER_MONTH as MONTH
from oncotrial.stats.km import KaplanMeier
from oncotrial.stats.proportions import Proportion

__all__ = [
    "MONTH",
    "ci",
    "clause",
    "first_clause",
    "fmt_p",
    "median_text",
    "months",
    "percent",
    "proportion_text",
    "round_or_none",
]


def months(days: float | None, digits: int = 1) -> str:
    """``7.4`` for 225 days; "NR" (not reached) for None."""
    if days is None or (isinstance(days, float) and math.isnan(days)):
        return "NR"
    return f"{days / MONTH:.{digits}f}"


def round_or_none(value: float | None, digits: int = 2) -> float | None:
    """A value for a numeric table cell (None when missing or not finite)."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


def percent(fraction: float | None, digits: int = 1) -> str:
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    return f"{100.0 * fraction:.{digits}f}%"


def ci(lower: str, upper: str, level: float = 0.95) -> str:
    return f"{round(level * 100):d}% CI {lower}–{upper}"


def proportion_text(p: Proportion) -> tuple[str, str]:
    """("12/25 (48.0%)", "exact 95% CI 27.8–68.7%")."""
    value = f"{p.count}/{p.total} ({percent(p.estimate)})"
    if p.total == 0:
        return value, "no patients"
    return value, (
        f"exact {round(p.conf_level * 100):d}% CI "
        f"{100 * p.lower:.1f}–{100 * p.upper:.1f}% (Clopper-Pearson)"
        if p.method.value == "clopper-pearson"
        else f"{round(p.conf_level * 100):d}% CI {100 * p.lower:.1f}–{100 * p.upper:.1f}% "
        f"({p.method.value})"
    )


def median_text(curve: KaplanMeier) -> tuple[str, str]:
    """("7.4 months", "95% CI 5.1–NR") from the curve's median (R survival's rule)."""
    median = curve.median
    value = "not reached" if median.time is None else f"{months(median.time)} months"
    return value, ci(months(median.lower), months(median.upper), curve.conf_level)


def fmt_p(p: float | None) -> str:
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "p not computable"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}"


def clause(reason: str) -> str:
    """A reason as the end of "… cannot be computed because …" (no capital, no full stop)."""
    text = reason.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def first_clause(reason: str, limit: int = 110) -> str:
    """The reason's first sentence, cut at ``limit`` characters (the section has it whole)."""
    text = clause(reason)
    for mark in (". ", "; "):
        if mark in text:
            text = text[: text.index(mark)]
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
