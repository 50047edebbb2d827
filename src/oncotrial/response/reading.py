"""One subject's scans read one after the other, with the engine's own rules.

:func:`oncotrial.response.derive_response` reads a whole trial at once from measurement tables.
The trial simulator needs the same reading scan by scan, as it draws them (it stops scanning at
progression and writes the RS records): :class:`ScanReader` keeps a subject's baseline, nadir and
pending iUPD and reads each new assessment with the functions the engine itself uses —
:func:`oncotrial.response.timepoints.read_categories` (RECIST 1.1 Tables 1-2, mRECIST) and
:func:`oncotrial.response.irecist.irecist_step` (iRECIST Table 2) — so that the rules are written
once. What only the whole record can decide is not known at a scan: an equivocal new lesion
confirmed at a later scan re-dates progression in ``derive_response`` only (RECIST 1.1 §4.3.5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from oncotrial.response import codes as c
from oncotrial.response import rules as r
from oncotrial.response.irecist import I_LABELS, Observation, Pending, irecist_step
from oncotrial.response.measurements import STATUS_NAMES
from oncotrial.response.settings import ResponseCriteria, ResponseSettings
from oncotrial.response.timepoints import EPS, NT_ASSESSED, LesionCounts, read_categories

__all__ = ["NewLesion", "ScanReader", "ScanReading"]

# The states the engine counts as a non-target lesion assessed, by name.
_ASSESSED: Final = frozenset(STATUS_NAMES[k] for k in NT_ASSESSED)
_NOT_PRESENT: Final = frozenset({c.Status.ABSENT, c.Status.NOT_EVALUABLE})


def _status(word: str | None) -> str | None:
    """A state word (as the engine accepts it) as its canonical :class:`codes.Status`."""
    return None if word is None else c.NT_STATUS_WORDS[c.normalise_word(word)]


@dataclass(frozen=True)
class NewLesion:
    """A new lesion seen at a scan: its id, state (None: present) and diameter (mm) if measured."""

    lesion: str
    status: str | None = None
    diameter: float | None = None


@dataclass(frozen=True)
class ScanReading:
    """One scan's responses, in the vocabulary of the subject's criteria (RS RSSTRESC)."""

    target: str | None  # TRGRESP (None: no target lesion at baseline)
    nontarget: str | None  # NTRGRESP (None: no non-target lesion at baseline)
    new: str  # Y, N or EQUIVOCAL
    overall: str  # OVRLRESP
    rule: str  # the rule that decided the overall response
    recist_overall: str  # the RECIST 1.1 (mRECIST) reading, before iRECIST
    target_sum: float | None  # the sum of diameters when every target was measured
    progression: bool  # progression as the criteria define it (PD; iRECIST: iCPD)


class ScanReader:
    """Reads a subject's follow-up scans in date order (see the module docstring).

    ``baseline``: each target lesion's baseline diameter in mm (short axis for ``nodes``);
    ``n_nontarget``: how many non-target lesions were recorded at baseline.
    """

    def __init__(
        self,
        baseline: Sequence[float],
        nodes: Sequence[bool],
        n_nontarget: int,
        settings: ResponseSettings,
    ) -> None:
        self._nodes = tuple(nodes)
        self._base_sum = float(sum(baseline)) if baseline else np.nan
        self._nadir = self._base_sum
        self._n_nontarget = n_nontarget
        self._settings = settings
        self._confirmed_new: set[str] = set()
        self._pending: Pending | None = None

    @property
    def nadir(self) -> float:
        """The smallest complete sum so far, baseline included (RECIST 1.1 §4.3.1)."""
        return self._nadir

    @property
    def awaiting_confirmation(self) -> bool:
        """iRECIST: an iUPD is pending (the next scans may confirm it as iCPD)."""
        return self._pending is not None

    def _counts(
        self,
        values: Sequence[float | None],
        nontarget: Sequence[str | None],
        new: Sequence[NewLesion],
    ) -> tuple[LesionCounts, list[NewLesion]]:
        measured = [(v, node) for v, node in zip(values, self._nodes, strict=True) if v is not None]
        states = [_status(s) for s in nontarget]
        present = [n for n in new if _status(n.status) not in _NOT_PRESENT]
        unequivocal = [n for n in present if _status(n.status) != c.Status.EQUIVOCAL]
        self._confirmed_new.update(n.lesion for n in unequivocal)
        equivocal = [n for n in present if _status(n.status) == c.Status.EQUIVOCAL]
        confirmed = [n for n in equivocal if n.lesion in self._confirmed_new]

        def one(value: float) -> np.ndarray:
            return np.array([value], dtype=float)

        counts = LesionCounts(
            n_target=one(len(self._nodes)),
            n_assessed=one(len(measured)),
            partial_sum=one(sum(v for v, _ in measured)),
            nadir=one(self._nadir),
            base_sum=one(self._base_sum),
            nonzero_nonnodal=one(sum(1 for v, node in measured if not node and v > EPS)),
            pathological_node=one(sum(1 for v, node in measured if node and v >= 10 - EPS)),
            n_nontarget=one(self._n_nontarget),
            nontarget_pd=one(states.count(c.Status.PROGRESSION)),
            nontarget_assessed=one(sum(1 for s in states if s in _ASSESSED)),
            nontarget_absent=one(states.count(c.Status.ABSENT)),
            new=one(len(unequivocal)),
            new_confirmed=one(len(confirmed)),
            new_equivocal=one(len(equivocal) - len(confirmed)),
        )
        return counts, [*unequivocal, *confirmed]

    def target_category(self, values: Sequence[float | None]) -> str:
        """The target response of ``values`` against the current nadir (no scan is recorded)."""
        counts, _ = self._counts(values, [None] * self._n_nontarget, [])
        read = read_categories(counts, self._settings)
        return str(r.TARGET_CATEGORIES[int(read.target[0])])

    def read(
        self,
        day: int,
        values: Sequence[float | None],
        nontarget: Sequence[str | None],
        new: Sequence[NewLesion] = (),
    ) -> ScanReading:
        """Read the next scan: target diameters (None: not measured), non-target states, new
        lesions; ``day`` orders the scans and times iRECIST's confirmation."""
        counts, new_present = self._counts(values, nontarget, new)
        read = read_categories(counts, self._settings)
        target = str(r.TARGET_CATEGORIES[int(read.target[0])])
        nontarget_cat = str(r.NONTARGET_CATEGORIES[int(read.nontarget[0])])
        new_cat = str(r.NEW_CATEGORIES[int(read.new[0])])
        overall, rule = str(read.overall[0]), str(read.rule[0])
        partial = float(counts.partial_sum[0])
        complete = bool(self._nodes) and sum(v is not None for v in values) == len(self._nodes)
        total = partial if complete else None
        if total is not None:
            self._nadir = min(self._nadir, total)
        if self._settings.criteria is not ResponseCriteria.IRECIST:
            return ScanReading(
                target=None if target == r.T_NA else target,
                nontarget=None if nontarget_cat == r.N_NA else nontarget_cat,
                new=new_cat,
                overall=overall,
                rule=rule,
                recist_overall=overall,
                target_sum=total,
                progression=overall == c.PD,
            )
        step = irecist_step(
            self._pending,
            Observation(
                day=day,
                target_pd=target == r.T_PD,
                nontarget_pd=nontarget_cat == r.N_PD,
                new_yes=new_cat == r.NEW_YES,
                partial_sum=partial if counts.n_assessed[0] > 0 else np.nan,
                nontarget_increased=any(_status(s) == c.Status.INCREASED for s in nontarget),
                new_increased=any(_status(n.status) == c.Status.INCREASED for n in new),
                new_ids=frozenset(n.lesion for n in new_present),
                nlt_sum=float(sum(n.diameter or 0.0 for n in new_present)),
                overall=overall,
                rule=rule,
            ),
            self._settings,
        )
        self._pending = step.pending

        def named(category: str) -> str | None:
            # iRECIST's component names; a progressing component takes the overall's (iUPD/iCPD).
            if category in (r.T_NA, r.N_NA):
                return None
            if category == c.PD:
                return step.label if step.label in (c.IUPD, c.ICPD) else c.IUPD
            return I_LABELS[c.NON_CR_NON_PD if category == r.N_NON else category]

        return ScanReading(
            target=named(target),
            nontarget=named(nontarget_cat),
            new=new_cat,
            overall=step.label,
            rule=step.rule,
            recist_overall=overall,
            target_sum=total,
            progression=step.label == c.ICPD,
        )
