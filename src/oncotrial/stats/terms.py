"""Model terms as R's ``model.matrix`` builds them: numbers, and factors with treatment contrasts.

A term is one named variable of a model formula (``group``, ``age``, ``stage``). A numeric term
is one column named as the variable; a factor term with levels L₁ < L₂ < … (sorted, the first
the reference) is one 0/1 column per non-reference level, named variable + level — R's
coefficient names (``groupexperimental``, ``stageIVB``). A variable is numeric when every value
reads as a number (as R's ``read.csv``), otherwise a factor; ``factor=True`` forces a factor
(R's ``factor(d$group)``).

Levels sort by code point (Python, and R in the C locale). R built with ICU collates symbols
before digits (``"<1%" < ">=50%" < "1-49%"``); where that changes the reference level, name the
reference explicitly. Columns that carry no information of their own
(an interaction column for a subgroup level with one arm) are found when the model is fitted
(:mod:`oncotrial.stats.cox_model`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from oncotrial.errors import Problem, ValueProblem
from oncotrial.stats._arrays import FloatArray

__all__ = [
    "Design",
    "Term",
    "build_design",
    "complete_rows",
    "interaction",
    "is_missing",
    "make_term",
]

_MISSING_TEXT = {"", "NA", "NaN", "nan", "None"}


@dataclass(frozen=True)
class Term:
    """One model variable: its coefficient columns, and for a factor its levels (reference first).

    ``values`` is the variable's matrix (n rows, one column per coefficient); a missing value is a
    row of NaN (complete-case analysis removes it, as R's ``na.omit``).
    """

    name: str
    columns: tuple[str, ...]
    levels: tuple[str, ...] | None
    values: FloatArray

    @property
    def is_factor(self) -> bool:
        return self.levels is not None


@dataclass(frozen=True)
class Design:
    """Columns of several terms side by side; ``assign`` maps each term to its column indices."""

    terms: tuple[Term, ...]
    x: FloatArray
    names: tuple[str, ...]
    assign: tuple[tuple[int, ...], ...]


def is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() in _MISSING_TEXT


def _as_number(value: object) -> float | None:
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _label(value: object) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def make_term(
    name: str,
    values: Sequence[object] | npt.ArrayLike,
    *,
    factor: bool = False,
    reference: str | None = None,
    levels: Sequence[str] | None = None,
) -> Term:
    """The term for one variable; see the module docstring for numeric versus factor."""
    raw = list(np.asarray(values, dtype=object))
    present = [v for v in raw if not is_missing(v)]
    numbers = [_as_number(v) for v in present]
    if not factor and levels is None and present and all(n is not None for n in numbers):
        column = np.array(
            [np.nan if is_missing(v) else _as_number(v) for v in raw], dtype=np.float64
        )
        return Term(name=name, columns=(name,), levels=None, values=column[:, None])
    labels = [None if is_missing(v) else _label(v) for v in raw]
    found = sorted({v for v in labels if v is not None})
    if levels is not None:
        unknown = [v for v in found if v not in levels]
        if unknown:
            raise ValueProblem(
                f"value {unknown[0]!r} of {name!r} is not among its levels ({', '.join(levels)})",
                field=name,
            )
        ordered = list(levels)
    else:
        ordered = found
    if reference is not None:
        if reference not in ordered:
            raise ValueProblem(
                f"reference level {reference!r} of {name!r} is not among its values "
                f"({', '.join(ordered)})",
                field=name,
            )
        ordered.remove(reference)
        ordered.insert(0, reference)
    if not ordered:
        raise ValueProblem(f"variable {name!r} has no values", field=name)
    matrix = np.zeros((len(raw), max(len(ordered) - 1, 0)), dtype=np.float64)
    for row, label in enumerate(labels):
        if label is None:
            matrix[row, :] = np.nan
        elif label != ordered[0]:
            matrix[row, ordered.index(label) - 1] = 1.0
    return Term(
        name=name,
        columns=tuple(f"{name}{level}" for level in ordered[1:]),
        levels=tuple(ordered),
        values=matrix,
    )


def interaction(first: Term, second: Term) -> Term:
    """The product term ``first:second`` (R's column names ``a:b``, products of the columns)."""
    columns: list[str] = []
    blocks: list[FloatArray] = []
    for j, right in enumerate(second.columns):
        for i, left in enumerate(first.columns):
            columns.append(f"{left}:{right}")
            blocks.append(first.values[:, i] * second.values[:, j])
    values = np.column_stack(blocks) if blocks else np.zeros((first.values.shape[0], 0))
    return Term(
        name=f"{first.name}:{second.name}", columns=tuple(columns), levels=None, values=values
    )


def build_design(terms: Sequence[Term]) -> Design:
    """The model matrix of ``terms`` in order, with each term's column indices."""
    blocks = [term.values for term in terms]
    n = blocks[0].shape[0] if blocks else 0
    x = np.column_stack(blocks) if blocks else np.zeros((n, 0))
    assign = []
    start = 0
    for term in terms:
        assign.append(tuple(range(start, start + len(term.columns))))
        start += len(term.columns)
    names = tuple(name for term in terms for name in term.columns)
    return Design(terms=tuple(terms), x=x, names=names, assign=tuple(assign))


def complete_rows(design: Design) -> tuple[npt.NDArray[np.bool_], tuple[Problem, ...]]:
    """Rows with every term present, and a problem per row left out (numbered from 1)."""
    keep: npt.NDArray[np.bool_] = np.asarray(np.isfinite(design.x).all(axis=1), dtype=bool)
    problems = []
    for row in np.flatnonzero(~keep):
        missing = [term.name for term in design.terms if not np.isfinite(term.values[row]).all()]
        problems.append(
            Problem(
                "left out of the model: missing " + ", ".join(missing),
                record=f"observation {row + 1}",
                field=missing[0],
            )
        )
    return keep, tuple(problems)
