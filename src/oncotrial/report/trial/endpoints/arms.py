"""The trial's arms in a table: the protocol's order, short codes, the legend that spells them."""

from __future__ import annotations

from collections.abc import Sequence

from oncotrial.analysis.results import TrialResults

__all__ = ["arm_codes", "arm_legend", "arm_order"]


def arm_order(results: TrialResults, names: Sequence[str]) -> list[int]:
    """Indexes of ``names`` (an engine's arm order, "Total" last) in the protocol's arm order."""
    rank = {label: i for i, label in enumerate(results.arm_labels)}
    arms = [i for i, name in enumerate(names) if name != "Total"]
    return sorted(arms, key=lambda i: (rank.get(names[i], len(rank)), names[i]))


def arm_codes(results: TrialResults) -> dict[str, str]:
    return {arm.label: arm.code or arm.label for arm in results.arms}


def arm_legend(results: TrialResults, names: Sequence[str], totals: Sequence[int]) -> str:
    codes = arm_codes(results)
    return "; ".join(
        f"{codes.get(name, name)} = {name} (N = {n})"
        for name, n in zip(names, totals, strict=True)
        if name != "Total"
    )
