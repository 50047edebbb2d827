"""The trial report: a trial's analysis results worded into the report document.

``build_trial_report`` (build.py) assembles the title page, summary, participant flow, baseline,
one section per registered endpoint (``endpoints/``, a module per endpoint kind), tumour response
over time, methods (methods.py) and listings (listings.py); figures.py draws the trial's figures
with the figure library, wording.py holds every presentation rule (months, percentages, CIs).
It formats :class:`~oncotrial.analysis.TrialResults` and computes nothing an engine computes.
"""

from __future__ import annotations

from oncotrial.report.trial.build import SIMULATED_BANNER, build_trial_report
from oncotrial.report.trial.endpoints import headline

__all__ = ["SIMULATED_BANNER", "build_trial_report", "headline"]
