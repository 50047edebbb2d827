"""The arms a trial allocates to, with the SDTM arm codes, and the allocation ratio.

``ARMCD`` is ``A``, ``B``, … in the protocol's arm order and ``ARM`` the arm label
(docs/sdtm.md, DM). The ratio is the protocol's ``analysis.randomization_ratio`` (one whole number
per arm, in arm order); a randomized protocol without one is taken as equal allocation, and the
allocation list records the ratio it used.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from oncotrial.errors import ValueProblem
from oncotrial.protocol.model import Protocol

__all__ = ["TrialArm", "allocation_ratio", "arm_code", "trial_arms"]


@dataclass(frozen=True)
class TrialArm:
    code: str  # ARMCD
    label: str  # ARM
    interventions: tuple[str, ...] = ()


def arm_code(index: int) -> str:
    """``A`` … ``Z``, then ``AA``, ``AB`` … (index from 0)."""
    letters = string.ascii_uppercase
    if index < len(letters):
        return letters[index]
    return arm_code(index // len(letters) - 1) + letters[index % len(letters)]


def trial_arms(protocol: Protocol) -> tuple[TrialArm, ...]:
    """The protocol's arms with their ARMCD codes, in the protocol's order."""
    return tuple(
        TrialArm(code=arm_code(n), label=arm.label, interventions=arm.interventions)
        for n, arm in enumerate(protocol.arms)
    )


def allocation_ratio(protocol: Protocol) -> tuple[int, ...]:
    """The randomization ratio in arm order (equal allocation when the protocol gives none)."""
    n = len(protocol.arms)
    ratio = protocol.analysis.randomization_ratio
    if ratio is None:
        return (1,) * n
    if len(ratio) != n:
        raise ValueProblem(
            f"the randomization ratio {':'.join(map(str, ratio))} has {len(ratio)} parts for "
            f"{n} arms",
            record=protocol.trial_id,
            field="analysis.randomization_ratio",
            hint="Give one whole number per arm, in the order of the arms.",
        )
    if any(r < 1 for r in ratio):
        raise ValueProblem(
            "every part of the randomization ratio must be a whole number of at least 1 "
            f"(ratio {':'.join(map(str, ratio))})",
            record=protocol.trial_id,
            field="analysis.randomization_ratio",
        )
    return tuple(ratio)
