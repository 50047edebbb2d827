"""Status codes and the engine's Kleene logic as Ibis expressions (no table, no I/O).

Codes are the vectorised engine's (``eligibility.batch``): 0 not met, 1 met, 2 unknown, 3 left
to the investigator. All-of, any-of, not and the conditional are lookups in small literal
arrays indexed by the parts' codes, so that every part is referenced once in the SQL and a
nested rule stays linear in size.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from oncotrial.eligibility.rules import TOLERANCE, Comparator

__all__ = [
    "CONDITIONAL",
    "INVESTIGATOR",
    "MET",
    "NOT",
    "NOT_MET",
    "UNKNOWN",
    "combine",
    "decided",
    "holds",
    "lookup",
]

NOT_MET, MET, UNKNOWN, INVESTIGATOR = 0, 1, 2, 3
_ALL_RANK = (3, 0, 2, 1)
_ANY_RANK = (0, 3, 2, 1)
_ALL_CODE = (MET, INVESTIGATOR, UNKNOWN, NOT_MET)
_ANY_CODE = (NOT_MET, INVESTIGATOR, UNKNOWN, MET)
NOT = (MET, NOT_MET, UNKNOWN, INVESTIGATOR)


def holds(comparator: Comparator, value: ir.FloatingValue, threshold: Any) -> ir.BooleanValue:
    """``value <comparator> threshold`` with the engine's relative tolerance; null is false."""
    diff = value - threshold
    limit = threshold if isinstance(threshold, ir.Value) else ibis.literal(threshold)
    tol = TOLERANCE * ibis.greatest(value.abs(), limit.abs())
    if comparator is Comparator.GE:
        out = diff >= -tol
    elif comparator is Comparator.GT:
        out = diff > tol
    elif comparator is Comparator.LE:
        out = diff <= tol
    elif comparator is Comparator.LT:
        out = diff < -tol
    else:
        out = diff.abs() <= tol
    return out.fill_null(False)


def decided(ok: ir.BooleanValue, known: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.cases((~known, UNKNOWN), (ok, MET), else_=NOT_MET)


def lookup(index: ir.IntegerValue, table: tuple[int, ...]) -> ir.IntegerValue:
    """``table[index]`` with ``index`` referenced once: nested rules stay linear in SQL size."""
    # int32: Spark's element_at takes an INT position
    return ibis.literal(list(table), type="array<int8>")[index.cast("int32")]


def _conditional_table() -> tuple[int, ...]:
    """The conditional's code for every (when, then, otherwise), as ``batch_logic._conditional``."""
    out = []
    for when in range(4):
        for then in range(4):
            for other in range(4):
                if when == MET:
                    out.append(then)
                elif when == NOT_MET:
                    out.append(other)
                elif then == other and then in (MET, NOT_MET):
                    out.append(then)
                elif when == UNKNOWN:
                    out.append(UNKNOWN)
                elif NOT_MET in (then, other) or UNKNOWN not in (then, other):
                    out.append(INVESTIGATOR)
                else:
                    out.append(UNKNOWN)
    return tuple(out)


CONDITIONAL = _conditional_table()


def combine(parts: list[ir.IntegerValue], all_of: bool) -> ir.IntegerValue:
    """All-of (or any-of) of the parts' codes: the worst (best) by the engine's ranking."""
    if not parts:
        return ibis.literal(MET if all_of else NOT_MET)
    ranks = [lookup(p, _ALL_RANK if all_of else _ANY_RANK) for p in parts]
    top = ranks[0] if len(ranks) == 1 else ibis.greatest(*ranks)
    return lookup(top, _ALL_CODE if all_of else _ANY_CODE)
