"""The pipeline's input: a protocol and its SDTM frames (text), with where they came from.

Whatever the source — the database, an SDTM folder, the simulator — a trial reaches the analysis
as :class:`TrialData`; the loaders (``oncotrial.app.trial_data``) read it. The frames are
normalised to SDTM text on the way in (docs/sdtm.md), so the analysis never sees the source's
types.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pandas as pd

from oncotrial.errors import InputError
from oncotrial.formats.sdtm_spec import to_text_frame
from oncotrial.protocol.model import Protocol

__all__ = ["TrialData"]


@dataclass(frozen=True)
class TrialData:
    """A protocol and its SDTM frames (text), with a description of their source.

    ``simulated`` marks data made by the simulator: every page of the report then says so.
    ``notes`` are facts about the data the report must state (e.g. a domain held back).
    """

    protocol: Protocol
    frames: Mapping[str, pd.DataFrame]
    source: str
    simulated: bool = False
    notes: tuple[str, ...] = ()
    trial_id: str | None = None

    def __post_init__(self) -> None:
        frames = {
            domain.upper(): to_text_frame(frame.reset_index(drop=True), domain.upper())
            for domain, frame in self.frames.items()
        }
        if "DM" not in frames or frames["DM"].empty:
            raise InputError(
                f"{self.source} holds no subjects (no DM records)",
                field="DM",
                hint="A report needs at least the DM domain: one row per screened subject.",
            )
        object.__setattr__(self, "frames", MappingProxyType(frames))

    def frame(self, domain: str) -> pd.DataFrame | None:
        return self.frames.get(domain.upper())
