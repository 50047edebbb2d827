"""What every endpoint of one trial is computed from: the analysis context of the pipeline.

:class:`Inputs` carries the protocol, its analysis plan, the SDTM frames after the cut-off, the
analysis sets, the response settings and the censoring rules. It also remembers the response
runs and time-to-event outcomes already derived, so that endpoints sharing them (ORR and DCR,
PFS and its landmark rate) use one derivation; nothing outside the pipeline sees it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from oncotrial.analysis.results import AnalysisSets, ArmInfo, ResponseRun, TteOutcome
from oncotrial.endpoints.ctcae import CtcaeDictionary
from oncotrial.endpoints.tte import CensoringRules, Param
from oncotrial.plan.model import AnalysisPlan as StatisticalPlan
from oncotrial.protocol.model import AnalysisPlan, Protocol
from oncotrial.response import ResponseSettings

__all__ = ["Inputs"]


@dataclass
class Inputs:
    """What every endpoint reads: protocol, plan, frames after the cut-off, sets, settings,
    rules."""

    protocol: Protocol
    plan: AnalysisPlan
    frames: Mapping[str, pd.DataFrame]
    sets: AnalysisSets
    arms: tuple[ArmInfo, ...]
    settings: ResponseSettings
    confirmation_required: bool
    rules: CensoringRules
    ctcae: CtcaeDictionary | None
    ctcae_reason: str | None
    data_notes: tuple[str, ...] = ()
    sap: StatisticalPlan | None = None  # the reviewed statistical analysis plan, if any
    cutoff: date | None = None  # the data cut-off (exposure-adjusted rates end there)
    adsl: pd.DataFrame = field(default_factory=pd.DataFrame)  # every screened subject
    _responses: dict[float | None, ResponseRun | str] = field(default_factory=dict)
    _tte: dict[tuple[Param, float | None], TteOutcome | str] = field(default_factory=dict)

    @property
    def control(self) -> str | None:
        found = [a.label for a in self.arms if a.control]
        return found[0] if len(self.arms) == 2 and found else None
