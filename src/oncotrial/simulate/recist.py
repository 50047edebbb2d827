"""The simulator's own RECIST 1.1 timepoint reading of the lesions it measures.

The RS records a simulated trial carries are derived from its TR measurements by these rules, so
that a response engine re-deriving them from TR agrees. This is a compact reading for the
simulator, not the project's response engine (``oncotrial.response``), which handles every edge
case, iRECIST and mRECIST.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from oncotrial.catalogue.rule import Rule as TimepointRule

__all__ = ["TIMEPOINT_RULES", "Timepoint", "TimepointRule", "read_timepoint"]


TIMEPOINT_RULES: tuple[TimepointRule, ...] = (
    TimepointRule(
        "target-sum",
        "Sum of diameters: longest diameter of non-nodal targets plus short axis of nodal ones.",
        "RECIST 1.1 §4.2",
    ),
    TimepointRule(
        "target-ne",
        "A target not assessed makes the target response NE, unless the assessed ones already "
        "show progression.",
        "RECIST 1.1 §4.3.1; Appendix I",
    ),
    TimepointRule(
        "target-pd",
        "PD: sum at least 20% above the smallest sum on study (baseline included) and at least "
        "5 mm above it.",
        "RECIST 1.1 §4.3.1",
    ),
    TimepointRule(
        "target-cr",
        "CR: every non-nodal target gone and every nodal target below 10 mm short axis.",
        "RECIST 1.1 §4.3.1",
    ),
    TimepointRule("target-pr", "PR: sum at least 30% below the baseline sum.", "RECIST 1.1 §4.3.1"),
    TimepointRule("target-sd", "SD: neither PR nor PD.", "RECIST 1.1 §4.3.1"),
    TimepointRule(
        "non-target",
        "Non-target: unequivocal progression is PD; all absent is CR; any not assessed is NE; "
        "otherwise NON-CR/NON-PD.",
        "RECIST 1.1 §4.3.2",
    ),
    TimepointRule(
        "overall", "Overall response from target, non-target and new lesions.", "RECIST 1.1 Table 1"
    ),
)


@dataclass(frozen=True)
class Timepoint:
    target: str
    non_target: str | None
    new_lesion: str
    overall: str
    target_sum: float | None


def read_timepoint(
    values: Sequence[float | None],
    nodes: Sequence[bool],
    baseline_sum: float,
    nadir: float,
    non_target_states: Sequence[str | None],
    new_lesion: bool,
) -> Timepoint:
    """One assessment's responses; ``values`` are the targets' mm (None = not assessed)."""
    measured = [v for v in values if v is not None]
    partial = sum(measured)
    if len(measured) < len(values):
        target = "PD" if measured and partial >= 1.2 * nadir and partial - nadir >= 5.0 else "NE"
        total: float | None = None
    else:
        total = partial
        if total >= 1.2 * nadir and total - nadir >= 5.0:
            target = "PD"
        elif all(
            (v < 10.0) if node else (v == 0.0) for v, node in zip(measured, nodes, strict=True)
        ):
            target = "CR"
        elif total <= 0.7 * baseline_sum:
            target = "PR"
        else:
            target = "SD"
    non_target: str | None = None
    if non_target_states:
        if any(s == "UNEQUIVOCAL PROGRESSION" for s in non_target_states):
            non_target = "PD"
        elif any(s is None for s in non_target_states):
            non_target = "NE"
        elif all(s == "ABSENT" for s in non_target_states):
            non_target = "CR"
        else:
            non_target = "NON-CR/NON-PD"
    new = "Y" if new_lesion else "N"
    if target == "PD" or non_target == "PD" or new_lesion:
        overall = "PD"
    elif target == "NE":
        overall = "NE"
    elif target == "CR":
        overall = "CR" if non_target in (None, "CR") else "PR"
    elif target == "PR":
        overall = "PR"
    else:
        overall = "SD"
    return Timepoint(target, non_target, new, overall, total)
