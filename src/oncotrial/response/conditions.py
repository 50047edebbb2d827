"""Conditions on timepoint assessments: declared data that the engine executes, vectorised.

admiralonco declares each way of reaching a best response as an ``event()`` object (a dataset, a
condition, the value it sets) that ``admiral::derive_extreme_event`` executes. The engine does the
same with these objects: a :class:`Condition` prints as the expression it stands for, e.g.
``AVALC in (CR, PR, SD) & ADT >= reference date + sd_min_days``, and computes for every
assessment of every subject at once whether the assessment meets it. The conditions read the
assessments through :class:`Assessments` (admiralonco's ``ovr`` dataset with the settings).

The best-response parameters built from them (events with a value, ranked) are declared in
:mod:`oncotrial.response.rules` and executed by :mod:`oncotrial.response.best_response`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import numpy as np

from oncotrial.response.confirmation import (
    CODE_NAMES,
    K_CR,
    K_ND,
    K_NE,
    Confirmation,
    confirm,
)
from oncotrial.response.settings import AfterCompleteResponse, ResponseSettings

__all__ = [
    "AllOf",
    "AnyOf",
    "Assessments",
    "Condition",
    "Confirmed",
    "FollowsCompleteResponse",
    "Response",
    "SdWindow",
]


@dataclass(frozen=True)
class Assessments:
    """One subject's timepoint responses after another, with what the conditions need.

    Rows are sorted by subject then date, one per subject and date. ``code`` holds the
    :mod:`oncotrial.response.confirmation` ``K_*`` codes; ``ref_day`` is the subject's reference
    day on each row; ``counted`` marks the rows that count toward best response (up to the first
    PD unless ``count_after_pd``; rule ``BOR-WINDOW``).
    """

    subj: np.ndarray
    day: np.ndarray
    code: np.ndarray
    ref_day: np.ndarray
    counted: np.ndarray
    settings: ResponseSettings
    _memo: dict[Hashable, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.code)

    def memo(self, key: Hashable, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """``compute()`` once per key (the confirmation masks serve several parameters)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


class Condition:
    """A condition on one assessment: ``mask`` computes it for all, ``str`` prints it."""

    def mask(self, rows: Assessments) -> np.ndarray:
        raise NotImplementedError

    def __and__(self, other: Condition) -> Condition:
        return AllOf((self, other))

    def __or__(self, other: Condition) -> Condition:
        return AnyOf((self, other))


def _names(codes: tuple[int, ...]) -> str:
    return ", ".join(CODE_NAMES[k] for k in codes)


@dataclass(frozen=True)
class Response(Condition):
    """The timepoint response is one of ``codes`` (admiralonco ``AVALC %in% c(...)``)."""

    codes: tuple[int, ...]

    def mask(self, rows: Assessments) -> np.ndarray:
        return np.isin(rows.code, self.codes)

    def __str__(self) -> str:
        if len(self.codes) == 1:
            return f"AVALC == {CODE_NAMES[self.codes[0]]}"
        return f"AVALC in ({_names(self.codes)})"


@dataclass(frozen=True)
class SdWindow(Condition):
    """At least ``sd_min_days`` after the reference date (admiralonco ``ref_start_window``)."""

    def mask(self, rows: Assessments) -> np.ndarray:
        return np.asarray(rows.day >= rows.ref_day + rows.settings.sd_min_days)

    def __str__(self) -> str:
        return "ADT >= reference date + sd_min_days"


@dataclass(frozen=True)
class Confirmed(Condition):
    """The assessment is a response confirmed by a later one as ``rule`` says (RECIST §4.6.1).

    Confirmation looks at the counted assessments only: one after the first PD cannot confirm.
    """

    rule: Confirmation

    def mask(self, rows: Assessments) -> np.ndarray:
        def compute() -> np.ndarray:
            idx = np.flatnonzero(rows.counted)
            out = np.zeros(len(rows), dtype=bool)
            ok = confirm(rows.subj[idx], rows.day[idx], rows.code[idx], self.rule, rows.settings)
            out[idx[ok]] = True
            return out

        return rows.memo(self.rule, compute)

    def __str__(self) -> str:
        return f"confirmed ({self.rule})"


@dataclass(frozen=True)
class FollowsCompleteResponse(Condition):
    """One of ``codes`` as the next evaluable counted assessment after a CR (RECIST Table 3).

    Holds only with the setting ``after_cr = recist``; with ``admiralonco`` it never holds.
    """

    codes: tuple[int, ...]

    def mask(self, rows: Assessments) -> np.ndarray:
        n = len(rows)
        if rows.settings.after_cr is AfterCompleteResponse.ADMIRALONCO or n == 0:
            return np.zeros(n, dtype=bool)
        evaluable = rows.counted & (rows.code != K_NE) & (rows.code != K_ND)
        last_eval = np.maximum.accumulate(np.where(evaluable, np.arange(n), -1))
        prev_eval = np.r_[-1, last_eval[:-1]]
        prev_ok = prev_eval >= 0
        prev_code = np.where(prev_ok, rows.code[np.maximum(prev_eval, 0)], -1)
        prev_subj = np.where(prev_ok, rows.subj[np.maximum(prev_eval, 0)], -1)
        return np.asarray(
            rows.counted
            & np.isin(rows.code, self.codes)
            & (prev_code == K_CR)
            & (prev_subj == rows.subj)
        )

    def __str__(self) -> str:
        return (
            f"AVALC in ({_names(self.codes)}) and the previous evaluable assessment is CR "
            "(only with after_cr = recist)"
        )


def _wrapped(part: Condition) -> str:
    return f"({part})" if isinstance(part, AllOf | AnyOf) else str(part)


@dataclass(frozen=True)
class AllOf(Condition):
    """Every part holds (``&``)."""

    parts: tuple[Condition, ...]

    def mask(self, rows: Assessments) -> np.ndarray:
        out = np.ones(len(rows), dtype=bool)
        for part in self.parts:
            out &= part.mask(rows)
        return out

    def __str__(self) -> str:
        return " & ".join(_wrapped(part) for part in self.parts)


@dataclass(frozen=True)
class AnyOf(Condition):
    """At least one part holds (``|``)."""

    parts: tuple[Condition, ...]

    def mask(self, rows: Assessments) -> np.ndarray:
        out = np.zeros(len(rows), dtype=bool)
        for part in self.parts:
            out |= part.mask(rows)
        return out

    def __str__(self) -> str:
        return " | ".join(_wrapped(part) for part in self.parts)
