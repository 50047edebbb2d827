"""One patient's course, written as SDTM rows: screening, allocation, treatment, scans, safety.

The population-level draws (who is enrolled, arm, baseline characteristics, latent PFS/OS,
responders) come in ``Patient``; the stages in ``oncotrial.simulate.course`` draw everything else
from the patient's own random generator, so that one patient's data does not depend on how many
numbers another one used. Days count from the simulation's start date (day 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from oncotrial.simulate.course.adverse_events import draw_adverse_events, write_adverse_events
from oncotrial.simulate.course.context import AeTerm, Context, Course, Patient
from oncotrial.simulate.course.follow_up import follow_up, write_screen_failure
from oncotrial.simulate.course.labs import write_screening_labs
from oncotrial.simulate.course.scans import read_scans
from oncotrial.simulate.course.screening import screen
from oncotrial.simulate.course.timeline import DeferredDraws, draw_timeline
from oncotrial.simulate.course.treatment import treat
from oncotrial.simulate.frames import Tables
from oncotrial.simulate.parameters import DesignParameters
from oncotrial.simulate.plan import TrialPlan

__all__ = ["AeTerm", "Course", "Patient", "simulate_course", "simulate_screen_failure"]


def simulate_screen_failure(
    t: Tables, p: Patient, plan: TrialPlan, rng: np.random.Generator
) -> Course:
    """Write one screen failure's records (consent, the unmet criterion, demographics)."""
    day = p.consent_day + int(rng.integers(3, 22))
    return write_screen_failure(t, p, plan, day)


def simulate_course(
    t: Tables,
    p: Patient,
    plan: TrialPlan,
    params: DesignParameters,
    rng: np.random.Generator,
    cutoff: int,
    ae_terms: Mapping[str, AeTerm],
) -> Course:
    """Write one enrolled patient's records; returns the dates the trial assembly needs.

    The stages run in a fixed order because each draws from ``rng`` in turn. Adverse events are
    drawn before the scans (a fatal one ends the course) and written after treatment (only those
    up to 90 days after the last dose are reported).
    """
    assert p.arm is not None
    c = Context(t, p, plan, params, rng, cutoff, ae_terms, p.arm)
    s = screen(c)
    timeline = draw_timeline(c, s)
    deferred = DeferredDraws(c, s, timeline)
    write_screening_labs(c, s)
    drawn = draw_adverse_events(c, timeline, deferred)
    timeline = replace(timeline, death=drawn.death)
    scans = read_scans(c, s, timeline)
    doses = treat(c, s, timeline, deferred, drawn, scans).doses
    reported = write_adverse_events(c, drawn, timeline.dropout, doses)
    return follow_up(c, s, timeline, deferred, drawn, reported, scans, doses)
