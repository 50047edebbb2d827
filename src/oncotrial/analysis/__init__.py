"""The analysis pipeline: a trial's SDTM frames and protocol (and analysis plan) to its results.

One entry point, :func:`analyse_trial`, used alike by the command line (``oncotrial report``),
the demo and the web application: data as of the cut-off, the ADSL-like subject frame, analysis
sets and participant flow, responses, then every registered endpoint by the core engines. Its
input is :class:`TrialData` (frames as SDTM text, however they were loaded); its output
:class:`TrialResults`, immutable, which the trial report (``oncotrial.report.trial``) words.

Layer: above the file formats (it maps SDTM frames to the engines' inputs) and the core; below
the store, the report and the application — it reads no files, no database and no clock.
"""

from __future__ import annotations

from oncotrial.analysis.data import TrialData
from oncotrial.analysis.pipeline import analyse_trial
from oncotrial.analysis.results import EndpointResult, TrialResults

__all__ = ["EndpointResult", "TrialData", "TrialResults", "analyse_trial"]
