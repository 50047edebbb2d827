"""Median follow-up by the reverse Kaplan-Meier method (Schemper & Smith, Control Clin Trials 1996).

The follow-up distribution is estimated with the roles of event and censoring exchanged: a
censored subject's follow-up ended at that time, a subject with the event would have been
followed further (censored). Its median, with the limits of the pointwise interval, is read as
R reads ``summary(survfit(Surv(time, 1 - event) ~ 1))$table`` (log transform by default). The
crude median of observed times understates follow-up when events are early; the reverse KM does
not. Recommended for reporting by the CONSORT 2010 explanation (item 14a) and ICH E3 §11.4.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from oncotrial.stats._arrays import as_event, as_groups, as_time
from oncotrial.stats.km import ConfType, kaplan_meier

__all__ = ["OVERALL", "FollowUp", "median_follow_up"]

#: Key of the whole-sample estimate (the per-group keys are the group labels).
OVERALL = "overall"


@dataclass(frozen=True)
class FollowUp:
    """Median follow-up and its limits; None = not reached (more than half still followed)."""

    label: str
    n: int
    median: float | None
    lower: float | None
    upper: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"median": self.median, "lower": self.lower, "upper": self.upper}


def median_follow_up(
    time: npt.ArrayLike,
    event: npt.ArrayLike,
    group: Sequence[str] | npt.ArrayLike | None = None,
    *,
    conf_type: ConfType | str = ConfType.LOG,
    conf_level: float = 0.95,
) -> Mapping[str, FollowUp]:
    """``overall`` and, with a group, one estimate per group label (sorted)."""
    times = as_time(time)
    reverse = ~as_event(event, times.size)
    parts: list[tuple[str, npt.NDArray[np.bool_]]] = [(OVERALL, np.ones(times.size, dtype=bool))]
    if group is not None:
        names, codes = as_groups(group, times.size)
        parts += [(name, codes == index) for index, name in enumerate(names)]
    result = {}
    for label, mask in parts:
        curve = kaplan_meier(times[mask], reverse[mask], conf_type=conf_type, conf_level=conf_level)
        median = curve.median
        result[label] = FollowUp(label, int(mask.sum()), median.time, median.lower, median.upper)
    return MappingProxyType(result)
