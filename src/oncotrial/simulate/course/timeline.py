"""The course's key days: procedure, first dose, the reference day, latent death and drop-out."""

from __future__ import annotations

import math
from dataclasses import dataclass

from oncotrial.catalogue import subject
from oncotrial.simulate.course.context import NEVER, Context
from oncotrial.simulate.course.screening import Screening
from oncotrial.simulate.plan import InterventionPlan

__all__ = ["DeferredDraws", "Timeline", "draw_timeline"]


@dataclass(frozen=True)
class Timeline:
    """Days of the course; ``death`` and ``dropout`` are latent (NEVER when they do not happen).

    ``reference`` is the day the protocol counts from (randomization or first dose).
    """

    procedure_day: int | None
    first_dose: int
    reference: int
    death: int
    dropout: int


def draw_timeline(c: Context, s: Screening) -> Timeline:
    p, rng = c.p, c.rng
    local_before = [i for i in c.arm.local if i.before_first_dose]
    procedure_day: int | None = None
    if local_before:
        procedure_day = s.allocation + int(rng.integers(1, 6))
        first_dose = procedure_day + int(rng.integers(3, 11))
    else:
        first_dose = s.allocation + int(rng.integers(1, 8))
    if not c.arm.drugs and procedure_day is not None:
        first_dose = procedure_day
    reference = s.allocation if c.plan.reference == "randomization" else first_dose
    death = reference + round(p.os_days) if math.isfinite(p.os_days) else NEVER
    dropout = reference + round(p.dropout_days) if math.isfinite(p.dropout_days) else NEVER
    if not p.treated:
        dropout = min(dropout, s.allocation + int(rng.integers(1, 8)))
    dropout = max(dropout, s.allocation + 1)
    death = max(death, s.allocation + 1)
    return Timeline(procedure_day, first_dose, reference, death, dropout)


class DeferredDraws:
    """Draws taken from the patient's generator when first needed, then remembered.

    Each stays at the place in the random stream where the course first needs it (the day of a
    radiotherapy, of a procedure after the first dose, the reason for a drop-out), so that a
    patient who never needs one draws nothing for it.
    """

    def __init__(self, c: Context, s: Screening, timeline: Timeline) -> None:
        self._c, self._allocation, self._timeline = c, s.allocation, timeline
        self._radiation_day: int | None = None
        self._late_procedure_day: int | None = None
        self._dropout_reason: str | None = None

    def local_day(self, intervention: InterventionPlan) -> int:
        """The day a local therapy (radiotherapy, surgery, ablation) is given."""
        rng = self._c.rng
        if intervention.kind == "radiation":
            if self._radiation_day is None:
                self._radiation_day = self._allocation + int(rng.integers(7, 22))
            return self._radiation_day
        procedure_day = self._timeline.procedure_day
        if intervention.before_first_dose and procedure_day is not None:
            return procedure_day
        if self._late_procedure_day is None:
            self._late_procedure_day = self._timeline.first_dose + int(rng.integers(1, 15))
        return self._late_procedure_day

    def dropout_reason(self) -> str:
        if self._dropout_reason is None:
            withdrawal = self._c.rng.random() < 0.6
            self._dropout_reason = subject.WITHDRAWAL if withdrawal else subject.LOST
        return self._dropout_reason
