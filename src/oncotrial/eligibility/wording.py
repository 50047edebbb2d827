"""Pieces of the one-line readings ``rules.describe_rule`` generates: score lists, counts and
the words a qualified condition asks the screener to confirm (``rules.QUALIFIER``), the reading
of a toxicity rule."""

from __future__ import annotations

from collections.abc import Sequence

from oncotrial.eligibility.concepts_toxicity import TOXICITY_EXCEPTIONS

__all__ = ["count_range", "scores_text", "to_confirm", "toxicity_text"]


def scores_text(allowed: tuple[int, ...]) -> str:
    """'0–2' for consecutive scores, else '0 or 2'."""
    if len(allowed) > 1 and list(allowed) == list(range(allowed[0], allowed[-1] + 1)):
        return f"{allowed[0]}–{allowed[-1]}"
    return " or ".join(map(str, allowed))


def count_range(low: int | None, high: int | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"{low}–{high} {unit}" if low != high else f"{low} {unit}"
    if low is not None:
        return f"at least {low} {unit}"
    if high is not None:
        return f"at most {high} {unit}"
    return ""


def to_confirm(qualifier: str | None) -> str:
    """', to confirm: "that required steroids"' after a qualified condition; '' without one."""
    return f', to confirm: "{qualifier}"' if qualifier else ""


def toxicity_text(
    max_grade: int,
    or_baseline: bool,
    exceptions: Sequence[tuple[str, int | None, str | None]],
    unread: Sequence[str],
) -> str:
    """'toxicities of prior therapy grade ≤ 1 or baseline (CTCAE v5.0), except alopecia, …'
    (``rules.ToxicityRule``: its exceptions as (concept, grade limit, qualifier))."""
    limit = f"grade ≤ {max_grade}" if max_grade else "resolved"
    but = [
        TOXICITY_EXCEPTIONS[concept].name
        + (f" (grade ≤ {grade})" if grade else "")
        + (f" ({confirm}, to confirm)" if confirm else "")
        for concept, grade, confirm in exceptions
    ] + [f'"{u}" (to confirm)' for u in unread]
    base = " or baseline" if or_baseline else ""
    return f"toxicities of prior therapy {limit}{base} (CTCAE v5.0)" + (
        ", except " + ", ".join(but) if but else ""
    )
