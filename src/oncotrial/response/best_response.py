"""Best overall response and the subject-level response parameters, executed from declarations.

Input: timepoint responses as codes (:mod:`oncotrial.response.confirmation` ``K_*``), sorted by
subject then date with one row per subject and date, all on or after the reference date.

The parameters BOR, CBOR, RSP, CRSP, CB, CCB and PD are declared in
:mod:`oncotrial.response.rules` as ordered events with conditions
(:mod:`oncotrial.response.conditions`), as admiralonco declares ``event()`` objects for
``derive_extreme_event``; :func:`decide` executes one over all subjects at once: every counted
assessment takes the value of the first event it meets, every subject the best value by the
parameter's ranking, dated by the first assessment holding it (one pass of segment minima), and
the deciding event names the rule. Assessments after the first PD (iRECIST: after iCPD) do not
count unless ``count_after_pd`` (rule ``BOR-WINDOW``, admiralonco ``source_pd``). LSTA is the
last assessment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from oncotrial.response import rules as r
from oncotrial.response.conditions import Assessments
from oncotrial.response.confirmation import K_PD
from oncotrial.response.settings import ResponseSettings

__all__ = ["BestResponse", "Decision", "decide", "derive_best_response"]

_BIG: Final = np.iinfo(np.int64).max


@dataclass(frozen=True)
class Decision:
    """One parameter for every subject: its value, the deciding assessment row and rule."""

    paramcd: str
    value: np.ndarray  # object per subject (RECIST names, Y/N, MISSING)
    row: np.ndarray  # int64 per subject: index into the timepoint rows (-1: no assessment)
    rule: np.ndarray  # object per subject: the id of the deciding event (or the default's)


@dataclass(frozen=True)
class BestResponse:
    """What the parameters were decided from, and the decisions."""

    counted: np.ndarray  # per row: counts toward the best response (ANL02FL)
    after_cr: np.ndarray  # per row: a PR/SD/NON-CR/NON-PD right after a CR (Table 3)
    decisions: dict[str, Decision]
    pd_row: np.ndarray  # per subject: the first PD row (-1 none)
    lsta_row: np.ndarray  # per subject: the last assessment row (-1 none)


def _segments(subj: np.ndarray, n_subjects: int) -> tuple[np.ndarray, np.ndarray]:
    starts = np.searchsorted(subj, np.arange(n_subjects), side="left")
    ends = np.searchsorted(subj, np.arange(n_subjects), side="right")
    return starts, ends


def _segment_min(values: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Minimum of values[start:end] per segment (_BIG for empty segments)."""
    out = np.full(len(starts), _BIG, dtype=np.int64)
    nonempty = ends > starts
    if nonempty.any() and len(values):
        out[nonempty] = np.minimum.reduceat(values, starts[nonempty])
    return out


def decide(
    parameter: r.Parameter, rows: Assessments, starts: np.ndarray, ends: np.ndarray
) -> Decision:
    """Execute a declared parameter over every subject (see the module docstring)."""
    n, k = len(rows), len(parameter.events)
    which = np.full(n, k, dtype=np.int64)  # per row: the first event met (k: none)
    for position in range(k - 1, -1, -1):
        met = parameter.events[position].condition.mask(rows)
        which = np.where(met, position, which)
    which = np.where(rows.counted, which, k)
    none = len(parameter.ranking)
    rank_of = np.array(
        [parameter.ranking.index(e.value) for e in parameter.events] + [none], dtype=np.int64
    )
    composite = rank_of[which] * (n + 1) + np.arange(n, dtype=np.int64)
    best = _segment_min(composite, starts, ends)
    found = (best != _BIG) & (best // (n + 1) < none)
    row = np.where(found, best % (n + 1), -1)
    event = np.full(len(row), k, dtype=np.int64)
    event[found] = which[row[found]]
    values = np.array([e.value for e in parameter.events] + [parameter.otherwise], dtype=object)
    rules = np.array([e.id for e in parameter.events] + [parameter.otherwise_rule], dtype=object)
    return Decision(parameter.paramcd, values[event], row, rules[event])


def derive_best_response(
    subj: np.ndarray,
    day: np.ndarray,
    code: np.ndarray,
    ref_day: np.ndarray,
    settings: ResponseSettings,
    *,
    n_subjects: int,
) -> BestResponse:
    """Decide every declared parameter (``rules.PARAMETERS``); see the module docstring."""
    starts, ends = _segments(subj, n_subjects)
    # Assessments counted toward best response: up to and including the first PD/iCPD.
    first_pd = _segment_min(np.where(code == K_PD, np.arange(len(code)), _BIG), starts, ends)
    first_pd = np.where(first_pd == _BIG, -1, first_pd)
    pd_day = np.full(n_subjects, _BIG, dtype=np.int64)
    pd_day[first_pd >= 0] = day[first_pd[first_pd >= 0]]
    counted = np.ones(len(code), dtype=bool) if settings.count_after_pd else day <= pd_day[subj]

    rows = Assessments(
        subj=subj, day=day, code=code, ref_day=ref_day[subj], counted=counted, settings=settings
    )
    decisions = {p.paramcd: decide(p, rows, starts, ends) for p in r.PARAMETERS}
    # The rows the Table 3 after-CR event holds for are flagged for review (engine).
    after_cr = next(e for e in r.CBOR.events if e.id == "CBOR-AFTER-CR").condition.mask(rows)
    return BestResponse(
        counted=counted,
        after_cr=after_cr,
        decisions=decisions,
        pd_row=decisions["PD"].row,
        lsta_row=np.where(ends > starts, ends - 1, -1),
    )
