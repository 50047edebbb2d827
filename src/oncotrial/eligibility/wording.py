"""Pieces of the one-line readings ``rules.describe_rule`` generates: score lists, counts and
the words a qualified condition asks the screener to confirm (``rules.QUALIFIER``)."""

from __future__ import annotations

__all__ = ["count_range", "scores_text", "to_confirm"]


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
